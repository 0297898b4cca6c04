"""Writes with rules for releases: identifiers, ISRC allocation, splits, cover art, imports."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Case, Q, QuerySet, Value, When
from django.utils import timezone

from core.details import assign_details
from core.errors import Conflict
from projects.models import Person, Project
from projects.permissions import Capability, roles_with
from releases.artwork import inspect_art
from releases.ddex import ParsedRelease, ParsedTrack
from releases.identifiers import normalize_isrc, normalize_iswc, normalize_upc
from releases.models import (
    Artwork,
    Credit,
    Deliverable,
    IsrcPrefix,
    IsrcRegistrant,
    Master,
    Release,
    Split,
    Track,
    language_code,
)
from songs.models import Song
from studio.models import Studio


class ReleaseDetails(TypedDict, total=False):
    """What a caller may set on a release; the service checks and normalises it."""

    project: Project
    type: str
    title: str
    version: str
    display_artist: str
    label: str
    catalog_number: str
    upc: str
    release_date: datetime.date | None
    original_release_date: datetime.date | None
    genre: str
    language: str
    p_line_year: int | None
    p_line_owner: str
    c_line_year: int | None
    c_line_owner: str
    parental_warning: str
    targets: list[str]


class TrackDetails(TypedDict, total=False):
    """What a caller may set on a track; the service checks and normalises it."""

    release: Release
    disc: int
    position: int
    title: str
    version: str
    isrc: str
    iswc: str
    duration_seconds: int | None
    explicit: bool
    instrumental: bool
    language: str
    song: Song | None


def _normalized(fields: dict[str, Any], name: str, normalize: Any) -> None:
    if fields.get(name):
        try:
            fields[name] = normalize(fields[name])
        except ValidationError as error:
            raise ValidationError({name: error.messages}) from error


@transaction.atomic
def release_save(*, release: Release | None = None, **details: Unpack[ReleaseDetails]) -> Release:
    """Create or change a release: the barcode normalised to its EAN-13 and unique, every
    field checked by the model. A flag an import left on a field goes once it is filled."""
    fields: dict[str, Any] = dict(details)
    _normalized(fields, "upc", normalize_upc)
    upc = fields.get("upc")
    others = (
        Release.objects.exclude(pk=release.pk) if release is not None else Release.objects.all()
    )
    if upc and others.filter(upc=upc).exists():
        raise ValidationError({"upc": f"Another release already has the barcode {upc}."})
    release = release or Release()
    assign_details(release, fields, ReleaseDetails)
    release.full_clean()
    release.save()
    if release.import_warnings:
        _clear_import_warnings(release, fields, None)
    return release


@transaction.atomic
def track_save(*, track: Track | None = None, **details: Unpack[TrackDetails]) -> Track:
    """Create or change a track: ISRC and ISWC normalised and checked, the ISRC unique in the
    catalogue and the position free on its disc (a refusal names the field)."""
    fields: dict[str, Any] = dict(details)
    _normalized(fields, "isrc", normalize_isrc)
    _normalized(fields, "iswc", normalize_iswc)
    isrc = fields.get("isrc")
    if isrc:
        others = Track.objects.exclude(pk=track.pk) if track is not None else Track.objects.all()
        taken = others.filter(isrc=isrc).select_related("release").first()
        if taken is not None:
            raise ValidationError({"isrc": f"{isrc} already names “{taken}” on {taken.release}."})
    track = track or Track()
    assign_details(track, fields, TrackDetails)
    if track.song is not None and track.song.project_id != track.release.project_id:
        raise ValidationError({"song": "A song of the release's project."})
    taken_place = Track.objects.filter(
        release_id=track.release_id, disc=track.disc, position=track.position
    ).exclude(pk=track.pk)
    if track.release_id is not None and taken_place.exists():
        raise ValidationError(
            {"position": f"Disc {track.disc} already has a track {track.position}."}
        )
    track.full_clean()
    track.save()
    if track.release.import_warnings:
        _clear_import_warnings(track.release, fields, track)
    return track


@transaction.atomic
def credit_save(*, credit: Credit | None = None, **fields: Any) -> Credit:
    """Credit a person on a release, or on one of its tracks, in a role; once per place."""
    credit = credit or Credit()
    for name, value in fields.items():
        setattr(credit, name, value)
    if credit.track is not None and credit.track.release_id != credit.release_id:
        raise ValidationError({"track": "The track is on another release."})
    duplicate = Credit.objects.filter(
        release=credit.release, track=credit.track, person=credit.person, role=credit.role
    ).exclude(pk=credit.pk)
    if duplicate.exists():
        raise ValidationError({"role": f"{credit.person} already has this credit here."})
    credit.full_clean(validate_constraints=False)  # the track may be null: checked above
    credit.save()
    return credit


@transaction.atomic
def credit_delete(*, credit: Credit) -> None:
    """Remove a credit. Nothing refuses it: readiness then reports a role a distributor
    wants (a composer, a vocal track's lyricist) as missing, before delivery."""
    credit.delete()


def isrc_allocate(*, track: Track, country: str, registrant: str) -> Track:
    """Give the track the next ISRC of the registrant for this year; numbers are never reused.

    The track row is locked and read again before a number is taken: two allocations for one
    track at once would otherwise both pass the check and use up two codes, the first lost. The
    registrant row is locked while the number is taken, so two tracks at once get two numbers."""
    if track.isrc:
        raise Conflict(f"{track} already has the ISRC {track.isrc}.", code="has_isrc")
    country, registrant = country.upper(), registrant.upper()
    year = timezone.localdate().year % 100
    try:
        normalize_isrc(f"{country}{registrant}{year:02d}00001")
    except ValidationError as error:
        raise ValidationError(
            {"registrant": "Country (2 letters) and registrant (3) are not valid."}
        ) from error
    try:
        with transaction.atomic():
            IsrcRegistrant.objects.get_or_create(country=country, registrant=registrant, year=year)
    except IntegrityError:
        pass  # made at the same moment by another allocation
    with transaction.atomic():
        # Track first, then registrant: every allocation takes the locks in this order.
        locked = Track.objects.select_for_update().get(pk=track.pk)
        if locked.isrc:
            raise Conflict(f"{locked} already has the ISRC {locked.isrc}.", code="has_isrc")
        prefix = IsrcRegistrant.objects.select_for_update().get(
            country=country, registrant=registrant, year=year
        )
        if prefix.last_number >= 99999:
            raise Conflict(f"{prefix} has given all 99,999 numbers of the year.", code="exhausted")
        prefix.last_number += 1
        prefix.save(update_fields=["last_number"])
        locked.isrc = f"{country}{registrant}{year:02d}{prefix.last_number:05d}"
        locked.save(update_fields=["isrc"])
    return locked


def isrc_prefixes_for(*, label: Any, project: Any) -> QuerySet[IsrcPrefix]:
    """The prefixes a release may allocate from, its label's first, then its studios'.
    ``label`` and ``project`` are values or expressions (``OuterRef``), so the page can read
    the prefix in the release's own query. A label's prefix counts only where its keeper
    edits releases: a label is free text anyone may type."""
    editors = roles_with(Capability.RELEASES_MANAGE)
    by_label = Q(label=label) & ~Q(label="")
    by_label &= Q(kept_by__memberships__project=project, kept_by__memberships__role__in=editors)
    return (
        IsrcPrefix.objects.filter(by_label | Q(studio__projects=project))
        .annotate(rank=Case(When(label="", then=Value(1)), default=Value(0)))
        .order_by("rank", "pk")
    )


def isrc_prefix_for(*, release: Release) -> IsrcPrefix | None:
    """The registrant prefix this release's ISRCs come from, or None."""
    return isrc_prefixes_for(label=release.label, project=release.project_id).first()


@transaction.atomic
def isrc_prefix_save(
    *,
    name: str,
    country: str,
    registrant: str,
    studio: Studio | None = None,
    label: str = "",
    kept_by: Any = None,
) -> IsrcPrefix:
    """Keep a registrant prefix once for a studio or for a label (kept by ``kept_by``); saving
    again for the same owner changes its code. Numbers already given are never given again:
    they are counted per code and year in IsrcRegistrant."""
    country, registrant = country.strip().upper(), registrant.strip().upper()
    errors: dict[str, str] = {}
    if len(country) != 2 or not country.isalpha():
        errors["country"] = "Two letters: the ISO 3166 country code, e.g. DE."
    if len(registrant) != 3 or not registrant.isalnum():
        errors["registrant"] = "Three letters or digits, as your ISRC agency gave them."
    if not errors:
        try:
            normalize_isrc(f"{country}{registrant}0000001")
        except ValidationError:
            errors["country"] = f"{country} is not a country code an ISRC may start with."
    if errors:
        raise ValidationError(errors)
    if studio is None and not label:
        raise ValidationError({"label": "Give the release its label first."})
    if studio is not None:
        prefix = IsrcPrefix.objects.filter(studio=studio).first() or IsrcPrefix(studio=studio)
    else:
        prefix = IsrcPrefix.objects.filter(label=label, kept_by=kept_by).first() or IsrcPrefix(
            label=label, kept_by=kept_by
        )
    prefix.name, prefix.country, prefix.registrant = name.strip(), country, registrant
    prefix.full_clean()
    prefix.save()
    return prefix


def isrc_allocate_from_prefix(*, track: Track) -> Track:
    """The next ISRC of the prefix kept for the track's label or studio (see isrc_allocate
    for the locks); refused, naming the field, when no prefix is kept."""
    prefix = isrc_prefix_for(release=track.release)
    if prefix is None:
        raise ValidationError(
            {
                "isrc": "No registrant prefix is kept for this release's label or studio: "
                "keep one under “ISRC registrant prefix” first."
            }
        )
    return isrc_allocate(track=track, country=prefix.country, registrant=prefix.registrant)


@transaction.atomic
def splits_set(*, track: Track, kind: str, shares: list[dict[str, Any]]) -> list[Split]:
    """Replace a track's writer (or publisher) shares; they must sum to exactly 100 %."""
    if kind not in Split.Kind.values:
        raise ValidationError({"kind": "writer or publisher."})
    parties = [str(share["party"]).strip() for share in shares]
    if not shares or any(not party for party in parties):
        raise ValidationError({"shares": "Name each party, at least one."})
    if len(set(parties)) != len(parties):
        raise ValidationError({"shares": "Each party once."})
    for number, share in enumerate(shares, start=1):
        # NaN, sNaN and Infinity parse as Decimals; sNaN then raises in the sum below.
        try:
            value = Decimal(share["share"])
        except (InvalidOperation, TypeError, ValueError):
            value = Decimal("NaN")
        if not value.is_finite():
            raise ValidationError({"shares": f"Share {number} is not a number."})
    total = sum((Decimal(share["share"]) for share in shares), Decimal(0))
    if total != Decimal(100):
        raise ValidationError({"shares": f"The {kind} shares sum to {total} %, not 100 %."})
    Split.objects.filter(track=track, kind=kind).delete()
    created = []
    for share, party in zip(shares, parties, strict=True):
        split = Split(
            track=track, kind=kind, party=party, person=share.get("person"), share=share["share"]
        )
        split.full_clean()
        split.save()
        created.append(split)
    return created


def _import_warning(
    code: str, message: str, *, field: str, value: str = "", track: Track | None = None
) -> dict[str, Any]:
    return {
        "code": code,
        "field": field,
        "value": value,
        "message": message,
        "track": track.pk if track is not None else None,
    }


def _checked(
    value: str, normalize: Any, *, field: str, what: str, warnings: list[dict[str, Any]]
) -> str:
    """The identifier in its compact form, or empty with a warning: a message carrying a wrong
    check digit still imports, and the user fixes the one field."""
    if not value:
        return ""
    try:
        return str(normalize(value))
    except ValidationError as error:
        warnings.append(
            _import_warning(
                f"invalid_{field}",
                f"The message's {what} {value!r} is not valid ({' '.join(error.messages)}); "
                "it was left empty: enter the right one.",
                field=field,
                value=value,
            )
        )
        return ""


def _language(value: str, *, where: str, warnings: list[dict[str, Any]]) -> str:
    """An ISO 639 code as we keep it; DDEX may add a script ("ja-Jpan"), which we drop."""
    for candidate in (value, value.split("-")[0]):
        try:
            language_code(candidate)
        except ValidationError:
            continue
        return candidate
    if value:
        warnings.append(
            _import_warning(
                "invalid_language",
                f"The language {value!r} of {where} is not an ISO 639 code; left empty.",
                field="language",
                value=value,
            )
        )
    return ""


@transaction.atomic
def release_import(*, project: Project, parsed: ParsedRelease) -> Release:
    """A draft release from a parsed DDEX message: tracks, ISRCs, artists and credits, lines,
    dates, languages and versions.

    A barcode, ISRC or language that fails its check is left empty and flagged in
    `import_warnings` (readiness shows them) rather than refusing the message; a barcode or
    ISRC that is valid but already in the catalogue stops the import, all or nothing."""
    warnings: list[dict[str, Any]] = []
    release = _imported_release(project, parsed, warnings)
    people = _ImportedPeople(project)
    for credit in parsed.credits:
        Credit.objects.create(
            release=release,
            person=people.named(credit.name),
            role=credit.role,
            instrument=credit.instrument[:100],
        )
    # The parser's warnings name tracks by their index in the message; ours by id.
    created: list[Track] = []
    seen_isrcs: set[str] = set()
    for parsed_track in parsed.tracks:
        track = _imported_track(release, parsed_track, seen_isrcs, people, warnings)
        created.append(track)
    for warning in parsed.warnings:
        index = warning.get("track")
        track_of = created[index] if isinstance(index, int) and index < len(created) else None
        warnings.append({**warning, "track": track_of.pk if track_of is not None else None})
    if warnings:
        release.import_warnings = warnings
        release.save(update_fields=["import_warnings"])
    return release


def _imported_release(
    project: Project, parsed: ParsedRelease, warnings: list[dict[str, Any]]
) -> Release:
    """The release's own fields, cut to their columns, barcode and language checked."""
    return release_save(
        project=project,
        type=parsed.type,
        title=parsed.title[:300] or "Untitled",
        version=parsed.version[:200],
        display_artist=parsed.display_artist[:300] or "Unknown artist",
        # An ICPN may come as a GTIN-14 with a leading zero; we keep the EAN-13.
        upc=_checked(
            parsed.upc[1:] if len(parsed.upc) == 14 and parsed.upc.startswith("0") else parsed.upc,
            normalize_upc,
            field="upc",
            what="barcode (UPC/EAN)",
            warnings=warnings,
        ),
        catalog_number=parsed.catalog_number[:50],
        label=parsed.label[:200],
        genre=parsed.genre[:100],
        language=_language(parsed.language, where="the release", warnings=warnings),
        release_date=parsed.release_date,
        original_release_date=parsed.original_release_date,
        p_line_year=parsed.p_line_year,
        p_line_owner=parsed.p_line_owner[:200],
        c_line_year=parsed.c_line_year,
        c_line_owner=parsed.c_line_owner[:200],
        parental_warning=parsed.parental_warning,
    )


class _ImportedPeople:
    """The credited people by name: the project's contact of that name, or a new one."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.by_name: dict[str, Person] = {}

    def named(self, name: str) -> Person:
        if name not in self.by_name:
            found = Person.objects.filter(name=name, projects=self.project).first()
            if found is None:
                found = Person.objects.create(name=name[:200])
                found.projects.add(self.project)
            self.by_name[name] = found
        return self.by_name[name]


def _imported_track(
    release: Release,
    parsed_track: ParsedTrack,
    seen_isrcs: set[str],
    people: _ImportedPeople,
    warnings: list[dict[str, Any]],
) -> Track:
    """One track with its credits; an ISRC that fails its check or repeats an earlier track's
    is left empty and flagged (the flag names the track)."""
    where = f"track {parsed_track.position} “{parsed_track.title}”"
    track_warnings: list[dict[str, Any]] = []
    isrc = _checked(
        parsed_track.isrc, normalize_isrc, field="isrc", what="ISRC", warnings=track_warnings
    )
    if isrc in seen_isrcs:
        track_warnings.append(
            _import_warning(
                "duplicate_isrc",
                f"The message gives {where} the ISRC {isrc} of an earlier track; it was "
                "left empty.",
                field="isrc",
                value=isrc,
            )
        )
        isrc = ""
    seen_isrcs.add(isrc)
    track = track_save(
        release=release,
        disc=parsed_track.disc,
        position=parsed_track.position,
        title=parsed_track.title[:300] or f"Track {parsed_track.position}",
        version=parsed_track.version[:200],
        isrc=isrc,
        duration_seconds=parsed_track.duration_seconds,
        explicit=parsed_track.explicit,
        instrumental=parsed_track.instrumental,
        language=_language(parsed_track.language, where=where, warnings=track_warnings),
    )
    for warning in track_warnings:
        warning["track"] = track.pk
        warning["message"] = f"Track {parsed_track.position}: {warning['message']}"
    warnings += track_warnings
    for credit in parsed_track.credits:
        Credit.objects.create(
            release=release,
            track=track,
            person=people.named(credit.name),
            role=credit.role,
            instrument=credit.instrument[:100],
        )
    return track


def _clear_import_warnings(release: Release, fields: dict[str, Any], track: Track | None) -> None:
    """A field the user filled in is no longer flagged."""
    filled = {name for name, value in fields.items() if value not in ("", None)}
    track_id = track.pk if track is not None else None
    kept = [
        w
        for w in release.import_warnings
        if not (w.get("field") in filled and w.get("track") == track_id)
    ]
    if len(kept) != len(release.import_warnings):
        release.import_warnings = kept
        release.save(update_fields=["import_warnings"])


@transaction.atomic
def artwork_set(*, release: Release, data: bytes, filename: str) -> Artwork:
    """Check the cover by its content, keep it with a thumbnail for the pages; replaces any
    earlier cover, whose files go once the new one is committed."""
    info = inspect_art(data)
    extension = "jpg" if info.format == "JPEG" else "png"
    artwork = Artwork.objects.filter(release=release).first() or Artwork(release=release)
    previous = [(f.storage, f.name) for f in (artwork.image, artwork.thumbnail) if f.name]
    artwork.format, artwork.width, artwork.height = info.format, info.width, info.height
    artwork.warnings = list(info.warnings)
    artwork.sha256 = hashlib.sha256(data).hexdigest()
    artwork.image.save(f"release-{release.pk}.{extension}", ContentFile(data), save=False)
    artwork.thumbnail.save(f"release-{release.pk}-600.jpg", ContentFile(info.thumbnail), save=False)
    try:
        artwork.save()
    except BaseException:
        # The row keeps the old files: the new copies must not stay behind.
        for field in (artwork.image, artwork.thumbnail):
            field.storage.delete(field.name)
        raise
    # The storage gave the new files fresh names; the old ones would stay on disk forever.
    # Deleted only after the commit, so a rollback still has the files its row names.
    kept = {artwork.image.name, artwork.thumbnail.name}
    _delete_after_commit([(storage, name) for storage, name in previous if name not in kept])
    return artwork


def _stored_files(tracks: list[Track]) -> list[tuple[Any, str]]:
    """(storage, name) of the files kept for these tracks: masters and deliverables."""
    files: list[tuple[Any, str]] = []
    for master in Master.objects.filter(track__in=tracks):
        files.append((master.file.storage, master.file.name))
    for deliverable in Deliverable.objects.filter(track__in=tracks):
        files.append((deliverable.file.storage, deliverable.file.name))
    return files


def _delete_after_commit(files: list[tuple[Any, str]]) -> None:
    def remove() -> None:
        for storage, name in files:
            if name:
                storage.delete(name)

    transaction.on_commit(remove)


@transaction.atomic
def track_delete(*, track: Track) -> None:
    """Delete a track with its credits, splits, master and deliverables; the files go once the
    rows are gone for good."""
    files = _stored_files([track])
    track.delete()
    _delete_after_commit(files)


@transaction.atomic
def deliverable_delete(*, deliverable: Deliverable) -> None:
    """Delete a rendered file's row; the file goes once the row is gone for good (a render
    makes it again)."""
    files = [(deliverable.file.storage, deliverable.file.name)]
    deliverable.delete()
    _delete_after_commit(files)


@transaction.atomic
def artwork_delete(*, artwork: Artwork) -> None:
    """Delete a release's cover; its image and thumbnail go once the row is gone for good."""
    files = [(f.storage, f.name) for f in (artwork.image, artwork.thumbnail)]
    artwork.delete()
    _delete_after_commit(files)


@transaction.atomic
def release_delete(*, release: Release) -> None:
    """Delete a release with its tracks and every file kept for it."""
    files = _stored_files(list(release.tracks.all()))
    artwork = Artwork.objects.filter(release=release).first()
    if artwork is not None:
        files += [(artwork.image.storage, artwork.image.name)]
        files += [(artwork.thumbnail.storage, artwork.thumbnail.name)]
    release.delete()
    _delete_after_commit(files)
