"""A release as an ERN 4.3 NewReleaseMessage (profile Audio): what a store takes in.

Element order follows the schema's sequences (release-notification.xsd); DDEX's own samples
(releases/ddex_schema/sample-audio-*.xml) show how each element is written.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from lxml import etree

from releases.ddex.roles import ARTIST_ROLES, CONTRIBUTOR_ROLES, instrument_out, instruments_split
from releases.ddex.schema import NS, XSI, sub
from releases.models import Artwork, Credit, CreditRole, Release, Track
from releases.selectors import (
    artist_display_name,
    control_character_findings,
    featured_artists,
    release_tracks,
)

RELEASE_TYPES = {Release.Type.SINGLE: "Single", Release.Type.EP: "EP", Release.Type.ALBUM: "Album"}
# Stores sell worldwide unless told otherwise; the release has no territory list yet.
TERRITORIES = ["Worldwide"]
# (commercial models, use types) of each deal: streaming paid by subscription or by ads, and
# download paid per item.
DEALS = [
    (["SubscriptionModel", "AdvertisementSupportedModel"], ["OnDemandStream"]),
    (["PayAsYouGoModel"], ["PermanentDownload"]),
]
# DDEX's placeholder-looking DPIDs from config/settings.py: such messages are tests.
PLACEHOLDER_PREFIX = "PADPIDATEST"


class PartiesNotConfigured(Exception):
    """The sender or recipient of messages is not set: no store accepts a message without."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__(
            f"DDEX messages need {', '.join(missing)}: set "
            f"{'them' if len(missing) > 1 else 'it'} in the environment (the README lists them)."
        )


@dataclass(frozen=True)
class MessageParty:
    dpid: str
    name: str


def message_parties() -> tuple[MessageParty, MessageParty]:
    """(sender, recipient) from the DDEX_* settings; raises PartiesNotConfigured naming the
    settings left empty."""
    names = ["DDEX_SENDER_DPID", "DDEX_SENDER_NAME", "DDEX_RECIPIENT_DPID", "DDEX_RECIPIENT_NAME"]
    values = {name: str(getattr(settings, name, "") or "").strip() for name in names}
    missing = [name for name in names if not values[name]]
    if missing:
        raise PartiesNotConfigured(missing)
    return (
        MessageParty(values["DDEX_SENDER_DPID"], values["DDEX_SENDER_NAME"]),
        MessageParty(values["DDEX_RECIPIENT_DPID"], values["DDEX_RECIPIENT_NAME"]),
    )


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


def cover_uri(artwork: Artwork) -> str:
    """The cover's name in the delivery package (releases.package writes it there)."""
    return f"artwork/cover.{'jpg' if artwork.format == 'JPEG' else 'png'}"


def _duration(seconds: int | None) -> str:
    total = seconds or 0
    return f"PT{total // 60}M{total % 60}S"


def _title(parent: etree._Element, title: str, version: str) -> None:
    # As DDEX's album sample writes "Natsu no Omoide (Instrumental)": the full text, then the
    # title with the version as its SubTitle.
    sub(parent, "DisplayTitleText", f"{title} ({version})" if version else title)
    display = sub(parent, "DisplayTitle", ApplicableTerritoryCode="Worldwide", IsDefault="true")
    sub(display, "TitleText", title)
    if version:
        sub(display, "SubTitle", version, SubTitleType="Version")


def _artists(parent: etree._Element, name: str, main: list[str], featured: list[str]) -> None:
    sub(parent, "DisplayArtistName", name, ApplicableTerritoryCode="Worldwide", IsDefault="true")
    roles = [(ref, "MainArtist") for ref in main] + [(ref, "FeaturedArtist") for ref in featured]
    for number, (reference, role) in enumerate(roles, start=1):
        artist = sub(parent, "DisplayArtist", SequenceNumber=str(number))
        sub(artist, "ArtistPartyReference", reference)
        sub(artist, "DisplayArtistRole", role)


def _line(parent: etree._Element, kind: str, year: int | None, owner: str) -> None:
    """A PLine or CLine: year, company and the printed text, so an import keeps each part."""
    if not (year or owner):
        return
    line = sub(parent, f"{kind}Line")
    if year:
        sub(line, "Year", str(year))
    if owner:
        sub(line, f"{kind}LineCompany", owner)
    mark = "(P)" if kind == "P" else "(C)"
    sub(line, f"{kind}LineText", " ".join(part for part in (mark, str(year or ""), owner) if part))


def _delivery_files(edition: etree._Element, track_index: int, files: list[DeliveryFile]) -> None:
    for number, delivered in enumerate(files, start=1):
        details = sub(edition, "TechnicalDetails")
        sub(details, "TechnicalResourceDetailsReference", f"T{track_index}-{number}")
        delivery = sub(details, "DeliveryFile")
        sub(delivery, "Type", "AudioFile")
        sub(delivery, "AudioCodecType", delivered.codec)
        if delivered.bitrate_kbps:
            sub(delivery, "BitRate", str(delivered.bitrate_kbps), UnitOfMeasure="kbps")
        sub(delivery, "NumberOfChannels", str(delivered.channels))
        sub(delivery, "SamplingRate", str(delivered.sample_rate), UnitOfMeasure="Hz")
        if delivered.bits_per_sample:
            sub(delivery, "BitsPerSample", str(delivered.bits_per_sample))
        _file(delivery, delivered.uri, delivered.md5, delivered.size)


def _file(parent: etree._Element, uri: str, md5: str | None, size: int | None) -> None:
    file_element = sub(parent, "File")
    sub(file_element, "URI", uri)
    if md5:
        hash_sum = sub(file_element, "HashSum")
        sub(hash_sum, "Algorithm", "MD5")
        sub(hash_sum, "HashSumValue", md5)
    if size is not None:
        sub(file_element, "FileSize", str(size))


def _contributor(
    recording: etree._Element, number: int, reference: str, credit: Credit, namespace: str
) -> None:
    """A credit as DDEX writes it; an instrument DDEX does not list is UserDefined, in the
    sender's namespace, with the words kept."""
    contributor = sub(recording, "Contributor", SequenceNumber=str(number))
    sub(contributor, "ContributorPartyReference", reference)
    sub(contributor, "Role", CONTRIBUTOR_ROLES[credit.role])
    for instrument in instruments_split(credit.instrument):
        value, user_defined = instrument_out(instrument)
        if user_defined is None:
            sub(contributor, "InstrumentType", value)
        else:
            sub(
                contributor,
                "InstrumentType",
                value,
                Namespace=namespace,
                UserDefinedValue=user_defined,
            )


def _image(resources: etree._Element, artwork: Artwork, reference: str, sender: str) -> None:
    try:
        with artwork.image.open("rb") as handle:
            data = handle.read()
    except OSError:
        data = None  # the row outlived its file: name it, without a checksum we cannot make
    image = sub(resources, "Image")
    sub(image, "ResourceReference", reference)
    sub(image, "Type", "FrontCoverImage")
    sub(
        sub(image, "ResourceId"),
        "ProprietaryId",
        f"tracksheet-release-{artwork.release_id}-cover",
        Namespace=sender,
    )
    details = sub(image, "TechnicalDetails")
    sub(details, "TechnicalResourceDetailsReference", "T-cover")
    sub(details, "ImageCodecType", "JPEG" if artwork.format == "JPEG" else "PNG")
    sub(details, "ImageHeight", str(artwork.height), UnitOfMeasure="Pixel")
    sub(details, "ImageWidth", str(artwork.width), UnitOfMeasure="Pixel")
    md5 = hashlib.md5(data, usedforsecurity=False).hexdigest() if data is not None else None
    _file(details, cover_uri(artwork), md5, len(data) if data is not None else None)


def new_release_message(
    release: Release,
    *,
    now: datetime.datetime | None = None,
    files: dict[int, list[DeliveryFile]] | None = None,
) -> etree._ElementTree:
    """The release as an ERN 4.3 NewReleaseMessage, with its cover, artists (featured ones
    too), contributors, and streaming and download deals. `files` (by track id) lists the audio
    files delivered with it, if any. Raises PartiesNotConfigured when the DDEX_* settings naming
    sender and recipient are empty, ValidationError (under "ddex") when stored text has control
    characters."""
    sender, recipient = message_parties()
    now = now or timezone.now()
    tracks, release_credits = _tracks_and_credits(release)
    artwork = Artwork.objects.filter(release=release).first()

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
    _message_header(root, release, sender=sender, recipient=recipient, now=now)
    parties = _Parties(sub(root, "PartyList"), release, release_credits, tracks)

    resources = sub(root, "ResourceList")
    for index, track in enumerate(tracks, start=1):
        recording_files = (files or {}).get(track.pk, [])
        _sound_recording(resources, index, release, track, parties, recording_files, sender)
    cover_ref = f"A{len(tracks) + 1}"
    if artwork is not None:
        _image(resources, artwork, cover_ref, sender.dpid)

    _main_release(
        sub(root, "ReleaseList"),
        release,
        tracks,
        parties,
        sender=sender,
        cover_ref=cover_ref if artwork is not None else None,
    )
    _deal_list(root, release, now=now)
    return etree.ElementTree(root)


def _tracks_and_credits(release: Release) -> tuple[list[Track], list[Credit]]:
    """The release's tracks in order and its release-level credits, refused (ValidationError
    under "ddex") when any text the message carries has control characters."""
    prefetch_related_objects(
        [release], Prefetch("credits", queryset=Credit.objects.select_related("person"))
    )
    tracks: list[Track] = list(release_tracks(release).order_by("disc", "position"))
    release_credits = [c for c in release.credits.all() if c.track_id is None]
    # XML 1.0 cannot carry control characters (lxml refuses them): text stored before they
    # were refused at the edge is named here, field by field, rather than failing mid-message.
    unsafe = control_character_findings(
        release=release, tracks=tracks, release_credits=release_credits
    )
    if unsafe:
        raise ValidationError({"ddex": [finding.message for finding in unsafe]})
    return tracks, release_credits


def _message_header(
    root: etree._Element,
    release: Release,
    *,
    sender: MessageParty,
    recipient: MessageParty,
    now: datetime.datetime,
) -> None:
    header = sub(root, "MessageHeader")
    sub(header, "MessageThreadId", f"tracksheet-{release.pk}")
    sub(header, "MessageId", f"tracksheet-{release.pk}-{int(now.timestamp())}")
    for tag, messaging in (("MessageSender", sender), ("MessageRecipient", recipient)):
        element = sub(header, tag)
        sub(element, "PartyId", messaging.dpid)
        sub(sub(element, "PartyName"), "FullName", messaging.name)
    sub(header, "MessageCreatedDateTime", now.isoformat(timespec="seconds"))
    test = sender.dpid.startswith(PLACEHOLDER_PREFIX) or recipient.dpid.startswith(
        PLACEHOLDER_PREFIX
    )
    sub(header, "MessageControlType", "TestMessage" if test else "LiveMessage")


class _Parties:
    """The PartyList: each credited person once, the main artist by name when no one is
    credited as such, and the label; the references the rest of the message points at."""

    def __init__(
        self,
        element: etree._Element,
        release: Release,
        release_credits: list[Credit],
        tracks: list[Track],
    ) -> None:
        self.element = element
        self.names: dict[str, str] = {}
        self.main = [
            self.person(c) for c in release_credits if c.role == CreditRole.MAIN_ARTIST
        ] or [self.party("PMainArtist", release.display_artist)]
        self.featured = [
            self.person(c) for c in release_credits if c.role == CreditRole.FEATURED_ARTIST
        ]
        self.label = self.party("PLabel", release.label or release.display_artist)
        for track in tracks:
            for credit in track.credits.all():
                self.person(credit)

    def party(self, reference: str, name: str) -> str:
        if reference not in self.names:
            self.names[reference] = name
            party = sub(self.element, "Party")
            sub(party, "PartyReference", reference)
            sub(sub(party, "PartyName"), "FullName", name)
        return reference

    def person(self, credit: Credit) -> str:
        return self.party(f"P{credit.person_id}", credit.person.name)


def _sound_recording(
    resources: etree._Element,
    index: int,
    release: Release,
    track: Track,
    parties: _Parties,
    files: list[DeliveryFile],
    sender: MessageParty,
) -> None:
    """A track as resource A<index>: its ISRC, files, artists (the release's and its own)
    and contributors."""
    recording = sub(resources, "SoundRecording")
    sub(recording, "ResourceReference", f"A{index}")
    sub(recording, "Type", "MusicalWorkSoundRecording")
    edition = sub(recording, "SoundRecordingEdition")
    sub(sub(edition, "ResourceId"), "ISRC", track.isrc)
    _line(edition, "P", release.p_line_year, release.p_line_owner)
    _delivery_files(edition, index, files)
    _title(recording, track.title, track.version)
    release_credits = [c for c in release.credits.all() if c.track_id is None]
    track_credits = list(track.credits.all())
    track_main = parties.main + [
        parties.person(c)
        for c in track_credits
        if c.role == CreditRole.MAIN_ARTIST and parties.person(c) not in parties.main
    ]
    track_featured = parties.featured + [
        parties.person(c)
        for c in track_credits
        if c.role == CreditRole.FEATURED_ARTIST and parties.person(c) not in parties.featured
    ]
    _artists(
        recording,
        artist_display_name(release.display_artist, featured_artists(release, track)),
        track_main,
        track_featured,
    )
    contributors = sorted(
        (c for c in release_credits + track_credits if c.role not in ARTIST_ROLES),
        key=lambda c: c.pk,
    )
    for number, credit in enumerate(contributors, start=1):
        _contributor(recording, number, parties.person(credit), credit, sender.dpid)
    sub(recording, "Duration", _duration(track.duration_seconds))
    sub(recording, "ParentalWarningType", _track_warning(release, track))
    sub(recording, "IsInstrumental", "true" if track.instrumental else "false")
    if track.language or release.language:
        sub(recording, "LanguageOfPerformance", track.language or release.language)


def _main_release(
    release_list: etree._Element,
    release: Release,
    tracks: list[Track],
    parties: _Parties,
    *,
    sender: MessageParty,
    cover_ref: str | None,
) -> None:
    """The release itself (R0): ids, title, artists, label, lines, dates, its resources."""
    main = sub(release_list, "Release")
    if release.language:
        main.set("LanguageAndScriptCode", release.language)
    sub(main, "ReleaseReference", "R0")
    sub(main, "ReleaseType", RELEASE_TYPES[Release.Type(release.type)])
    release_id = sub(main, "ReleaseId")
    if release.upc:
        sub(release_id, "ICPN", release.upc)
    if release.catalog_number:
        # A catalogue number is the label's own: its namespace is the sender's DPID.
        sub(release_id, "CatalogNumber", release.catalog_number, Namespace=sender.dpid)
    _title(main, release.title, release.version)
    _artists(
        main,
        artist_display_name(release.display_artist, featured_artists(release)),
        parties.main,
        parties.featured,
    )
    sub(main, "ReleaseLabelReference", parties.label, ApplicableTerritoryCode="Worldwide")
    _line(main, "P", release.p_line_year, release.p_line_owner)
    _line(main, "C", release.c_line_year, release.c_line_owner)
    sub(main, "Duration", _duration(sum(t.duration_seconds or 0 for t in tracks)))
    genre = sub(main, "Genre", ApplicableTerritoryCode="Worldwide")
    sub(genre, "GenreText", release.genre or "Other")
    if release.release_date:
        sub(main, "ReleaseDate", release.release_date.isoformat())
    if release.original_release_date:
        sub(main, "OriginalReleaseDate", release.original_release_date.isoformat())
    sub(main, "ParentalWarningType", release.parental_warning)
    _resource_group(main, tracks, cover_ref)


def _deal_list(root: etree._Element, release: Release, *, now: datetime.datetime) -> None:
    """Streaming and download deals in every territory, from the release date (or today)."""
    deals = sub(root, "DealList")
    release_deal = sub(deals, "ReleaseDeal")
    sub(release_deal, "DealReleaseReference", "R0")
    start = release.release_date or timezone.localdate(now)
    for territory in TERRITORIES:
        for models, uses in DEALS:
            terms = sub(sub(release_deal, "Deal"), "DealTerms")
            sub(terms, "TerritoryCode", territory)
            sub(sub(terms, "ValidityPeriod"), "StartDate", start.isoformat())
            for model in models:
                sub(terms, "CommercialModelType", model)
            for use in uses:
                sub(terms, "UseType", use)


def _track_warning(release: Release, track: Track) -> str:
    if track.explicit:
        return "Explicit"
    # A track we know nothing of on a release without advice is without advice too.
    if release.parental_warning == Release.ParentalWarning.NO_ADVICE:
        return "NoAdviceAvailable"
    return "NotExplicit"


def _resource_group(main: etree._Element, tracks: list[Track], cover_ref: str | None) -> None:
    """One group of tracks, or one sub-group per disc (its SequenceNumber the disc number);
    the cover linked from the top group, as in DDEX's album sample."""
    group = sub(main, "ResourceGroup")
    discs = sorted({track.disc for track in tracks})
    if len(discs) > 1:
        for disc in discs:
            # "Component": one of the volumes (discs) a release is made of.
            disc_group = sub(group, "ResourceGroup", ResourceGroupType="Component")
            sub(disc_group, "SequenceNumber", str(disc))
            _items(disc_group, [(i, t) for i, t in enumerate(tracks, 1) if t.disc == disc])
    else:
        if discs:
            sub(group, "SequenceNumber", str(discs[0]))
        _items(group, list(enumerate(tracks, start=1)))
    if cover_ref:
        sub(group, "LinkedReleaseResourceReference", cover_ref, LinkDescription="CoverArt")


def _items(group: etree._Element, tracks: list[tuple[int, Track]]) -> None:
    for index, track in tracks:
        item = sub(group, "ResourceGroupContentItem")
        sub(item, "SequenceNumber", str(track.position))
        sub(item, "ReleaseResourceReference", f"A{index}")
