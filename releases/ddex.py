"""DDEX ERN 4.3 NewReleaseMessage for a release, and its validation against DDEX's schema.

Element order follows the schema's sequences (release-notification.xsd); every message this
module makes is validated before it leaves.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from lxml import etree

from releases.models import Credit, CreditRole, Release, Track

NS = "http://ddex.net/xml/ern/43"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SENDER_DPID = "PADPIDA0000000001T"  # placeholder DPID until the label registers its own
# Our credit roles as DDEX ContributorRole values (allowed-value-sets.xsd).
CONTRIBUTOR_ROLES = {
    CreditRole.PRODUCER: "StudioProducer",
    CreditRole.MIXING_ENGINEER: "MixingEngineer",
    CreditRole.MASTERING_ENGINEER: "MasteringEngineer",
    CreditRole.RECORDING_ENGINEER: "RecordingEngineer",
    CreditRole.COMPOSER: "Composer",
    CreditRole.LYRICIST: "Lyricist",
    CreditRole.ARRANGER: "Arranger",
}
RELEASE_TYPES = {Release.Type.SINGLE: "Single", Release.Type.EP: "EP", Release.Type.ALBUM: "Album"}


@cache
def schema() -> etree.XMLSchema:
    """DDEX's schema, loaded once per process (it takes a while)."""
    path = Path(settings.DDEX_SCHEMA_DIR) / "release-notification.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


def validate(document: etree._ElementTree) -> list[str]:
    """The schema's complaints about a message, empty when it validates."""
    checker = schema()
    if checker.validate(document):
        return []
    # The schema's enumeration errors list hundreds of allowed values: keep the start.
    return [f"line {error.line}: {error.message[:300]}" for error in checker.error_log]


def _sub(
    parent: etree._Element, tag: str, text: str | None = None, **attributes: str
) -> etree._Element:
    element = etree.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def _duration(seconds: int | None) -> str:
    total = seconds or 0
    return f"PT{total // 60}M{total % 60}S"


def _title(parent: etree._Element, title: str) -> None:
    _sub(parent, "DisplayTitleText", title)
    display = _sub(parent, "DisplayTitle", ApplicableTerritoryCode="Worldwide", IsDefault="true")
    _sub(display, "TitleText", title)


def _artist(parent: etree._Element, name: str, reference: str) -> None:
    _sub(parent, "DisplayArtistName", name, ApplicableTerritoryCode="Worldwide", IsDefault="true")
    artist = _sub(parent, "DisplayArtist", SequenceNumber="1")
    _sub(artist, "ArtistPartyReference", reference)
    _sub(artist, "DisplayArtistRole", "MainArtist")


@dataclass(frozen=True)
class DeliveryFile:
    """A file sent with the message (its name inside the package) and what it holds."""

    uri: str
    codec: str  # DDEX AudioCodecType: FLAC, PCM, MP3, AAC
    md5: str
    size: int
    sample_rate: int
    channels: int
    bits_per_sample: int | None = None
    bitrate_kbps: int | None = None


def _delivery_files(edition: etree._Element, track_index: int, files: list[DeliveryFile]) -> None:
    for number, delivered in enumerate(files, start=1):
        details = _sub(edition, "TechnicalDetails")
        _sub(details, "TechnicalResourceDetailsReference", f"T{track_index}-{number}")
        delivery = _sub(details, "DeliveryFile")
        _sub(delivery, "Type", "AudioFile")
        _sub(delivery, "AudioCodecType", delivered.codec)
        if delivered.bitrate_kbps:
            _sub(delivery, "BitRate", str(delivered.bitrate_kbps), UnitOfMeasure="kbps")
        _sub(delivery, "NumberOfChannels", str(delivered.channels))
        _sub(delivery, "SamplingRate", str(delivered.sample_rate), UnitOfMeasure="Hz")
        if delivered.bits_per_sample:
            _sub(delivery, "BitsPerSample", str(delivered.bits_per_sample))
        file_element = _sub(delivery, "File")
        _sub(file_element, "URI", delivered.uri)
        hash_sum = _sub(file_element, "HashSum")
        _sub(hash_sum, "Algorithm", "MD5")
        _sub(hash_sum, "HashSumValue", delivered.md5)
        _sub(file_element, "FileSize", str(delivered.size))


def new_release_message(
    release: Release,
    *,
    recipient: str = "PADPIDA0000000002R",
    now: datetime.datetime | None = None,
    files: dict[int, list[DeliveryFile]] | None = None,
) -> etree._ElementTree:
    """The release as an ERN 4.3 NewReleaseMessage (profile Audio), worldwide, streaming and
    download. `files` (by track id) lists the audio files delivered with it, if any."""
    now = now or timezone.now()
    tracks: list[Track] = list(release.tracks.order_by("disc", "position"))
    credits: list[Credit] = list(
        Credit.objects.filter(release=release).select_related("person").order_by("pk")
    )
    root = etree.Element(
        f"{{{NS}}}NewReleaseMessage",
        {
            f"{{{XSI}}}schemaLocation": f"{NS} {NS}/release-notification.xsd",
            "ReleaseProfileVersionId": "Audio",
            "LanguageAndScriptCode": release.language or "en",
            "AvsVersionId": "3",
        },
        nsmap={"ern": NS, "xsi": XSI},
    )
    header = _sub(root, "MessageHeader")
    _sub(header, "MessageThreadId", f"tracksheet-{release.pk}")
    _sub(header, "MessageId", f"tracksheet-{release.pk}-{int(now.timestamp())}")
    sender = _sub(header, "MessageSender")
    _sub(sender, "PartyId", SENDER_DPID)
    _sub(_sub(sender, "PartyName"), "FullName", release.label or release.display_artist)
    recipient_element = _sub(header, "MessageRecipient")
    _sub(recipient_element, "PartyId", recipient)
    _sub(header, "MessageCreatedDateTime", now.isoformat(timespec="seconds"))

    parties = _sub(root, "PartyList")
    artist_ref = "PArtist"
    party = _sub(parties, "Party")
    _sub(party, "PartyReference", artist_ref)
    _sub(_sub(party, "PartyName"), "FullName", release.display_artist)
    label_ref = "PLabel"
    party = _sub(parties, "Party")
    _sub(party, "PartyReference", label_ref)
    _sub(_sub(party, "PartyName"), "FullName", release.label or release.display_artist)
    person_refs: dict[int, str] = {}
    for credit in credits:
        if credit.person_id not in person_refs:
            person_refs[credit.person_id] = f"P{credit.person_id}"
            party = _sub(parties, "Party")
            _sub(party, "PartyReference", person_refs[credit.person_id])
            _sub(_sub(party, "PartyName"), "FullName", credit.person.name)

    resources = _sub(root, "ResourceList")
    p_line = f"(P) {release.p_line_year} {release.p_line_owner}" if release.p_line_year else ""
    for index, track in enumerate(tracks, start=1):
        recording = _sub(resources, "SoundRecording")
        _sub(recording, "ResourceReference", f"A{index}")
        _sub(recording, "Type", "MusicalWorkSoundRecording")
        edition = _sub(recording, "SoundRecordingEdition")
        _sub(_sub(edition, "ResourceId"), "ISRC", track.isrc)
        if p_line:
            line = _sub(edition, "PLine")
            _sub(line, "Year", str(release.p_line_year))
            _sub(line, "PLineText", p_line)
        _delivery_files(edition, index, (files or {}).get(track.pk, []))
        _title(recording, track.title)
        _artist(recording, release.display_artist, artist_ref)
        sequence = 1
        for credit in credits:
            role = CONTRIBUTOR_ROLES.get(CreditRole(credit.role))
            if role and credit.track_id in (None, track.pk):
                contributor = _sub(recording, "Contributor", SequenceNumber=str(sequence))
                _sub(contributor, "ContributorPartyReference", person_refs[credit.person_id])
                _sub(contributor, "Role", role)
                sequence += 1
        _sub(recording, "Duration", _duration(track.duration_seconds))
        _sub(recording, "ParentalWarningType", "Explicit" if track.explicit else "NotExplicit")
        _sub(recording, "IsInstrumental", "true" if track.instrumental else "false")
        if track.language or release.language:
            _sub(recording, "LanguageOfPerformance", track.language or release.language)

    release_list = _sub(root, "ReleaseList")
    main = _sub(release_list, "Release")
    _sub(main, "ReleaseReference", "R0")
    _sub(main, "ReleaseType", RELEASE_TYPES[Release.Type(release.type)])
    _sub(_sub(main, "ReleaseId"), "ICPN", release.upc)
    _title(main, release.title)
    _artist(main, release.display_artist, artist_ref)
    _sub(main, "ReleaseLabelReference", label_ref, ApplicableTerritoryCode="Worldwide")
    _sub(main, "Duration", _duration(sum(t.duration_seconds or 0 for t in tracks)))
    genre = _sub(main, "Genre", ApplicableTerritoryCode="Worldwide")
    _sub(genre, "GenreText", release.genre or "Other")
    _sub(main, "ParentalWarningType", release.parental_warning)
    group = _sub(main, "ResourceGroup")
    for index, _track in enumerate(tracks, start=1):
        item = _sub(group, "ResourceGroupContentItem")
        _sub(item, "SequenceNumber", str(index))
        _sub(item, "ReleaseResourceReference", f"A{index}")

    deals = _sub(root, "DealList")
    release_deal = _sub(deals, "ReleaseDeal")
    _sub(release_deal, "DealReleaseReference", "R0")
    terms = _sub(_sub(release_deal, "Deal"), "DealTerms")
    _sub(terms, "TerritoryCode", "Worldwide")
    start = release.release_date or now.date()
    _sub(_sub(terms, "ValidityPeriod"), "StartDate", start.isoformat())
    _sub(terms, "CommercialModelType", "PayAsYouGoModel")
    _sub(terms, "UseType", "PermanentDownload")
    return etree.ElementTree(root)


# --- import -----------------------------------------------------------------------------------

ROLES_IN = {value: role for role, value in CONTRIBUTOR_ROLES.items()}
TYPES_IN = {
    "Single": Release.Type.SINGLE,
    "SingleResourceRelease": Release.Type.SINGLE,
    "EP": Release.Type.EP,
    "Album": Release.Type.ALBUM,
}
_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$")


@dataclass
class ParsedTrack:
    title: str
    isrc: str
    duration_seconds: int | None
    explicit: bool
    credits: list[tuple[str, str]] = field(default_factory=list)  # (name, our role)


@dataclass
class ParsedRelease:
    type: str
    title: str
    display_artist: str
    upc: str
    label: str
    genre: str
    tracks: list[ParsedTrack]


def _text(element: etree._Element | None, path: str) -> str:
    if element is None:
        return ""
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def _seconds(value: str) -> int | None:
    match = _DURATION.match(value or "")
    if not match or not any(match.groups()):
        return None
    hours, minutes, seconds = (float(part) if part else 0.0 for part in match.groups())
    return int(hours * 3600 + minutes * 60 + seconds)


def parse_message(document: etree._ElementTree) -> ParsedRelease:
    """The main release of a NewReleaseMessage (the first in its ReleaseList), with the sound
    recordings of its resource group, their ISRCs and credited contributors."""
    errors = validate(document)
    if errors:
        raise ValueError("Not a valid ERN 4.3 message: " + "; ".join(errors[:3]))
    root = document.getroot()
    names = {
        _text(party, "PartyReference"): _text(party, "PartyName/FullName")
        for party in root.iterfind("PartyList/Party")
    }
    release = root.find("ReleaseList/Release")
    if release is None:
        raise ValueError("The message has no release.")
    recordings = {
        _text(r, "ResourceReference"): r for r in root.iterfind("ResourceList/SoundRecording")
    }
    tracks = []
    for reference in release.iterfind(".//ResourceGroupContentItem/ReleaseResourceReference"):
        recording = recordings.get((reference.text or "").strip())
        if recording is None:
            continue
        parsed = ParsedTrack(
            title=_text(recording, "DisplayTitleText"),
            isrc=_text(recording, "SoundRecordingEdition/ResourceId/ISRC"),
            duration_seconds=_seconds(_text(recording, "Duration")),
            explicit=_text(recording, "ParentalWarningType") == "Explicit",
        )
        for contributor in recording.iterfind("Contributor"):
            role = ROLES_IN.get(_text(contributor, "Role"))
            name = names.get(_text(contributor, "ContributorPartyReference"), "")
            if role and name:
                parsed.credits.append((name, role))
        for artist in recording.iterfind("DisplayArtist"):
            name = names.get(_text(artist, "ArtistPartyReference"), "")
            if name and _text(artist, "DisplayArtistRole") == "MainArtist":
                parsed.credits.append((name, CreditRole.MAIN_ARTIST))
        tracks.append(parsed)
    icpn = _text(release, "ReleaseId/ICPN")
    return ParsedRelease(
        type=next(
            (TYPES_IN[t.text] for t in release.iterfind("ReleaseType") if t.text in TYPES_IN),
            Release.Type.ALBUM,
        ),
        title=_text(release, "DisplayTitleText"),
        display_artist=_text(release, "DisplayArtistName"),
        # An ICPN may come as a GTIN-14 with a leading zero; we keep the EAN-13.
        upc=icpn[1:] if len(icpn) == 14 and icpn.startswith("0") else icpn,
        label=names.get(_text(release, "ReleaseLabelReference"), ""),
        genre=_text(release, "Genre/GenreText"),
        tracks=tracks,
    )
