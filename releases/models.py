"""Releases: the metadata a distributor checks, with identifiers kept in their compact forms."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from projects.models import Person, Project
from songs.models import Song
from songs.models.stored_audio import StoredAudio


class Target(models.TextChoices):
    """Deliverable formats the render hook makes (releases.render.TARGETS has the settings)."""

    FLAC = "flac", "FLAC at the master's resolution"
    WAV_16 = "wav16", "WAV 16-bit / 44.1 kHz, dithered"
    MP3_320 = "mp3", "MP3 320 kbit/s CBR"
    AAC_256 = "aac", "AAC 256 kbit/s (M4A)"


# An ISO 639 language, optionally with a region (en, de, pt-BR, es-419): what DDEX accepts.
language_code = RegexValidator(
    r"^[a-zA-Z]{2,3}(-[a-zA-Z]{2}|-[0-9]{3})?$",
    "An ISO 639 language code such as en, de or pt-BR.",
)


def default_targets() -> list[str]:
    return list(Target.values)


def validate_targets(value: object) -> None:
    """A non-empty list of target formats, each once."""
    if (
        not isinstance(value, list)
        or not value
        or len(set(value)) != len(value)
        or not set(value) <= set(Target.values)
    ):
        raise ValidationError(
            f"A non-empty list of formats, each once, from {', '.join(Target.values)}.",
            code="targets",
        )


class Release(models.Model):
    class Type(models.TextChoices):
        SINGLE = "single", "Single"
        EP = "ep", "EP"
        ALBUM = "album", "Album"

    class ParentalWarning(models.TextChoices):
        NOT_EXPLICIT = "NotExplicit", "Not explicit"
        EXPLICIT = "Explicit", "Explicit"
        EDITED = "ExplicitContentEdited", "Edited (clean) version"
        # DDEX's own value for "nobody said": not the same claim as NotExplicit.
        NO_ADVICE = "NoAdviceAvailable", "No advice available"

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="releases")
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.SINGLE)
    title = models.CharField(max_length=300)
    version = models.CharField(max_length=200, blank=True, help_text="e.g. Deluxe, Remastered")
    display_artist = models.CharField(max_length=300)
    label = models.CharField(max_length=200, blank=True)
    catalog_number = models.CharField(max_length=50, blank=True)
    upc = models.CharField(max_length=13, blank=True, help_text="EAN-13 (a UPC-A gains a 0).")
    release_date = models.DateField(null=True, blank=True)
    original_release_date = models.DateField(null=True, blank=True)
    genre = models.CharField(max_length=100, blank=True)
    language = models.CharField(
        max_length=8, blank=True, validators=[language_code], help_text="ISO 639 code, e.g. en"
    )
    p_line_year = models.PositiveSmallIntegerField(null=True, blank=True)
    p_line_owner = models.CharField(max_length=200, blank=True)
    c_line_year = models.PositiveSmallIntegerField(null=True, blank=True)
    c_line_owner = models.CharField(max_length=200, blank=True)
    parental_warning = models.CharField(
        max_length=30, choices=ParentalWarning.choices, default=ParentalWarning.NOT_EXPLICIT
    )
    targets = models.JSONField(
        default=default_targets,
        validators=[validate_targets],
        help_text="Deliverable formats: flac, wav16, mp3, aac.",
    )
    # What a DDEX import could not keep as given (a barcode failing its check digit, an unknown
    # role): [{"code", "field", "message", "value", "track"}], shown by readiness until fixed.
    import_warnings = models.JSONField(default=list, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["upc"], condition=~Q(upc=""), name="release_unique_upc"
            ),
            models.CheckConstraint(
                condition=Q(upc="") | Q(upc__regex=r"^\d{13}$"), name="release_upc_13_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_artist}: {self.title}"


class Track(models.Model):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="tracks")
    disc = models.PositiveSmallIntegerField(default=1)
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    version = models.CharField(max_length=200, blank=True)
    isrc = models.CharField(max_length=12, blank=True)
    iswc = models.CharField(max_length=11, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    explicit = models.BooleanField(default=False)
    instrumental = models.BooleanField(default=False)
    language = models.CharField(max_length=8, blank=True, validators=[language_code])
    # The song this recording is: its approved master version becomes the track's master.
    song = models.ForeignKey(
        Song, null=True, blank=True, on_delete=models.SET_NULL, related_name="tracks"
    )

    class Meta:
        ordering = ["release_id", "disc", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "disc", "position"], name="track_unique_position"
            ),
            # A song is one track of a release (a second would be a second recording of it).
            models.UniqueConstraint(
                fields=["release", "song"],
                condition=Q(song__isnull=False),
                name="track_unique_song",
            ),
            # An ISRC names one recording in the whole catalogue.
            models.UniqueConstraint(
                fields=["isrc"], condition=~Q(isrc=""), name="track_unique_isrc"
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1) & Q(disc__gte=1), name="track_position_from_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"

    @property
    def length(self) -> str:
        """The duration as m:ss, or an empty string."""
        if self.duration_seconds is None:
            return ""
        return f"{self.duration_seconds // 60}:{self.duration_seconds % 60:02d}"


class IsrcRegistrant(models.Model):
    """A registrant prefix (country + registrant code) and the last designation number given
    in each year: ISRCs are allocated from it, never reused."""

    country = models.CharField(max_length=2)
    registrant = models.CharField(max_length=3)
    year = models.PositiveSmallIntegerField(help_text="Two digits: 26 for 2026.")
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["country", "registrant", "year"], name="isrcregistrant_unique_year"
            ),
            models.CheckConstraint(
                condition=Q(last_number__lte=99999), name="isrc_designation_5_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country}-{self.registrant}-{self.year:02d}"


class IsrcPrefix(models.Model):
    """A registrant prefix kept once, so nobody types it for each ISRC: owned by a studio
    (its managers keep it; every production using the studio allocates from it) or by a
    label (a release's `label` text), kept by a user who edits that release.

    The numbers given under a prefix live in `IsrcRegistrant` (one row per year, locked
    while a number is taken); this row only says whose prefix it is. A label's prefix counts
    only for releases of projects on which its keeper edits releases: a label name is free
    text, and a stranger typing the same name must not draw on someone else's codes."""

    name = models.CharField(max_length=200, help_text="Whose prefix, e.g. the label's name.")
    country = models.CharField(max_length=2, help_text="ISO 3166 country code, e.g. DE.")
    registrant = models.CharField(max_length=3, help_text="Registrant code, e.g. A12.")
    studio = models.ForeignKey(
        "studio.Studio",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="isrc_prefixes",
    )
    label = models.CharField(max_length=200, blank=True, help_text="A release's label, as typed.")
    kept_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            # Owned by a studio, or by a label: never both, never neither.
            models.CheckConstraint(
                condition=(Q(studio__isnull=False) & Q(label=""))
                | (Q(studio__isnull=True) & ~Q(label="")),
                name="isrcprefix_studio_or_label",
            ),
            models.UniqueConstraint(
                fields=["studio"], condition=Q(studio__isnull=False), name="isrcprefix_one_studio"
            ),
            models.UniqueConstraint(
                fields=["label", "kept_by"], condition=~Q(label=""), name="isrcprefix_one_label"
            ),
            models.CheckConstraint(
                condition=Q(country__regex=r"^[A-Z]{2}$") & Q(registrant__regex=r"^[A-Z0-9]{3}$"),
                name="isrcprefix_code_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country}-{self.registrant})"

    @property
    def code(self) -> str:
        return f"{self.country}-{self.registrant}"


class CreditRole(models.TextChoices):
    """Roles from DDEX's allowed values (ContributorRole / ArtistRole)."""

    MAIN_ARTIST = "MainArtist", "Main artist"
    FEATURED_ARTIST = "FeaturedArtist", "Featured artist"
    PRODUCER = "Producer", "Producer"
    MIXING_ENGINEER = "MixingEngineer", "Mixing engineer"
    MASTERING_ENGINEER = "MasteringEngineer", "Mastering engineer"
    RECORDING_ENGINEER = "RecordingEngineer", "Recording engineer"
    COMPOSER = "Composer", "Composer"
    LYRICIST = "Lyricist", "Lyricist"
    ARRANGER = "Arranger", "Arranger"
    MUSICIAN = "Musician", "Musician"
    VOCALIST = "Vocalist", "Vocalist"
    BACKGROUND_VOCALIST = "BackgroundVocalist", "Background vocalist"
    SOLOIST = "Soloist", "Soloist"
    CONDUCTOR = "Conductor", "Conductor"
    ORCHESTRA = "Orchestra", "Orchestra"
    CHOIR = "Choir", "Choir"
    ENSEMBLE = "Ensemble", "Ensemble"
    REMIXER = "Remixer", "Remixer"
    ENGINEER = "Engineer", "Engineer"


class Credit(models.Model):
    """A person credited on a release or on one of its tracks, in a DDEX role."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="credits")
    track = models.ForeignKey(
        Track, null=True, blank=True, on_delete=models.CASCADE, related_name="credits"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="credits")
    role = models.CharField(max_length=30, choices=CreditRole.choices)
    instrument = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["release_id", "track_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "track", "person", "role"], name="credit_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_role_display()}"


class Split(models.Model):
    """A writer's or publisher's share of a track; a track's shares of each kind sum to 100."""

    class Kind(models.TextChoices):
        WRITER = "writer", "Writer"
        PUBLISHER = "publisher", "Publisher"

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="splits")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    party = models.CharField(max_length=200, help_text="Legal name of the writer or publisher.")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="splits"
    )
    share = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(100))],
    )

    class Meta:
        ordering = ["track_id", "kind", "-share", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(share__gt=0) & Q(share__lte=100), name="split_share_in_range"
            ),
            models.UniqueConstraint(fields=["track", "kind", "party"], name="split_unique_party"),
        ]

    def __str__(self) -> str:
        return f"{self.party}: {self.share} % ({self.kind})"


class Artwork(models.Model):
    """A release's cover art, kept only after its content passed the checks (releases.artwork)."""

    release = models.OneToOneField(Release, on_delete=models.CASCADE, related_name="artwork")
    image = models.FileField(upload_to="artwork/%Y/")
    thumbnail = models.FileField(upload_to="artwork/thumbs/%Y/")
    format = models.CharField(max_length=10)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    warnings = models.JSONField(default=list, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "artwork"

    def __str__(self) -> str:
        return f"Cover of {self.release}"


class Master(StoredAudio):
    """A track's master file, kept only after it decoded whole (songs.audio.probe)."""

    track = models.OneToOneField(Track, on_delete=models.CASCADE, related_name="master")
    file = models.FileField(upload_to="masters/%Y/", max_length=255)
    # Measured with the other loudness figures (songs.models.stored_audio), for masters only.
    loudness_range_lu = models.FloatField(null=True, blank=True)
    uploaded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Master of {self.track}"

    @property
    def resolution(self) -> str:
        kind = "float" if self.is_float else "bit"
        return f"{self.sample_rate / 1000:g} kHz / {self.bit_depth}-{kind}"


class RenderStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class RenderJob(models.Model):
    """One render of a release's tracks into its targets: a task per track."""

    Status = RenderStatus  # FAILED: at least one track failed; the others finished

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="render_jobs")
    targets = models.JSONField(default=default_targets)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    log = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Render {self.pk} of {self.release}"


class RenderTask(models.Model):
    """A track's part of a render job; its status is the job's progress."""

    Status = RenderStatus

    FINAL = (Status.DONE, Status.FAILED, Status.CANCELLED)

    job = models.ForeignKey(RenderJob, on_delete=models.CASCADE, related_name="tasks")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="render_tasks")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    message = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job_id", "track__disc", "track__position"]
        constraints = [
            models.UniqueConstraint(fields=["job", "track"], name="rendertask_unique_track"),
        ]

    def __str__(self) -> str:
        return f"{self.track} in {self.job}"


class Deliverable(models.Model):
    """A rendered, tagged file of a track in one target. A row exists only for a whole file:
    it is written under a temporary name and renamed before the row is saved."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="deliverables")
    target = models.CharField(max_length=10, choices=Target.choices)
    file = models.FileField(max_length=255)
    # What was rendered: the master's digest, the target's settings, the tags and the renderer.
    # The same key again is not rendered again.
    key = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    md5 = models.CharField(max_length=32)
    sample_rate = models.PositiveIntegerField()
    bit_depth = models.PositiveSmallIntegerField(null=True, blank=True)
    bitrate = models.PositiveIntegerField(null=True, blank=True)
    rendered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["track__disc", "track__position", "target"]
        constraints = [
            models.UniqueConstraint(fields=["track", "target"], name="deliverable_unique_target"),
        ]

    def __str__(self) -> str:
        return f"{self.track} ({self.target})"


__all__ = [
    "Artwork",
    "Credit",
    "CreditRole",
    "Deliverable",
    "IsrcPrefix",
    "IsrcRegistrant",
    "Master",
    "Release",
    "RenderJob",
    "RenderStatus",
    "RenderTask",
    "Split",
    "Target",
    "Track",
]
