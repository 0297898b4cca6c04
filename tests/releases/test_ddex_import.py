"""DDEX ERN 4.3 import: what we export comes back field by field, DDEX's own samples import
without loss, and a message with a bad identifier becomes a draft with the field flagged."""

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from lxml import etree
from rest_framework.test import APIClient

from projects.models import Project
from releases import ddex, services
from releases.ddex.parse import seconds
from releases.models import Credit, Release, Track
from tests.releases.factories import ddex_release

pytestmark = pytest.mark.django_db

SAMPLES = Path(settings.BASE_DIR) / "releases" / "ddex_schema"
RELEASE_FIELDS = [
    "type",
    "title",
    "version",
    "display_artist",
    "upc",
    "catalog_number",
    "label",
    "release_date",
    "original_release_date",
    "genre",
    "language",
    "p_line_year",
    "p_line_owner",
    "c_line_year",
    "c_line_owner",
    "parental_warning",
]
TRACK_FIELDS = [
    "disc",
    "position",
    "isrc",
    "title",
    "version",
    "duration_seconds",
    "explicit",
    "instrumental",
    "language",
]


def snapshot(release: Release) -> dict[str, Any]:
    """A release as the fields a store reads. Credits of the release itself that are not
    artists count on each track: ERN 4.3 has contributors on recordings only."""
    on_release = [c for c in release.credits.select_related("person") if c.track_id is None]
    artists = {(c.person.name, c.role, c.instrument) for c in on_release if "Artist" in c.role}
    release_wide = {
        (c.person.name, c.role, c.instrument) for c in on_release if "Artist" not in c.role
    }
    tracks = []
    for track in release.tracks.order_by("disc", "position"):
        credits = {
            (c.person.name, c.role, c.instrument) for c in track.credits.select_related("person")
        }
        tracks.append(
            {
                **{name: getattr(track, name) for name in TRACK_FIELDS},
                "credits": credits | release_wide,
            }
        )
    return {
        **{name: getattr(release, name) for name in RELEASE_FIELDS},
        "artists": artists,
        "tracks": tracks,
    }


def post_message(client: APIClient, project: Project, content: bytes) -> Any:
    upload = SimpleUploadedFile("message.xml", content, content_type="application/xml")
    return client.post(
        "/api/v1/releases/import-ddex/",
        {"project": project.pk, "message": upload},
        format="multipart",
    )


def sample(name: str) -> etree._ElementTree:
    return etree.parse(str(SAMPLES / name))


def as_bytes(document: etree._ElementTree) -> bytes:
    assert ddex.validate(document) == []  # every message these tests send is a valid one
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8")


def test_export_then_import_gives_the_same_release(as_owner: APIClient, project: Project) -> None:
    original = ddex_release(project)
    before = snapshot(original)
    message = as_owner.get(f"/api/v1/releases/{original.pk}/ddex/").content
    services.release_delete(release=original)  # its barcode and ISRCs are free again

    response = post_message(as_owner, project, message)

    assert response.status_code == 201, response.json()
    assert response.json()["import_warnings"] == []
    imported = Release.objects.get(pk=response.json()["id"])
    after = snapshot(imported)
    assert after == before
    # Spelled out, the parts most easily lost.
    assert (after["display_artist"], after["version"], after["catalog_number"]) == (
        "Wren Castellano",
        "Deluxe",
        "DRIFT-042",
    )
    assert ("Ada Okafor", "FeaturedArtist", "") in after["artists"]
    assert ("Mara Lind", "Musician", "electric guitar, modular synth") in after["tracks"][0][
        "credits"
    ]
    assert ("Theo Marsh", "FeaturedArtist", "") in after["tracks"][1]["credits"]
    assert [(t["disc"], t["position"]) for t in after["tracks"]] == [(1, 1), (1, 2), (2, 1)]


def test_album_sample_imports_without_loss(as_owner: APIClient, project: Project) -> None:
    response = post_message(as_owner, project, as_bytes(sample("sample-audio-album.xml")))

    assert response.status_code == 201, response.json()
    release = Release.objects.get(pk=response.json()["id"])
    assert {name: getattr(release, name) for name in RELEASE_FIELDS} == {
        "type": "album",
        "title": "Yume no Hajmari",
        "version": "",
        "display_artist": "Saeko Shu",
        "upc": "0094631432057",  # its GTIN-14 as the EAN-13 we keep
        "catalog_number": "",
        "label": "EMI MUSIC JAPAN INC.",
        # No ReleaseDate in the release: the start of its own deals.
        "release_date": datetime.date(2004, 4, 1),
        "original_release_date": None,
        "genre": "J-Pop",
        "language": "ja",  # every recording is performed in Japanese
        # The ℗ line is on the recordings only, the same on each.
        "p_line_year": 1994,
        "p_line_owner": "EMI Music Japan Inc.",
        "c_line_year": None,
        "c_line_owner": "",
        "parental_warning": "NoAdviceAvailable",  # not "NotExplicit": nobody said so
    }
    tracks = list(release.tracks.order_by("position"))
    assert len(tracks) == 21
    assert (tracks[0].isrc, tracks[0].title, tracks[0].duration_seconds) == (
        "JPTO09404900",
        "Yume no Lullaby",
        148,
    )
    instrumental = tracks[8]
    assert (instrumental.title, instrumental.version) == ("Natsu no Omoide", "Instrumental")
    assert {t.language for t in tracks} == {""}  # the release's language
    assert [t.position for t in tracks] == list(range(1, 22))
    assert set(
        Credit.objects.filter(release=release).values_list("track", "person__name", "role")
    ) == {(None, "Saeko Shu", "MainArtist")}
    assert release.import_warnings == []


def test_single_sample_imports_without_loss(as_owner: APIClient, project: Project) -> None:
    response = post_message(as_owner, project, as_bytes(sample("sample-audio-single.xml")))

    assert response.status_code == 201, response.json()
    release = Release.objects.get(pk=response.json()["id"])
    assert (release.type, release.title, release.display_artist) == (
        "single",
        "I Love You",
        "RIOPY",
    )
    # Its own ReleaseId has no ICPN (only the related release's has): no barcode, not a wrong one.
    assert release.upc == ""
    assert release.label == "Warner Classics"  # the default of its two labels
    assert (release.p_line_year, release.p_line_owner) == (
        2015,
        "Parlophone Records Limited, a Warner Music Group Company",
    )
    assert (release.c_line_year, release.c_line_owner) == (
        2017,
        "Parlophone Records Limited, a Warner Music Group Company",
    )
    assert (release.genre, str(release.release_date)) == ("Classical", "2017-04-25")
    assert release.parental_warning == Release.ParentalWarning.NO_ADVICE
    track = release.tracks.get()
    # PT4M23.583S: 263.583 s, rounded to 264.
    assert (track.isrc, track.title, track.duration_seconds) == ("GBAYC1700598", "I Love You", 264)
    assert Credit.objects.filter(release=release, track=None, role="MainArtist").count() == 1


def test_reimport_is_refused_whole(as_owner: APIClient, project: Project) -> None:
    content = as_bytes(sample("sample-audio-album.xml"))
    assert post_message(as_owner, project, content).status_code == 201
    again = post_message(as_owner, project, content)
    assert again.status_code == 400  # its ISRCs and barcode are already in the catalogue
    assert "upc" in again.json()
    assert Release.objects.count() == 1


def test_bad_check_digits_import_as_a_flagged_draft(
    as_owner: APIClient, owner: Any, project: Project
) -> None:
    document = sample("sample-audio-album.xml")
    root = document.getroot()
    root.find("ReleaseList/Release/ReleaseId/ICPN").text = "00094631432058"  # check digit off
    root.find(
        "ResourceList/SoundRecording/SoundRecordingEdition/ResourceId/ISRC"
    ).text = "XXTO09404900"  # no country XX

    response = post_message(as_owner, project, as_bytes(document))

    assert response.status_code == 201, response.json()
    release = Release.objects.get(pk=response.json()["id"])
    first = release.tracks.get(position=1)
    assert (release.upc, first.isrc) == ("", "")
    assert release.tracks.exclude(isrc="").count() == 20  # the others are kept
    flagged = {(w["code"], w["value"], w["track"]) for w in response.json()["import_warnings"]}
    assert flagged == {
        ("invalid_upc", "0094631432058", None),
        ("invalid_isrc", "XXTO09404900", first.pk),
    }
    findings = as_owner.get(f"/api/v1/releases/{release.pk}/readiness/").json()["findings"]
    codes = {(f["code"], f["track"]) for f in findings}
    assert {("invalid_upc", None), ("invalid_isrc", first.pk), ("missing_upc", None)} <= codes
    assert "0094631432058" in next(f for f in findings if f["code"] == "invalid_upc")["message"]
    page = Client()
    page.force_login(owner)
    assert "0094631432058" in page.get(f"/releases/{release.pk}/").content.decode()

    # Filling the field in is what clears its flag.
    fixed = as_owner.patch(
        f"/api/v1/releases/{release.pk}/", {"upc": "0094631432057"}, format="json"
    )
    assert fixed.status_code == 200, fixed.json()
    as_owner.patch(f"/api/v1/tracks/{first.pk}/", {"isrc": "JPTO09404900"}, format="json")
    release.refresh_from_db()
    assert release.import_warnings == []


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("Explicit", "Explicit"),
        ("ExplicitContentEdited", "ExplicitContentEdited"),
        ("NotExplicit", "NotExplicit"),
        ("NoAdviceAvailable", "NoAdviceAvailable"),
        ("Unknown", "NoAdviceAvailable"),
    ],
)
def test_parental_warning_kept_as_given(given: str, kept: str) -> None:
    document = sample("sample-audio-single.xml")
    document.getroot().find("ReleaseList/Release/ParentalWarningType").text = given
    parsed = ddex.parse_message(etree.ElementTree(etree.fromstring(as_bytes(document))))
    assert parsed.parental_warning == kept
    assert [w["code"] for w in parsed.warnings] == (
        ["parental_warning"] if given == "Unknown" else []
    )


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        ("PT3M20.6S", 201),
        ("PT3M20.4S", 200),
        ("PT3M20.5S", 201),
        ("PT1H2M3S", 3723),
        ("PT45S", 45),
        ("PT4M", 240),
        ("P", None),
        ("soon", None),
    ],
)
def test_durations_round_to_the_second(duration: str, expected: int | None) -> None:
    assert seconds(duration) == expected


def add_contributor(
    document: etree._ElementTree,
    name: str,
    roles: list[str],
    instruments: list[tuple[str, str | None]],
) -> None:
    """A party and its contribution to the single's recording, where the schema puts them."""
    root = document.getroot()
    reference = "P" + "".join(name.split())
    party = etree.SubElement(root.find("PartyList"), "Party")
    etree.SubElement(party, "PartyReference").text = reference
    etree.SubElement(etree.SubElement(party, "PartyName"), "FullName").text = name
    recording = root.find("ResourceList/SoundRecording")
    contributor = etree.Element("Contributor")
    etree.SubElement(contributor, "ContributorPartyReference").text = reference
    for role in roles:
        etree.SubElement(contributor, "Role").text = role
    for instrument, user_defined in instruments:
        element = etree.SubElement(contributor, "InstrumentType")
        element.text = instrument
        if user_defined:
            element.set("UserDefinedValue", user_defined)
    recording.find("Duration").addprevious(contributor)


def test_every_contributor_with_role_and_instrument(as_owner: APIClient, project: Project) -> None:
    document = sample("sample-audio-single.xml")
    add_contributor(document, "Ilse Brandt", ["Soloist"], [("Violin", None)])
    add_contributor(document, "Harbour Strings", ["Orchestra"], [])
    add_contributor(document, "Jonas Feld", ["StudioMusician"], [("DoubleBass", None)])
    add_contributor(document, "Mara Lind", [], [("UserDefined", "modular synth"), ("Piano", None)])
    add_contributor(document, "Lena Vogt", ["GuestConductor"], [])
    add_contributor(document, "Ana Ruiz", ["ComposerLyricist"], [])
    add_contributor(document, "Kit Osei", ["Photographer"], [])
    recording = document.getroot().find("ResourceList/SoundRecording")
    recording.find("Duration").text = "PT3M20.6S"

    response = post_message(as_owner, project, as_bytes(document))

    assert response.status_code == 201, response.json()
    track = Track.objects.get(release_id=response.json()["id"])
    assert track.duration_seconds == 201
    credits = set(track.credits.values_list("person__name", "role", "instrument"))
    assert credits == {
        ("Ilse Brandt", "Soloist", "violin"),
        ("Harbour Strings", "Orchestra", ""),
        ("Jonas Feld", "Musician", "double bass"),
        ("Mara Lind", "Musician", "modular synth, piano"),
        ("Lena Vogt", "Conductor", ""),
        ("Ana Ruiz", "Composer", ""),
        ("Ana Ruiz", "Lyricist", ""),
    }
    # The main artist credited as "Artist" on the recording is the release's, once.
    release = track.release
    assert set(release.credits.filter(track=None).values_list("person__name", "role")) == {
        ("RIOPY", "MainArtist")
    }
    (warning,) = release.import_warnings
    assert (warning["code"], warning["value"], warning["track"]) == (
        "unknown_role",
        "Photographer",
        track.pk,
    )


@pytest.mark.parametrize(
    "content",
    [
        b"<not xml",
        b"\x89PNG\r\n\x1a\n\x00\x00binary",
        b"<?xml version='1.0'?><root/>",
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
        b'<ern:NewReleaseMessage xmlns:ern="http://ddex.net/xml/ern/43"/>',
    ],
)
def test_bad_messages(as_owner: APIClient, project: Project, content: bytes) -> None:
    response = post_message(as_owner, project, content)
    assert response.status_code == 400
    assert response.json()["message"]
    assert not Release.objects.exists()


def test_schema_invalid_ddex_is_refused(as_owner: APIClient, project: Project) -> None:
    document = sample("sample-audio-album.xml")
    root = document.getroot()
    root.remove(root.find("MessageHeader"))
    response = post_message(as_owner, project, etree.tostring(document))
    assert response.status_code == 400
    assert "MessageHeader" in response.json()["message"][0]
    assert not Release.objects.exists()


def test_outsider_cannot_import(as_outsider: APIClient, project: Project) -> None:
    response = post_message(as_outsider, project, as_bytes(sample("sample-audio-single.xml")))
    assert response.status_code == 404
    assert not Release.objects.exists()
