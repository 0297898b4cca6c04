"""DDEX ERN 4.3: every message made validates against DDEX's schema; DDEX's samples import."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import etree
from rest_framework.test import APIClient

from releases import ddex
from releases.models import Credit, Release, Track
from studio.models import Person, Project

pytestmark = pytest.mark.django_db

SAMPLES = Path(settings.BASE_DIR) / "releases" / "ddex_schema"


@pytest.fixture
def release(project: Project) -> Release:
    release = Release.objects.create(
        project=project,
        type="single",
        title="Paper Lanterns",
        display_artist="Wren Castellano",
        upc="0012345678905",
        label="Driftwood Records",
        genre="Folk",
        language="en",
        p_line_year=2026,
        p_line_owner="Harbour Lane Productions",
        release_date=datetime.date(2027, 2, 12),
    )
    track = Track.objects.create(
        release=release,
        position=1,
        title="Paper Lanterns",
        isrc="DEA122600001",
        duration_seconds=214,
    )
    Track.objects.create(
        release=release,
        position=2,
        title="Low Tide (acoustic)",
        isrc="DEA122600002",
        duration_seconds=187,
        explicit=True,
    )
    composer = Person.objects.create(name="Wren Castellano")
    producer = Person.objects.create(name="Robin Marsh")
    Credit.objects.create(release=release, track=track, person=composer, role="Composer")
    Credit.objects.create(release=release, person=producer, role="Producer")
    return release


def test_export_validates_against_the_schema(
    as_owner: APIClient, as_outsider: APIClient, release: Release
) -> None:
    response = as_owner.get(f"/api/v1/releases/{release.pk}/ddex/")
    assert response.status_code == 200, response.content[:500]
    document = etree.ElementTree(etree.fromstring(response.content))
    assert ddex.validate(document) == []
    ns = {"ern": ddex.NS}
    root = document.getroot()
    assert root.tag == f"{{{ddex.NS}}}NewReleaseMessage"
    assert [e.text for e in root.iterfind(".//ISRC", ns)] == ["DEA122600001", "DEA122600002"]
    assert root.findtext("ReleaseList/Release/ReleaseId/ICPN") == "0012345678905"
    assert root.findtext("ReleaseList/Release/ReleaseType") == "Single"
    roles = [e.text for e in root.iterfind("ResourceList/SoundRecording/Contributor/Role")]
    # DDEX calls a record producer a StudioProducer; the release-wide credit is on each track.
    assert roles == ["Composer", "StudioProducer", "StudioProducer"]
    assert as_outsider.get(f"/api/v1/releases/{release.pk}/ddex/").status_code == 404


def test_round_trip_through_our_own_parser(release: Release) -> None:
    parsed = ddex.parse_message(ddex.new_release_message(release))
    assert (parsed.title, parsed.display_artist, parsed.upc, parsed.label) == (
        "Paper Lanterns",
        "Wren Castellano",
        "0012345678905",
        "Driftwood Records",
    )
    assert [(t.isrc, t.duration_seconds, t.explicit) for t in parsed.tracks] == [
        ("DEA122600001", 214, False),
        ("DEA122600002", 187, True),
    ]


def test_missing_identifiers_and_schema_errors(as_owner: APIClient, release: Release) -> None:
    Track.objects.filter(release=release, position=2).update(isrc="")
    response = as_owner.get(f"/api/v1/releases/{release.pk}/ddex/")
    assert response.status_code == 400
    assert response.json()["ddex"] == ["Not deliverable yet: track 2 has no ISRC."]
    # The schema check is real: a message without its header does not pass.
    Track.objects.filter(release=release, position=2).update(isrc="DEA122600002")
    document = ddex.new_release_message(release)
    root = document.getroot()
    root.remove(root.find("MessageHeader"))
    errors = ddex.validate(document)
    assert errors and "MessageHeader" in errors[0]


@pytest.mark.parametrize(
    ("sample", "tracks", "kind"),
    [("sample-audio-album.xml", 21, "album"), ("sample-audio-single.xml", 1, "single")],
)
def test_ddex_samples_import(
    as_owner: APIClient, project: Project, sample: str, tracks: int, kind: str
) -> None:
    upload = SimpleUploadedFile(
        sample, (SAMPLES / sample).read_bytes(), content_type="application/xml"
    )
    response = as_owner.post(
        "/api/v1/releases/import-ddex/",
        {"project": project.pk, "message": upload},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    release = Release.objects.get(pk=response.json()["id"])
    assert release.type == kind
    assert release.tracks.count() == tracks
    assert all(len(t.isrc) == 12 for t in release.tracks.all())
    assert Credit.objects.filter(release=release, role="MainArtist").exists()
    again = as_owner.post(
        "/api/v1/releases/import-ddex/",
        {
            "project": project.pk,
            "message": SimpleUploadedFile(sample, (SAMPLES / sample).read_bytes()),
        },
        format="multipart",
    )
    assert again.status_code == 400  # its ISRCs and barcode are already in the catalogue
    assert Release.objects.count() == 1


@pytest.mark.parametrize(
    "content",
    [
        b"<not xml",
        b"<?xml version='1.0'?><root/>",
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    ],
)
def test_bad_messages(as_owner: APIClient, project: Project, content: bytes) -> None:
    upload = SimpleUploadedFile("bad.xml", content, content_type="application/xml")
    response = as_owner.post(
        "/api/v1/releases/import-ddex/",
        {"project": project.pk, "message": upload},
        format="multipart",
    )
    assert response.status_code == 400
    assert "message" in response.json()
    assert not Release.objects.exists()


def test_outsider_cannot_import(as_outsider: APIClient, project: Project) -> None:
    upload = SimpleUploadedFile("s.xml", (SAMPLES / "sample-audio-single.xml").read_bytes())
    response = as_outsider.post(
        "/api/v1/releases/import-ddex/",
        {"project": project.pk, "message": upload},
        format="multipart",
    )
    assert response.status_code == 404
    assert not Release.objects.exists()
