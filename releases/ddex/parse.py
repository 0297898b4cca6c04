"""An ERN 4.3 NewReleaseMessage read into plain data: the main release, its recordings, artists
and contributors, lines, dates and languages, with a warning for whatever has no place here.

Identifiers are passed on as written: the import service checks them (releases.identifiers)
and flags those that fail instead of refusing the message.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree

from releases.ddex.roles import instrument_in, roles_in
from releases.ddex.schema import text, validate
from releases.models import CreditRole, Release
from releases.selectors import artist_display_name

TYPES_IN = {
    "Single": Release.Type.SINGLE,
    "SingleResourceRelease": Release.Type.SINGLE,
    "EP": Release.Type.EP,
    "Album": Release.Type.ALBUM,
    "ClassicalAlbum": Release.Type.ALBUM,
}
WARNINGS_IN = {
    "Explicit": Release.ParentalWarning.EXPLICIT,
    "ExplicitContentEdited": Release.ParentalWarning.EDITED,
    "NotExplicit": Release.ParentalWarning.NOT_EXPLICIT,
    "NoAdviceAvailable": Release.ParentalWarning.NO_ADVICE,
}
_DURATION = re.compile(r"^P(?:(\d+)D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$")
# "(P) 1994 EMI Music Japan Inc.", "℗ 2015 Label", "2015 Label": the owner after mark and year.
_LINE = re.compile(r"^\s*(?:\((?:P|C)\)|℗|©)?\s*(?:(\d{4})\b)?\s*[,:-]?\s*(.*)$", re.IGNORECASE)


@dataclass
class ParsedCredit:
    name: str
    role: str  # a CreditRole value
    instrument: str = ""


@dataclass
class ParsedTrack:
    title: str
    isrc: str
    duration_seconds: int | None
    explicit: bool
    version: str = ""
    disc: int = 1
    position: int = 0
    instrumental: bool = False
    language: str = ""
    credits: list[ParsedCredit] = field(default_factory=list)


@dataclass
class ParsedRelease:
    type: str
    title: str
    display_artist: str
    upc: str
    label: str
    genre: str
    tracks: list[ParsedTrack]
    version: str = ""
    catalog_number: str = ""
    language: str = ""
    release_date: datetime.date | None = None
    original_release_date: datetime.date | None = None
    p_line_year: int | None = None
    p_line_owner: str = ""
    c_line_year: int | None = None
    c_line_owner: str = ""
    parental_warning: str = Release.ParentalWarning.NO_ADVICE
    credits: list[ParsedCredit] = field(default_factory=list)  # on the release, not a track
    # {"code", "field", "value", "message", "track" (its index in `tracks`, or None)}
    warnings: list[dict[str, object]] = field(default_factory=list)


def seconds(value: str) -> int | None:
    """An xs:duration in whole seconds, rounded half up: PT3M20.6S is 201, not 200."""
    match = _DURATION.match(value or "")
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, secs = (Decimal(part) if part else Decimal(0) for part in match.groups())
    total = ((days * 24 + hours) * 60 + minutes) * 60 + secs
    return int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _preferred(parent: etree._Element, tag: str) -> etree._Element | None:
    """Of an element given per territory or script, the one marked default, else the worldwide
    one without a script, else the first."""
    found = parent.findall(tag)
    for element in found:
        if element.get("IsDefault") == "true":
            return element
    for element in found:
        if element.get("ApplicableTerritoryCode") in (None, "Worldwide") and not element.get(
            "LanguageAndScriptCode"
        ):
            return element
    return found[0] if found else None


def _value(parent: etree._Element, tag: str) -> str:
    element = _preferred(parent, tag)
    return (element.text or "").strip() if element is not None else ""


def _title(parent: etree._Element) -> tuple[str, str]:
    """(title, version): the default DisplayTitle and its SubTitle, else DisplayTitleText."""
    display = _preferred(parent, "DisplayTitle")
    if display is None or not text(display, "TitleText"):
        return _value(parent, "DisplayTitleText"), ""
    versions = [
        (s.text or "").strip()
        for s in display.iterfind("SubTitle")
        if s.get("SubTitleType") != "Location" and (s.text or "").strip()
    ]
    return text(display, "TitleText"), " / ".join(versions)


class _Reader:
    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.warnings: list[dict[str, object]] = []
        self.names: dict[str, str] = {}
        for party in root.iterfind("PartyList/Party"):
            name = _preferred(party, "PartyName")
            self.names[text(party, "PartyReference")] = text(name, "FullName")

    def warn(
        self, code: str, message: str, *, field: str = "", value: str = "", track: int | None = None
    ) -> None:
        self.warnings.append(
            {"code": code, "field": field, "value": value, "message": message, "track": track}
        )

    def date(self, parent: etree._Element, tag: str, field: str) -> datetime.date | None:
        value = _value(parent, tag)
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.warn(
                f"partial_{field}",
                f"The message gives the {field.replace('_', ' ')} as {value!r}, not a whole "
                "date: enter the day.",
                field=field,
                value=value,
            )
            return None

    def line(self, parent: etree._Element, kind: str) -> tuple[int | None, str] | None:
        element = _preferred(parent, f"{kind}Line")
        if element is None:
            return None
        year_text = text(element, "Year")
        line_text = text(element, f"{kind}LineText")
        match = _LINE.match(line_text)
        owner = text(element, f"{kind}LineCompany") or (match.group(2).strip() if match else "")
        year = year_text or (match.group(1) if match and match.group(1) else "")
        return (int(year) if year.isdigit() else None, owner or line_text)

    def artists(
        self, parent: etree._Element, where: str, track: int | None = None
    ) -> list[ParsedCredit]:
        credits = []
        for artist in parent.iterfind("DisplayArtist"):
            name = self.names.get(text(artist, "ArtistPartyReference"), "")
            role = text(artist, "DisplayArtistRole")
            ours = roles_in(role)
            if not name:
                continue
            if not ours:
                self.warn(
                    "unknown_role",
                    f"{name} is {role} on {where}: not kept.",
                    value=role,
                    track=track,
                )
            credits += [ParsedCredit(name, our_role) for our_role in ours]
        return credits

    def contributors(
        self, recording: etree._Element, where: str, track: int | None = None
    ) -> list[ParsedCredit]:
        credits = []
        for contributor in recording.iterfind("Contributor"):
            name = self.names.get(text(contributor, "ContributorPartyReference"), "")
            if not name:
                continue
            instruments = ", ".join(
                instrument_in((i.text or "").strip(), i.get("UserDefinedValue", ""))
                for i in contributor.iterfind("InstrumentType")
            )
            roles = [
                (r.text or "").strip() if r.text != "UserDefined" else r.get("UserDefinedValue", "")
                for r in contributor.iterfind("Role")
            ]
            if not roles and instruments:
                roles = ["Musician"]  # a player named by instrument alone
            for role in roles:
                ours = roles_in(role)
                if not ours:
                    self.warn(
                        "unknown_role",
                        f"{name} is credited as {role or 'nothing'} on {where}: we have no "
                        "such role, the credit was not kept.",
                        value=role,
                        track=track,
                    )
                credits += [ParsedCredit(name, our_role, instruments) for our_role in ours]
        return credits


def _merged(credits: list[ParsedCredit], inherited: list[ParsedCredit]) -> list[ParsedCredit]:
    """Each (name, role) once, instruments of repeats joined; none given on the release."""
    skip = {(c.name, c.role) for c in inherited}
    kept: dict[tuple[str, str], ParsedCredit] = {}
    for credit in credits:
        key = (credit.name, credit.role)
        if key in skip:
            continue
        if key in kept:
            known = kept[key]
            extra = [i for i in credit.instrument.split(", ") if i and i not in known.instrument]
            known.instrument = ", ".join([known.instrument, *extra] if known.instrument else extra)
        else:
            kept[key] = ParsedCredit(credit.name, credit.role, credit.instrument)
    return list(kept.values())


def _group_items(group: etree._Element) -> list[tuple[int, int | None, str]]:
    """(disc, position or None, resource reference) in order: one sub-group per disc, or the
    items straight in the group."""
    subgroups = group.findall("ResourceGroup")
    if not subgroups:
        disc = max(1, int(text(group, "SequenceNumber") or 1))
        groups = [(disc, group)]
    else:
        groups = [
            (max(1, int(text(g, "SequenceNumber") or n)), g) for n, g in enumerate(subgroups, 1)
        ]
    items = []
    for disc, sub_group in groups:
        for item in sub_group.iterfind(".//ResourceGroupContentItem"):
            number = text(item, "SequenceNumber")
            items.append(
                (disc, int(number) if number else None, text(item, "ReleaseResourceReference"))
            )
    return items


def parse_message(document: etree._ElementTree) -> ParsedRelease:
    """The main release of a NewReleaseMessage (the first in its ReleaseList) with the sound
    recordings of its resource group. Raises ValueError for a message the schema refuses."""
    errors = validate(document)
    if errors:
        raise ValueError("Not a valid ERN 4.3 message: " + "; ".join(errors[:3]))
    root = document.getroot()
    reader = _Reader(root)
    release = root.find("ReleaseList/Release")
    if release is None:
        raise ValueError("The message has no release.")
    title, version = _title(release)
    release_credits = reader.artists(release, "the release")
    featured = [c.name for c in release_credits if c.role == CreditRole.FEATURED_ARTIST]
    display = _value(release, "DisplayArtistName")
    # We keep the main artist; the "feat." part is made again from the featured credits.
    suffix = artist_display_name("", featured)
    if featured and display.endswith(suffix):
        display = display[: -len(suffix)]
    recordings = {
        text(r, "ResourceReference"): r for r in root.iterfind("ResourceList/SoundRecording")
    }
    tracks: list[ParsedTrack] = []
    taken: set[tuple[int, int]] = set()
    group = release.find("ResourceGroup")
    for disc, number, reference in _group_items(group) if group is not None else []:
        recording = recordings.get(reference)
        if recording is None:
            continue  # the cover, a video: not a track
        # A position the message does not give, or gives twice, follows the last one.
        position = number if number and number >= 1 and (disc, number) not in taken else None
        if position is None:
            position = max((p for d, p in taken if d == disc), default=0) + 1
        taken.add((disc, position))
        track_title, track_version = _title(recording)
        where = f"track {position} “{track_title}”"
        # Warnings name the track by its index in `tracks`: positions repeat across discs.
        credits = reader.artists(recording, where, len(tracks)) + reader.contributors(
            recording, where, len(tracks)
        )
        tracks.append(
            ParsedTrack(
                title=track_title,
                version=track_version,
                isrc=text(recording, "SoundRecordingEdition/ResourceId/ISRC"),
                duration_seconds=seconds(text(recording, "Duration")),
                explicit=_value(recording, "ParentalWarningType") == "Explicit",
                instrumental=text(recording, "IsInstrumental") == "true",
                language=text(recording, "LanguageOfPerformance"),
                disc=disc,
                position=position,
                credits=_merged(credits, release_credits),
            )
        )
    # A release language, else the language all its recordings are performed in.
    language = release.get("LanguageAndScriptCode", "")
    performed = {t.language for t in tracks}
    if not language and len(performed) == 1:
        language = performed.pop()
    for track in tracks:
        if track.language == language:
            track.language = ""
    parsed = ParsedRelease(
        type=next(
            (TYPES_IN[t.text] for t in release.iterfind("ReleaseType") if t.text in TYPES_IN),
            Release.Type.ALBUM,
        ),
        title=title,
        version=version,
        display_artist=display,
        upc=text(release, "ReleaseId/ICPN"),
        catalog_number=text(release, "ReleaseId/CatalogNumber"),
        label=reader.names.get(_value(release, "ReleaseLabelReference"), ""),
        genre=text(_preferred(release, "Genre"), "GenreText"),
        language=language,
        release_date=reader.date(release, "ReleaseDate", "release_date")
        or _deal_start(root, text(release, "ReleaseReference")),
        original_release_date=reader.date(release, "OriginalReleaseDate", "original_release_date"),
        credits=_merged(release_credits, []),
        tracks=tracks,
    )
    _lines(reader, release, recordings, parsed)
    warning = _value(release, "ParentalWarningType")
    if warning in WARNINGS_IN:
        parsed.parental_warning = WARNINGS_IN[warning]
    elif warning:
        reader.warn(
            "parental_warning",
            f"The message's parental warning is {warning!r}: kept as “no advice available”.",
            field="parental_warning",
            value=warning,
        )
    parsed.warnings = reader.warnings
    return parsed


def _lines(
    reader: _Reader,
    release: etree._Element,
    recordings: dict[str, etree._Element],
    parsed: ParsedRelease,
) -> None:
    """The release's ℗ and © lines; a ℗ line only on the recordings counts when they agree."""
    p_line = reader.line(release, "P")
    if p_line is None:
        lines = {reader.line(r.find("SoundRecordingEdition"), "P") for r in recordings.values()}
        lines.discard(None)
        p_line = lines.pop() if len(lines) == 1 else None
    if p_line is not None:
        parsed.p_line_year, parsed.p_line_owner = p_line
    c_line = reader.line(release, "C")
    if c_line is not None:
        parsed.c_line_year, parsed.c_line_owner = c_line


def _deal_start(root: etree._Element, reference: str) -> datetime.date | None:
    """The earliest start of the release's own deals: where ERN 4.3 messages often put the
    release date when the release has no ReleaseDate."""
    starts = []
    for deal in root.iterfind("DealList/ReleaseDeal"):
        if reference not in [(r.text or "").strip() for r in deal.iterfind("DealReleaseReference")]:
            continue
        for start in deal.iterfind("Deal/DealTerms/ValidityPeriod/StartDate"):
            try:
                starts.append(datetime.date.fromisoformat((start.text or "").strip()))
            except ValueError:
                continue
    return min(starts) if starts else None
