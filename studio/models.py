"""The ground floor: people, projects and who works on them, studios, rooms and gear."""

from __future__ import annotations

import datetime
import secrets
import uuid
import zoneinfo
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from studio.money import validate_currency

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ZERO = Decimal("0")


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in _zone_names():
        raise ValidationError(
            "%(value)s is not an IANA time zone (for example Europe/Berlin).",
            code="invalid_time_zone",
            params={"value": value},
        )


def new_feed_secret() -> str:
    return secrets.token_urlsafe(32)


def money_field(**kwargs: object) -> models.DecimalField:
    """A non-negative amount in the currency of its parent."""
    return models.DecimalField(
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(ZERO)],
        **kwargs,  # type: ignore[arg-type]
    )


class Role(models.TextChoices):
    PRODUCER = "producer", "Producer"
    ENGINEER = "engineer", "Engineer"
    ARTIST = "artist", "Artist"
    MANAGER = "manager", "Manager"
    ACCOUNTANT = "accountant", "Accountant"
    VIEWER = "viewer", "Viewer"


class Person(models.Model):
    """A contact's identity: musician, engineer, artist, client. May have a login (``user``).

    A person is seen through the projects they are on: a producer's address book is the union
    of the people on the producer's projects. What each production knows about them (email,
    phone, instruments, notes) is that production's ``PersonCard``, never shared; being on a
    project is having a card there, so ``projects`` runs through the cards.
    """

    name = models.CharField(max_length=200)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    projects: models.ManyToManyField[Project, PersonCard] = models.ManyToManyField(
        "Project", blank=True, related_name="people", through="PersonCard"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name


class PersonCard(models.Model):
    """What one production knows about a person: how to reach them, what they play, notes.

    Invariant: one card per (project, person), and a card is read and written only through its
    project. A person on two productions has two cards that never see each other, so what
    production A wrote about someone is never readable or writable through production B. The
    person's identity (name, login) and what points at them (bookings, engagements, credits)
    stay on ``Person``.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="cards")
    project = models.ForeignKey("Project", on_delete=models.CASCADE, related_name="person_cards")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    instruments = models.CharField(
        max_length=300, blank=True, help_text="What they play, comma separated."
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project_id", "person_id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "person"], name="personcard_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} on {self.project}"


class Project(models.Model):
    """One production: an artist's album or single, from pre-production to release."""

    class Status(models.TextChoices):
        PLANNING = "planning", "Planning"
        PRE_PRODUCTION = "pre_production", "Pre-production"
        RECORDING = "recording", "Recording"
        MIXING = "mixing", "Mixing"
        MASTERING = "mastering", "Mastering"
        RELEASED = "released", "Released"
        ARCHIVED = "archived", "Archived"

    title = models.CharField(max_length=200)
    artist = models.CharField(max_length=200)
    client = models.CharField(
        max_length=200, blank=True, help_text="Who pays: a label, the artist."
    )
    currency = models.CharField(max_length=3, default="EUR", validators=[validate_currency])
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNING)
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True, help_text="Target delivery.")
    notes = models.TextField(blank=True)
    studios: models.ManyToManyField[Studio, Studio] = models.ManyToManyField(
        "Studio", blank=True, related_name="projects", help_text="Studios this production uses."
    )
    members: models.ManyToManyField[User, Membership] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="projects"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="project_currency_iso"
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(due_date__isnull=True)
                | Q(due_date__gte=models.F("start_date")),
                name="project_due_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.artist}: {self.title}"


class Membership(models.Model):
    """A user's role on a project. The role decides what they may do (studio.permissions)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set once the "you were added" email went out, so a retried task does not send it twice.
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["project_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_unique_user"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_known"),
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.role} on {self.project}"


class SongStage(models.TextChoices):
    """The board's columns, in the order a song passes them."""

    PRE_PRODUCTION = "pre_production", "Pre-production"
    TRACKING = "tracking", "Tracking"
    OVERDUBS = "overdubs", "Overdubs"
    EDITING = "editing", "Editing"
    MIXING = "mixing", "Mixing"
    MASTERING = "mastering", "Mastering"
    DONE = "done", "Done"


class Song(models.Model):
    """A song of a production, moved across the board from pre-production to done.

    Takes (sessions) and versions (releases) point at it. Its title is unique in the project,
    so a take logged by name finds its song. Every move is kept as a ``SongStageChange``.
    """

    Stage = SongStage

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="songs")
    title = models.CharField(max_length=200)
    working_title = models.CharField(max_length=200, blank=True)
    key = models.CharField(max_length=20, blank=True, help_text="For example A minor.")
    tempo = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("1"))],
        help_text="Beats per minute.",
    )
    writers: models.ManyToManyField[Person, Person] = models.ManyToManyField(
        Person, blank=True, related_name="songs_written"
    )
    notes = models.TextField(blank=True)
    stage = models.CharField(
        max_length=20, choices=SongStage.choices, default=SongStage.PRE_PRODUCTION
    )
    due_date = models.DateField(null=True, blank=True)
    holder = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="songs_held",
        help_text="Who has the song now (the mixer, the mastering engineer...).",
    )
    position = models.PositiveIntegerField(default=0, help_text="Order within its column.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project_id", "position", "title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "title"], name="song_unique_title"),
            models.CheckConstraint(
                condition=Q(stage__in=SongStage.values), name="song_stage_known"
            ),
            models.CheckConstraint(
                condition=Q(tempo__isnull=True) | Q(tempo__gt=0), name="song_tempo_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_late(self, today: datetime.date) -> bool:
        """Past its due date and not done."""
        return self.due_date is not None and self.due_date < today and self.stage != SongStage.DONE


class SongStageChange(models.Model):
    """A song moved from one stage to another: who, when, from, to. Never edited."""

    song = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="stage_changes")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="song_stage_changes",
    )
    at = models.DateTimeField(auto_now_add=True)
    from_stage = models.CharField(max_length=20, choices=SongStage.choices)
    to_stage = models.CharField(max_length=20, choices=SongStage.choices)

    class Meta:
        ordering = ["song_id", "at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_stage=models.F("to_stage")), name="song_change_moves"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.song}: {self.from_stage} to {self.to_stage}"


def default_cancellation_tiers() -> list[dict[str, int]]:
    """More than 14 days' notice costs nothing, 3 to 14 days half, under 3 days all."""
    return [
        {"min_days": 14, "percent": 0},
        {"min_days": 3, "percent": 50},
        {"min_days": 0, "percent": 100},
    ]


def validate_cancellation_tiers(value: object) -> None:
    message = (
        'A list of {"min_days": int, "percent": 0-100}, from most notice to least, '
        "ending at 0 days."
    )
    if not isinstance(value, list) or not value:
        raise ValidationError(message, code="invalid_tiers")
    previous = None
    for tier in value:
        if (
            not isinstance(tier, dict)
            or set(tier) != {"min_days", "percent"}
            or not all(isinstance(tier[k], int) and not isinstance(tier[k], bool) for k in tier)
            or not 0 <= tier["percent"] <= 100
            or tier["min_days"] < 0
            or (previous is not None and tier["min_days"] >= previous)
        ):
            raise ValidationError(message, code="invalid_tiers")
        previous = tier["min_days"]
    if previous != 0:
        raise ValidationError(message, code="invalid_tiers")


class Studio(models.Model):
    """A facility with rooms and gear. Its time zone decides what "that day" means."""

    name = models.CharField(max_length=200, unique=True)
    address = models.TextField(blank=True)
    time_zone = models.CharField(
        max_length=64, validators=[validate_time_zone], help_text="IANA zone, e.g. Europe/Berlin."
    )
    currency = models.CharField(max_length=3, default="EUR", validators=[validate_currency])
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="managed_studios",
        help_text="Staff who may change the studio, its rooms and gear.",
    )
    # Booking policy.
    hold_hours = models.PositiveIntegerField(
        default=168, help_text="How long a new hold lasts unless it says otherwise (hours)."
    )
    challenge_hours = models.PositiveIntegerField(
        default=24, help_text="Time a challenged 1st hold has to confirm or release (hours)."
    )
    max_booking_hours = models.PositiveIntegerField(
        default=24, help_text="The longest single booking (hours)."
    )
    cancellation_tiers = models.JSONField(
        default=default_cancellation_tiers,
        validators=[validate_cancellation_tiers],
        help_text='Fee by notice: [{"min_days": 14, "percent": 0}, ...], most notice first.',
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hold_hours__gte=1)
                & Q(challenge_hours__gte=1)
                & Q(max_booking_hours__gte=1)
                & Q(max_booking_hours__lte=24 * 31),
                name="studio_policy_sane",
            ),
            # The full IANA list lives in Python (it changes with tzdata); the database refuses
            # at least what can never be a zone name.
            models.CheckConstraint(
                condition=Q(time_zone__regex=r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$"),
                name="studio_time_zone_shape",
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="studio_currency_iso"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Room(models.Model):
    """A bookable room and its rate card.

    Half-day and day (lockout) are blocks of hours at a flat rate; time past the lockout is
    overtime, billed in units of ``overtime_unit_minutes`` at the hourly rate times
    ``overtime_multiplier``.
    """

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    capacity = models.PositiveSmallIntegerField(default=1, help_text="Players at once.")
    hourly_rate = money_field()
    half_day_hours = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("5"))
    half_day_rate = money_field()
    day_hours = models.DecimalField(
        max_digits=4, decimal_places=2, default=Decimal("10"), help_text="Lockout length."
    )
    day_rate = money_field()
    overtime_unit_minutes = models.PositiveSmallIntegerField(default=30)
    overtime_multiplier = models.DecimalField(
        max_digits=4, decimal_places=2, default=Decimal("1.5")
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["studio_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["studio", "name"], name="room_unique_name"),
            models.CheckConstraint(
                condition=Q(hourly_rate__gte=0) & Q(half_day_rate__gte=0) & Q(day_rate__gte=0),
                name="room_rates_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(half_day_hours__gt=0)
                & Q(day_hours__gt=0)
                & Q(half_day_hours__lte=models.F("day_hours"))
                & Q(day_hours__lte=24),
                name="room_block_hours_sane",
            ),
            models.CheckConstraint(
                condition=Q(overtime_unit_minutes__gte=1) & Q(overtime_unit_minutes__lte=240),
                name="room_overtime_unit_sane",
            ),
            models.CheckConstraint(
                condition=Q(overtime_multiplier__gte=1), name="room_overtime_multiplier_min"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.studio.name} / {self.name}"

    def clean(self) -> None:
        if self.half_day_hours and self.day_hours and self.half_day_hours > self.day_hours:
            raise ValidationError({"half_day_hours": "A half day cannot be longer than a day."})


class Gear(models.Model):
    """An item in a studio's inventory, optionally kept in one room, rentable by the day."""

    class Category(models.TextChoices):
        MICROPHONE = "microphone", "Microphone"
        PREAMP = "preamp", "Preamp"
        OUTBOARD = "outboard", "Outboard"
        INSTRUMENT = "instrument", "Instrument"
        AMPLIFIER = "amplifier", "Amplifier"
        MONITOR = "monitor", "Monitor"
        RECORDER = "recorder", "Recorder"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        AVAILABLE = "available", "Available"
        NEEDS_SERVICE = "needs_service", "Needs service"
        IN_REPAIR = "in_repair", "In repair"
        RETIRED = "retired", "Retired"

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="gear")
    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.SET_NULL, related_name="gear"
    )
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.OTHER)
    make = models.CharField(max_length=100, blank=True)
    model = models.CharField(max_length=100, blank=True)
    serial_number = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AVAILABLE)
    day_rate = money_field(default=ZERO)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["studio_id", "category", "name", "id"]
        verbose_name_plural = "gear"
        constraints = [
            models.CheckConstraint(condition=Q(day_rate__gte=0), name="gear_day_rate_not_negative"),
            models.UniqueConstraint(
                fields=["studio", "serial_number"],
                condition=~Q(serial_number=""),
                name="gear_unique_serial",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.room_id is not None
            and self.room is not None
            and self.room.studio_id != self.studio_id
        ):
            raise ValidationError({"room": "The room belongs to another studio."})


class Booking(models.Model):
    """A room on the calendar for a project: a hold, a confirmed booking, or a cancelled one.

    Invariants: ``end`` is after ``start`` (both aware, stored in UTC); two confirmed bookings of
    one room never overlap (an exclusion constraint on PostgreSQL, migration 0003; the booking
    service serializes check and write everywhere); ``quoted_amount`` is frozen when confirmed;
    ``sequence`` grows with every change a calendar client should see.
    """

    class Status(models.TextChoices):
        HOLD_1 = "hold_1", "1st hold"
        HOLD_2 = "hold_2", "2nd hold"
        CONFIRMED = "confirmed", "Confirmed"
        CANCELLED = "cancelled", "Cancelled"

    class Ending(models.TextChoices):
        RELEASED = "released", "Hold released"
        EXPIRED = "expired", "Hold expired"
        CANCELLED = "cancelled", "Cancelled"

    HOLDS = (Status.HOLD_1, Status.HOLD_2)
    ACTIVE = (Status.HOLD_1, Status.HOLD_2, Status.CONFIRMED)

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="bookings")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="bookings")
    title = models.CharField(max_length=200, blank=True)
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HOLD_1)
    engineer = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="engineered"
    )
    gear = models.ManyToManyField(Gear, blank=True, related_name="bookings")
    notes = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="When a hold lapses.")
    challenged_at = models.DateTimeField(null=True, blank=True)
    quoted_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    quote_lines = models.JSONField(default=list, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    ending = models.CharField(max_length=10, choices=Ending.choices, blank=True)
    cancellation_fee = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    series = models.UUIDField(null=True, blank=True, db_index=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["room", "start", "end"], name="booking_room_time")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="booking_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(quoted_amount__isnull=True) | Q(quoted_amount__gte=0),
                name="booking_quote_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(cancellation_fee__isnull=True) | Q(cancellation_fee__gte=0),
                name="booking_fee_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(quoted_amount__isnull=False),
                name="booking_confirmed_has_quote",
            ),
        ]

    def __str__(self) -> str:
        local = self.start.astimezone(self.room.studio.zone)
        return f"{self.room} {local:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def is_hold(self) -> bool:
        return self.status in self.HOLDS


class FeedToken(models.Model):
    """A secret calendar-feed address for one person, room, studio or project.

    The token is the only credential a calendar app sends, so it is long, random, revocable and
    rotatable; what a feed shows is still limited to what its owner may see now.
    """

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ROOM = "room", "Room"
        STUDIO = "studio", "Studio"
        PROJECT = "project", "Project"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE)
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.CASCADE)
    studio = models.ForeignKey(Studio, null=True, blank=True, on_delete=models.CASCADE)
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE)
    token = models.CharField(max_length=64, unique=True, default=new_feed_secret, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Exactly the target its kind names is set.
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="person",
                        person__isnull=False,
                        room__isnull=True,
                        studio__isnull=True,
                        project__isnull=True,
                    )
                    | Q(
                        kind="room",
                        person__isnull=True,
                        room__isnull=False,
                        studio__isnull=True,
                        project__isnull=True,
                    )
                    | Q(
                        kind="studio",
                        person__isnull=True,
                        room__isnull=True,
                        studio__isnull=False,
                        project__isnull=True,
                    )
                    | Q(
                        kind="project",
                        person__isnull=True,
                        room__isnull=True,
                        studio__isnull=True,
                        project__isnull=False,
                    )
                ),
                name="feedtoken_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} feed of {self.target}"

    @property
    def target(self) -> Person | Room | Studio | Project | None:
        return getattr(self, self.kind)
