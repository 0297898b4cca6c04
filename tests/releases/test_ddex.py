"""DDEX ERN 4.3 export: every message made validates against DDEX's schema, and carries what a
store reads, checked by XPath on the message itself."""

import datetime
import hashlib

import pytest
from django.conf import LazySettings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree
from rest_framework.test import APIClient

from projects.models import Project
from releases import ddex
from releases.ddex.checks import ddex_parties_check
from releases.models import Artwork, Release, Track
from tests.releases.factories import CreditFactory, ReleaseFactory, TrackFactory, ddex_release

pytestmark = pytest.mark.django_db

REAL_PARTIES = {
    "DDEX_SENDER_DPID": "PADPIDA2026010101A",
    "DDEX_SENDER_NAME": "Driftwood Records",
    "DDEX_RECIPIENT_DPID": "PADPIDA2026010102B",
    "DDEX_RECIPIENT_NAME": "Invented Distribution",
}


def exported(client: APIClient, release: Release) -> etree._Element:
    response = client.get(f"/api/v1/releases/{release.pk}/ddex/")
    assert response.status_code == 200, response.content[:500]
    document = etree.ElementTree(etree.fromstring(response.content))
    assert ddex.validate(document) == []
    return document.getroot()


def texts(node: etree._Element, path: str) -> list[str]:
    return [str(value) for value in node.xpath(path)]


def party_names(root: etree._Element, references: list[str]) -> list[str]:
    return [
        texts(root, f"PartyList/Party[PartyReference='{ref}']/PartyName/FullName/text()")[0]
        for ref in references
    ]


@pytest.fixture
def release(project: Project) -> Release:
    return ddex_release(project)


@pytest.fixture
def root(as_owner: APIClient, release: Release) -> etree._Element:
    return exported(as_owner, release)


def test_export_validates_and_is_the_owners(
    as_owner: APIClient, as_outsider: APIClient, release: Release, root: etree._Element
) -> None:
    assert root.tag == f"{{{ddex.NS}}}NewReleaseMessage"
    assert texts(root, ".//SoundRecordingEdition/ResourceId/ISRC/text()") == [
        "DEA122700001",
        "DEA122700002",
        "DEA122700003",
    ]
    assert texts(root, "ReleaseList/Release/ReleaseId/ICPN/text()") == ["4006381333931"]
    assert texts(root, "ReleaseList/Release/ReleaseType/text()") == ["EP"]
    assert as_outsider.get(f"/api/v1/releases/{release.pk}/ddex/").status_code == 404


def test_featured_artists_on_release_and_recordings(root: etree._Element) -> None:
    main = root.xpath("ReleaseList/Release")[0]
    assert texts(main, "DisplayArtistName/text()") == ["Wren Castellano feat. Ada Okafor"]
    assert texts(main, "DisplayArtist/DisplayArtistRole/text()") == [
        "MainArtist",
        "FeaturedArtist",
    ]
    assert party_names(root, texts(main, "DisplayArtist/ArtistPartyReference/text()")) == [
        "Wren Castellano",
        "Ada Okafor",
    ]
    # Track 2 has its own guest on top of the release's.
    low_tide = root.xpath("ResourceList/SoundRecording[ResourceReference='A2']")[0]
    assert texts(low_tide, "DisplayArtistName/text()") == [
        "Wren Castellano feat. Ada Okafor & Theo Marsh"
    ]
    featured = texts(
        low_tide, "DisplayArtist[DisplayArtistRole='FeaturedArtist']/ArtistPartyReference/text()"
    )
    assert party_names(root, featured) == ["Ada Okafor", "Theo Marsh"]
    first = root.xpath("ResourceList/SoundRecording[ResourceReference='A1']")[0]
    assert texts(first, "DisplayArtistName/text()") == ["Wren Castellano feat. Ada Okafor"]
    # Each artist is one party.
    names = texts(root, "PartyList/Party/PartyName/FullName/text()")
    assert len(names) == len(set(names))


def test_cover_image_resource(release: Release, root: etree._Element) -> None:
    artwork = Artwork.objects.get(release=release)
    with artwork.image.open("rb") as handle:
        data = handle.read()
    image = root.xpath("ResourceList/Image")[0]
    assert texts(image, "Type/text()") == ["FrontCoverImage"]
    details = image.xpath("TechnicalDetails")[0]
    assert texts(details, "ImageCodecType/text()") == ["JPEG"]
    assert texts(details, "ImageWidth/text()") == texts(details, "ImageHeight/text()") == ["1400"]
    assert texts(details, "ImageWidth/@UnitOfMeasure") == ["Pixel"]
    # The name releases.package gives the cover inside the delivery zip.
    assert texts(details, "File/URI/text()") == ["artwork/cover.jpg"]
    assert texts(details, "File/HashSum/Algorithm/text()") == ["MD5"]
    assert texts(details, "File/HashSum/HashSumValue/text()") == [
        hashlib.md5(data, usedforsecurity=False).hexdigest()
    ]
    assert texts(details, "File/FileSize/text()") == [str(len(data))]
    reference = texts(image, "ResourceReference/text()")[0]
    link = root.xpath("ReleaseList/Release/ResourceGroup/LinkedReleaseResourceReference")[0]
    assert (link.text, link.get("LinkDescription")) == (reference, "CoverArt")


def test_lines_dates_catalogue_number_and_versions(root: etree._Element) -> None:
    main = root.xpath("ReleaseList/Release")[0]
    assert texts(main, "PLine/Year/text()") == ["2027"]
    assert texts(main, "PLine/PLineCompany/text()") == ["Harbour Lane Productions"]
    assert texts(main, "PLine/PLineText/text()") == ["(P) 2027 Harbour Lane Productions"]
    assert texts(main, "CLine/Year/text()") == ["2026"]
    assert texts(main, "CLine/CLineText/text()") == ["(C) 2026 Driftwood Records Ltd"]
    assert texts(main, "ReleaseDate/text()") == ["2027-02-12"]
    assert texts(main, "OriginalReleaseDate/text()") == ["2019-05-03"]
    assert texts(main, "ReleaseId/CatalogNumber/text()") == ["DRIFT-042"]
    assert texts(main, "ReleaseId/CatalogNumber/@Namespace") == ["PADPIDATESTSENDER"]
    assert texts(main, "DisplayTitleText/text()") == ["Harbour Lights (Deluxe)"]
    assert texts(main, "DisplayTitle/SubTitle/text()") == ["Deluxe"]
    # As DDEX's album sample writes "Natsu no Omoide (Instrumental)".
    low_tide = root.xpath("ResourceList/SoundRecording[ResourceReference='A2']")[0]
    assert texts(low_tide, "DisplayTitleText/text()") == ["Low Tide (Acoustic)"]
    assert texts(low_tide, "DisplayTitle/TitleText/text()") == ["Low Tide"]
    assert texts(low_tide, "DisplayTitle/SubTitle[@SubTitleType='Version']/text()") == ["Acoustic"]
    assert (
        texts(root, "ResourceList/SoundRecording/SoundRecordingEdition/PLine/Year/text()")
        == ["2027"] * 3
    )
    # Two discs: one resource group each.
    groups = root.xpath("ReleaseList/Release/ResourceGroup/ResourceGroup")
    assert [texts(g, "SequenceNumber/text()") for g in groups] == [["1"], ["2"]]
    assert [
        texts(g, "ResourceGroupContentItem/ReleaseResourceReference/text()") for g in groups
    ] == [
        ["A1", "A2"],
        ["A3"],
    ]


def contributors(root: etree._Element, reference: str) -> list[tuple[str, list[str], list[str]]]:
    recording = root.xpath(f"ResourceList/SoundRecording[ResourceReference='{reference}']")[0]
    return [
        (
            party_names(root, texts(c, "ContributorPartyReference/text()"))[0],
            texts(c, "Role/text()"),
            [i.get("UserDefinedValue") or i.text for i in c.xpath("InstrumentType")],
        )
        for c in recording.xpath("Contributor")
    ]


def test_contributors_with_roles_and_instruments(root: etree._Element) -> None:
    # The release's producer is on every recording: ERN 4.3 credits recordings, not releases.
    assert contributors(root, "A1") == [
        ("Robin Marsh", ["StudioProducer"], []),
        ("Wren Castellano", ["Composer"], []),
        ("Wren Castellano", ["Lyricist"], []),
        ("Jonas Feld", ["Musician"], ["Cello"]),
        ("Mara Lind", ["Musician"], ["ElectricGuitar", "modular synth"]),
    ]
    synth = root.xpath(".//InstrumentType[@UserDefinedValue='modular synth']")[0]
    assert (synth.text, synth.get("Namespace")) == ("UserDefined", "PADPIDATESTSENDER")
    assert contributors(root, "A2")[2:] == [
        ("Ilse Brandt", ["Soloist"], ["Violin"]),
        ("Kit Osei", ["MixingEngineer"], []),
    ]
    assert contributors(root, "A3")[2:] == [
        ("Lena Vogt", ["Conductor"], []),
        ("Harbour Strings", ["Orchestra"], []),
    ]
    # Artists are DisplayArtists, not contributors.
    assert not root.xpath(".//Contributor[Role='MainArtist' or Role='FeaturedArtist']")


def test_streaming_and_download_deals(root: etree._Element) -> None:
    deals = root.xpath("DealList/ReleaseDeal[DealReleaseReference='R0']/Deal/DealTerms")
    assert [
        (
            texts(d, "TerritoryCode/text()"),
            texts(d, "ValidityPeriod/StartDate/text()"),
            texts(d, "CommercialModelType/text()"),
            texts(d, "UseType/text()"),
        )
        for d in deals
    ] == [
        (
            ["Worldwide"],
            ["2027-02-12"],
            ["SubscriptionModel", "AdvertisementSupportedModel"],
            ["OnDemandStream"],
        ),
        (["Worldwide"], ["2027-02-12"], ["PayAsYouGoModel"], ["PermanentDownload"]),
    ]


def test_parental_warnings(as_owner: APIClient, release: Release) -> None:
    root = exported(as_owner, release)
    assert texts(root, "ReleaseList/Release/ParentalWarningType/text()") == ["Explicit"]
    assert texts(root, "ResourceList/SoundRecording/ParentalWarningType/text()") == [
        "NotExplicit",
        "Explicit",
        "NotExplicit",
    ]
    Release.objects.filter(pk=release.pk).update(parental_warning="NoAdviceAvailable")
    Track.objects.filter(release=release).update(explicit=False)
    root = exported(as_owner, release)
    assert texts(root, "ReleaseList/Release/ParentalWarningType/text()") == ["NoAdviceAvailable"]
    assert set(texts(root, "ResourceList/SoundRecording/ParentalWarningType/text()")) == {
        "NoAdviceAvailable"
    }


def test_sender_and_recipient_from_settings(
    as_owner: APIClient, release: Release, settings: LazySettings
) -> None:
    root = exported(as_owner, release)
    # The test defaults are placeholders, and the message says it is a test.
    assert texts(root, "MessageHeader/MessageSender/PartyId/text()") == ["PADPIDATESTSENDER"]
    assert texts(root, "MessageHeader/MessageControlType/text()") == ["TestMessage"]
    for name, value in REAL_PARTIES.items():
        setattr(settings, name, value)
    root = exported(as_owner, release)
    header = root.xpath("MessageHeader")[0]
    assert texts(header, "MessageSender/PartyId/text()") == ["PADPIDA2026010101A"]
    assert texts(header, "MessageSender/PartyName/FullName/text()") == ["Driftwood Records"]
    assert texts(header, "MessageRecipient/PartyId/text()") == ["PADPIDA2026010102B"]
    assert texts(header, "MessageRecipient/PartyName/FullName/text()") == ["Invented Distribution"]
    assert texts(header, "MessageControlType/text()") == ["LiveMessage"]
    assert texts(root, "ReleaseList/Release/ReleaseId/CatalogNumber/@Namespace") == [
        "PADPIDA2026010101A"
    ]


def test_unset_sender_answers_503_naming_the_setting(
    as_owner: APIClient, release: Release, settings: LazySettings
) -> None:
    settings.DDEX_SENDER_DPID = ""
    response = as_owner.get(f"/api/v1/releases/{release.pk}/ddex/")
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
    assert "DDEX_SENDER_DPID" in response.json()["detail"]
    # The delivery package builds its message with the same function.
    with pytest.raises(ddex.PartiesNotConfigured, match="DDEX_SENDER_DPID"):
        ddex.new_release_message(release)


def test_deploy_check_warns_about_parties(settings: LazySettings) -> None:
    settings.DDEX_SENDER_DPID = ""
    settings.DDEX_RECIPIENT_NAME = ""
    found = ddex_parties_check()
    assert [m.id for m in found] == ["releases.W001", "releases.W002"]
    assert "DDEX_SENDER_DPID, DDEX_RECIPIENT_NAME" in found[0].msg
    assert "DDEX_RECIPIENT_DPID" in found[1].msg  # still the placeholder
    for name, value in REAL_PARTIES.items():
        setattr(settings, name, value)
    assert ddex_parties_check() == []


def test_missing_identifiers_and_schema_errors(as_owner: APIClient, release: Release) -> None:
    Track.objects.filter(release=release, position=2).update(isrc="")
    response = as_owner.get(f"/api/v1/releases/{release.pk}/ddex/")
    assert response.status_code == 400
    assert response.json()["ddex"] == ["Not deliverable yet: track 2 has no ISRC."]
    # The schema check is real: a message without its header does not pass.
    Track.objects.filter(release=release, position=2).update(isrc="DEA122700002")
    document = ddex.new_release_message(release)
    root = document.getroot()
    root.remove(root.find("MessageHeader"))
    errors = ddex.validate(document)
    assert errors and "MessageHeader" in errors[0]


def test_a_bare_single_without_cover_or_dates(project: Project) -> None:
    release = ReleaseFactory.create(
        project=project, upc="0012345678905", release_date=None, c_line_year=None, c_line_owner=""
    )
    track = TrackFactory.create(release=release, isrc="DEA122600001")
    CreditFactory.create(track=track, person__name="Robin Marsh")
    now = datetime.datetime(2027, 3, 1, 12, tzinfo=datetime.UTC)
    document = ddex.new_release_message(release, now=now)
    assert ddex.validate(document) == []
    root = document.getroot()
    assert not root.xpath("ResourceList/Image | ReleaseList/Release/CLine")
    assert not root.xpath("ReleaseList/Release/ReleaseDate")
    # No release date: the deals start the day the message is made.
    assert set(texts(root, "DealList//StartDate/text()")) == {"2027-03-01"}
    # The main artist is named even when nobody is credited as such.
    assert party_names(
        root, texts(root, "ReleaseList/Release/DisplayArtist/ArtistPartyReference/text()")
    ) == ["Wren Castellano"]


def test_export_queries_do_not_grow_with_tracks(release: Release) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            ddex.new_release_message(Release.objects.get(pk=release.pk))
        return len(queries) - 1  # the release itself

    before = count()
    for position in range(3, 7):
        track = TrackFactory.create(release=release, position=position, isrc="")
        CreditFactory.create(track=track, role="Musician", instrument="piano")
        CreditFactory.create(track=track, role="FeaturedArtist")
    assert count() == before == 5


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("release", "The release: the title has control characters (U+0007); remove them."),
        ("track", "Track 2: the title has control characters (U+001B); remove them."),
        (
            "instrument",
            "Track 1, musician: the instrument has control characters (U+0085); remove them.",
        ),
        (
            "person",
            "The release, featured artist: the name has control characters (U+000B); remove them.",
        ),
    ],
)
def test_stored_control_characters_are_named_not_a_500(
    settings: LazySettings, as_owner: APIClient, release: Release, where: str, message: str
) -> None:
    """Text written before the validator existed (or around it): readiness blocks on it and the
    export is a 400 with the same message."""
    for name, value in REAL_PARTIES.items():
        setattr(settings, name, value)
    if where == "release":
        Release.objects.filter(pk=release.pk).update(title="Harbour\x07Lights")
    elif where == "track":
        Track.objects.filter(release=release, disc=1, position=2).update(title="Low\x1bTide")
    elif where == "instrument":
        track = release.tracks.get(disc=1, position=1)
        CreditFactory.create(track=track, role="Musician", instrument="Cello\x85")
    else:
        featured = release.credits.get(track__isnull=True, role="FeaturedArtist").person
        featured.name = "Ada\x0bOkafor"
        featured.save()
    findings = as_owner.get(f"/api/v1/releases/{release.pk}/readiness/").json()["findings"]
    assert [(f["level"], f["message"]) for f in findings if f["code"] == "control_characters"] == [
        ("blocking", message)
    ]
    response = as_owner.get(f"/api/v1/releases/{release.pk}/ddex/")
    assert response.status_code == 400
    assert response.json() == {"ddex": [message]}
