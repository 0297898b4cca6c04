"""Readiness: every metadata rule a distributor rejects on, as a clear message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Prefetch, QuerySet

from core.users import AnyUser
from core.validators import control_characters, validator_for
from projects.permissions import projects_visible
from releases.models import Artwork, Credit, CreditRole, Master, Release, Split, Track


def releases_visible(user: AnyUser) -> QuerySet[Release]:
    """The releases of the user's projects."""
    return Release.objects.filter(project__in=projects_visible(user))


def tracks_visible(user: AnyUser) -> QuerySet[Track]:
    """The tracks of the releases of the user's projects."""
    return Track.objects.filter(release__project__in=projects_visible(user))


def release_tracks(release: Release) -> QuerySet[Track]:
    """A release's tracks with what readiness, tags and the pages read of them."""
    return release.tracks.select_related("master").prefetch_related(
        Prefetch("credits", queryset=Credit.objects.select_related("person")),
        Prefetch("splits", queryset=Split.objects.all()),
    )


def artist_display_name(main: str, featured: Sequence[str]) -> str:
    """How stores and players print an artist with guests: "A feat. B", "A feat. B & C",
    "A feat. B, C & D" (each name once, the main artist never as a guest of itself)."""
    guests = [name for name in dict.fromkeys(featured) if name and name != main]
    if not guests:
        return main
    if len(guests) == 1:
        return f"{main} feat. {guests[0]}"
    return f"{main} feat. {', '.join(guests[:-1])} & {guests[-1]}"


def featured_artists(release: Release, track: Track | None = None) -> list[str]:
    """Featured artists' names, the release's first, then the track's; reads prefetched
    credits (`release.credits` and `track.credits`) when the caller loaded them."""
    names = [
        c.person.name
        for c in release.credits.all()
        if c.role == CreditRole.FEATURED_ARTIST and c.track_id is None
    ]
    if track is not None:
        names += [
            c.person.name for c in track.credits.all() if c.role == CreditRole.FEATURED_ARTIST
        ]
    return list(dict.fromkeys(names))


@dataclass(frozen=True)
class Finding:
    level: str  # "blocking" or "warning"
    code: str
    message: str
    track: int | None = None


# Where on the release page each finding is fixed: a field id (the page's forms give release
# fields `field-<name>` and a track's `track-<id>-<name>`), the cover upload, a track's master
# upload, the credits editor or a track's writer shares. `{track}` is the finding's track id.
FIX_ANCHORS: dict[str, str] = {
    "missing_upc": "field-upc",
    "invalid_upc": "field-upc",
    "missing_p_line": "field-p_line_year",
    "missing_c_line": "field-c_line_year",
    "missing_release_date": "field-release_date",
    "missing_genre": "field-genre",
    "invalid_language": "field-language",
    "explicit_on_clean": "field-parental_warning",
    "missing_artwork": "field-cover",
    "artwork": "field-cover",
    "no_tracks": "new-track-title",
    "track_count": "new-track-title",
    "missing_isrc": "track-{track}-isrc",
    "invalid_isrc": "track-{track}-isrc",
    "duplicate_isrc": "track-{track}-isrc",
    "missing_lyricist": "credit-person",
    "missing_composer": "credit-person",
    "composer_legal_name": "credit-person",
    "writer_splits": "splits-{track}-writer",
    "control_characters": "track-{track}-title",
}
# Findings about a master are fixed by uploading another.
MASTER_CODES = frozenset(
    {"missing_master", "too_short", "sample_rate", "bit_depth", "not_stereo", "silent"}
    | {"loud", "quiet", "true_peak", "loudness_pending"}
)


def finding_anchor(finding: Finding) -> str:
    """The id of the page element that fixes the finding ("" when none does)."""
    if finding.code in MASTER_CODES and finding.track is not None:
        return f"master-{finding.track}"
    anchor = FIX_ANCHORS.get(finding.code, "")
    if "{track}" in anchor:
        if finding.track is None:
            # A release-wide control character is in one of the release's own fields.
            return "field-title" if finding.code == "control_characters" else ""
        return anchor.format(track=finding.track)
    return anchor


def _text_fields(obj: Any) -> list[tuple[str, str, bool]]:
    """(name, label, multi-line) of the model's text fields."""
    return [
        (field.name, str(field.verbose_name), validator_for(field).multiline)
        for field in obj._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
    ]


def control_character_findings(
    *, release: Release, tracks: Sequence[Track], release_credits: Sequence[Credit]
) -> list[Finding]:
    """Text stored with control characters before they were refused at the edge (or written
    around it): DDEX and tags cannot carry them, so each is a blocking finding naming the
    field. Reads the tracks' prefetched credits and persons; no query."""
    findings: list[Finding] = []

    def check(obj: Any, where: str, track: Track | None) -> None:
        for name, label, multiline in _text_fields(obj):
            value = getattr(obj, name)
            found = control_characters(value, multiline=multiline) if value else []
            if found:
                findings.append(
                    Finding(
                        "blocking",
                        "control_characters",
                        f"{where}: the {label} has control characters ({', '.join(found[:3])}); "
                        "remove them.",
                        track.pk if track is not None else None,
                    )
                )

    check(release, "The release", None)
    # Named by role, not by the text at fault: the message must not carry the characters.
    for credit in release_credits:
        where = f"The release, {credit.get_role_display().lower()}"
        check(credit.person, where, None)
        check(credit, where, None)
    for track in tracks:
        check(track, f"Track {track.position}", track)
        for credit in track.credits.all():
            where = f"Track {track.position}, {credit.get_role_display().lower()}"
            check(credit.person, where, track)
            check(credit, where, track)
    return findings


def release_credits_only(release: Release) -> list[Credit]:
    """The release-wide credits (not on one track), with their persons."""
    return list(Credit.objects.filter(release=release, track__isnull=True).select_related("person"))


def release_readiness(
    *,
    release: Release,
    tracks: list[Track] | None = None,
    release_credits: Sequence[Credit] | None = None,
) -> list[Finding]:
    """Blocking findings stop a delivery; warnings are worth a look. Five queries, or one when
    the caller gives the tracks (with master, credits and persons, splits) and the release-wide
    credits (with persons) and joined the release's artwork."""
    found = _Findings()
    if tracks is None:
        tracks = list(release_tracks(release))
    _release_findings(release, tracks, found)
    for track in tracks:
        _track_findings(release, track, found)
    if release_credits is None:
        release_credits = release_credits_only(release)
    found.findings += control_character_findings(
        release=release, tracks=tracks, release_credits=release_credits
    )
    # What a DDEX import could not keep as given, until the user fills the field in (the
    # services drop a flag when its field gets a value).
    for flag in release.import_warnings:
        found.findings.append(Finding("warning", flag["code"], flag["message"], flag.get("track")))
    return found.findings


class _Findings:
    """The findings so far, in the order they were found."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def block(self, code: str, message: str, track: Track | None = None) -> None:
        self.findings.append(Finding("blocking", code, message, track.pk if track else None))

    def warn(self, code: str, message: str, track: Track | None = None) -> None:
        self.findings.append(Finding("warning", code, message, track.pk if track else None))


def _release_findings(release: Release, tracks: list[Track], found: _Findings) -> None:
    """The release's own fields: barcode, ℗ and © lines, date, cover, genre, track count."""
    block, warn = found.block, found.warn
    if not release.upc:
        block("missing_upc", "The release has no UPC/EAN barcode.")
    if not (release.p_line_year and release.p_line_owner):
        block("missing_p_line", "The release has no ℗ line (year and owner of the recording).")
    if not (release.c_line_year and release.c_line_owner):
        block(
            "missing_c_line", "The release has no © line (year and owner of the artwork and text)."
        )
    if not release.release_date:
        block("missing_release_date", "The release has no release date.")
    try:
        artwork: Artwork | None = release.artwork  # loaded already when the caller joined it
    except Artwork.DoesNotExist:
        artwork = None
    if artwork is None:
        block("missing_artwork", "The release has no cover art.")
    else:
        for message in artwork.warnings:
            warn("artwork", message)
    if not release.genre:
        warn("missing_genre", "The release has no genre; stores file it under “Other”.")
    if not tracks:
        block("no_tracks", "The release has no tracks.")
    expected = {Release.Type.SINGLE: (1, 3), Release.Type.EP: (2, 7), Release.Type.ALBUM: (5, 200)}
    low, high = expected[Release.Type(release.type)]
    if tracks and not low <= len(tracks) <= high:
        warn(
            "track_count",
            f"A {release.get_type_display().lower()} usually has {low} to {high} tracks; "
            f"this one has {len(tracks)}.",
        )


def _track_findings(release: Release, track: Track, found: _Findings) -> None:
    """A track's ISRC, writer credits and their legal names, explicit flag, splits, master."""
    block, warn = found.block, found.warn
    if not track.isrc:
        block("missing_isrc", f"Track {track.position} “{track.title}” has no ISRC.", track)
    roles = {credit.role for credit in track.credits.all()}
    if not track.instrumental and CreditRole.LYRICIST not in roles:
        block(
            "missing_lyricist",
            f"Track {track.position} “{track.title}” has vocals but no lyricist credit.",
            track,
        )
    if CreditRole.COMPOSER not in roles:
        block(
            "missing_composer",
            f"Track {track.position} “{track.title}” has no composer credit.",
            track,
        )
    for credit in track.credits.all():
        if (
            credit.role in (CreditRole.COMPOSER, CreditRole.LYRICIST)
            and len(credit.person.name.split()) < 2
        ):
            block(
                "composer_legal_name",
                f"{credit.get_role_display()} “{credit.person.name}” on track "
                f"{track.position} needs a full legal name.",
                track,
            )
    if track.explicit and release.parental_warning != Release.ParentalWarning.EXPLICIT:
        block(
            "explicit_on_clean",
            f"Track {track.position} “{track.title}” is explicit on a release marked clean.",
            track,
        )
    writers = sum((s.share for s in track.splits.all() if s.kind == Split.Kind.WRITER), Decimal(0))
    if writers != Decimal(100):
        warn(
            "writer_splits",
            f"Writer shares of track {track.position} sum to {writers} %, not 100 %.",
            track,
        )
    master: Master | None = getattr(track, "master", None)
    if master is None:
        block("missing_master", f"Track {track.position} “{track.title}” has no master.", track)
        if track.duration_seconds is not None and track.duration_seconds < 30:
            block("too_short", f"Track {track.position} “{track.title}” is under 30 s.", track)
    else:
        _audio_findings(track, master, block, warn)


def _audio_findings(track: Track, master: Master, block: Any, warn: Any) -> None:
    """What stores refuse in a master, and loudness against the targets as warnings."""
    name = f"Track {track.position} “{track.title}”"
    if master.sample_rate < 44100:
        block(
            "sample_rate",
            f"{name}: the master is {master.sample_rate / 1000:g} kHz; stores take 44.1 kHz "
            "or more.",
            track,
        )
    if master.bit_depth < 16:
        block(
            "bit_depth",
            f"{name}: the master is {master.bit_depth}-bit; stores take 16-bit or more.",
            track,
        )
    if master.channels != 2:
        shape = "mono" if master.channels == 1 else f"{master.channels} channels"
        block("not_stereo", f"{name}: the master is {shape}; stores take stereo.", track)
    if master.duration < 30:
        block(
            "too_short",
            f"{name} is {master.duration:.1f} s long; stores take 30 s or more.",
            track,
        )
    if master.analysed_at is None:
        warn("loudness_pending", f"{name}: loudness is not measured yet.", track)
        return
    target = settings.RELEASES_LOUDNESS_TARGET_LUFS
    ceiling = settings.RELEASES_TRUE_PEAK_MAX_DBTP
    lufs, peak = master.integrated_lufs, master.true_peak_dbtp
    if lufs is None:
        block("silent", f"{name}: the master is silent.", track)
        return
    if lufs > target + 1:
        warn(
            "loud",
            f"{name} measures {lufs:.1f} LUFS, {lufs - target:.1f} LU above the {target:g} "
            "LUFS target: streaming services will turn it down.",
            track,
        )
    elif lufs < target - 1:
        warn(
            "quiet",
            f"{name} measures {lufs:.1f} LUFS, {target - lufs:.1f} LU below the {target:g} "
            "LUFS target.",
            track,
        )
    if peak is not None and peak > ceiling:
        warn(
            "true_peak",
            f"{name} peaks at {peak:+.1f} dBTP, above {ceiling:g} dBTP: lossy encodes may clip.",
            track,
        )
