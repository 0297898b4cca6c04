"""The delivery package and the distributor CSV: whole, checked, and safe to unpack."""

import csv
import hashlib
import io
import json
import zipfile
from pathlib import PurePosixPath
from typing import Any

import pytest
from django.test import TestCase
from lxml import etree
from rest_framework.test import APIClient

from releases import ddex, services
from releases.models import Release

pytestmark = pytest.mark.django_db


def render(client: APIClient, release: Release) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"/api/v1/releases/{release.pk}/render/", format="json")
    assert response.status_code == 202, response.json()


def fetch_zip(client: APIClient, release: Release) -> zipfile.ZipFile:
    response = client.get(f"/api/v1/releases/{release.pk}/package/")
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]


def test_package_holds_everything_with_checksums(
    as_owner: APIClient, ready_release: Release
) -> None:
    render(as_owner, ready_release)
    archive = fetch_zip(as_owner, ready_release)
    assert archive.testzip() is None
    names = archive.namelist()
    [root] = {name.split("/")[0] for name in names}
    assert root == "4006381333931 Wren Castellano - Paper Lanterns"
    inside = sorted(name.split("/", 1)[1] for name in names)
    assert inside == [
        "artwork/cover.jpg",
        "audio/aac/01 Paper Lanterns.m4a",
        "audio/aac/02 Low Tide.m4a",
        "audio/flac/01 Paper Lanterns.flac",
        "audio/flac/02 Low Tide.flac",
        "audio/mp3/01 Paper Lanterns.mp3",
        "audio/mp3/02 Low Tide.mp3",
        "audio/wav16/01 Paper Lanterns.wav",
        "audio/wav16/02 Low Tide.wav",
        "checksums.md5",
        "checksums.sha256",
        "ddex/4006381333931.xml",
        "metadata.json",
        "tracks.csv",
    ]
    # Every file but the manifests is in both manifests, with its real checksums.
    for manifest, algorithm in (("checksums.sha256", "sha256"), ("checksums.md5", "md5")):
        lines = archive.read(f"{root}/{manifest}").decode().splitlines()
        listed = {name: digest for digest, name in (line.split("  ", 1) for line in lines)}
        assert set(listed) == {n for n in inside if not n.startswith("checksums")}
        for name, digest in listed.items():
            assert hashlib.new(algorithm, archive.read(f"{root}/{name}")).hexdigest() == digest
    # The DDEX message validates and names each audio file with its MD5 and size.
    message = etree.fromstring(archive.read(f"{root}/ddex/4006381333931.xml"))
    assert ddex.validate(etree.ElementTree(message)) == []
    uris = {
        uri.text: uri.getparent()
        for uri in message.iterfind(
            ".//SoundRecordingEdition/TechnicalDetails/DeliveryFile/File/URI"
        )
    }
    assert sorted(uris) == [n for n in inside if n.startswith("audio/")]
    flac = uris["audio/flac/01 Paper Lanterns.flac"]
    data = archive.read(f"{root}/audio/flac/01 Paper Lanterns.flac")
    md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert flac.findtext("HashSum/HashSumValue") == md5
    assert flac.findtext("FileSize") == str(len(data))
    # metadata.json carries the release, tracks, splits, masters and loudness.
    meta = json.loads(archive.read(f"{root}/metadata.json"))
    assert meta["release"]["upc"] == "4006381333931"
    first = meta["tracks"][0]
    assert (first["isrc"], first["splits"][0]["share"]) == ("DEA122700001", "100.00")
    assert first["master"]["sample_rate"] == 48000
    assert first["master"]["integrated_lufs"] == pytest.approx(-14.2, abs=0.15)
    assert first["files"]["mp3"]["path"] == "audio/mp3/01 Paper Lanterns.mp3"


def test_names_cannot_escape_the_folder(as_owner: APIClient, ready_release: Release) -> None:
    services.release_save(release=ready_release, title="../../etc/passwd", display_artist="..")
    track = ready_release.tracks.get(position=1)
    services.track_save(track=track, title="..\\..\\boot.ini/")
    refused = as_owner.patch(f"/api/v1/tracks/{track.pk}/", {"title": "Bell\x07"}, format="json")
    assert refused.json() == {
        "title": ["Remove the control characters from this text (such as U+0007)."]
    }
    render(as_owner, ready_release)
    archive = fetch_zip(as_owner, ready_release)
    for name in archive.namelist():
        path = PurePosixPath(name)
        assert not path.is_absolute() and ".." not in path.parts, name
        assert "\\" not in name, name
    assert any(n.endswith("audio/flac/01 boot.ini.flac") for n in archive.namelist())


def test_package_refuses_until_ready_and_rendered(
    as_owner: APIClient, as_outsider: APIClient, ready_release: Release
) -> None:
    assert as_outsider.get(f"/api/v1/releases/{ready_release.pk}/package/").status_code == 404
    response = as_owner.get(f"/api/v1/releases/{ready_release.pk}/package/")
    assert response.status_code == 400
    assert (
        "Track 1 “Paper Lanterns” has no flac, wav16, mp3, aac deliverable: render it."
        in (response.json()["package"])
    )
    render(as_owner, ready_release)
    assert as_owner.get(f"/api/v1/releases/{ready_release.pk}/package/").status_code == 200
    # A changed master or changed metadata makes the rendered files stale.
    services.release_save(release=ready_release, genre="Indie Folk")
    stale = as_owner.get(f"/api/v1/releases/{ready_release.pk}/package/").json()["package"]
    assert any("out of date" in problem for problem in stale)
    services.release_save(release=ready_release, upc="")
    blocked = as_owner.get(f"/api/v1/releases/{ready_release.pk}/package/").json()["package"]
    assert "The release has no UPC/EAN barcode." in blocked


def test_distributor_csv(
    as_owner: APIClient,
    as_outsider: APIClient,
    ready_release: Release,
    django_assert_max_num_queries: Any,
) -> None:
    url = f"/api/v1/releases/{ready_release.pk}/distributor-csv/"
    assert as_outsider.get(url).status_code == 404
    with django_assert_max_num_queries(8):
        response = as_owner.get(url)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["isrc"] for r in rows] == ["DEA122700001", "DEA122700002"]
    first = rows[0]
    assert first["upc"] == "4006381333931"
    assert first["p_line"] == "℗ 2027 Harbour Lane Productions"
    assert first["composers"] == first["lyricists"] == "Wren Castellano"
    assert first["writer_splits"] == "Wren Castellano 100.00%"
    assert first["duration"] == "0:31"


def test_language_codes_are_checked(as_owner: APIClient, ready_release: Release) -> None:
    url = f"/api/v1/releases/{ready_release.pk}/"
    refused = as_owner.patch(url, {"language": "english"}, format="json")
    assert refused.json() == {"language": ["An ISO 639 language code such as en, de or pt-BR."]}
    assert as_owner.patch(url, {"language": "pt-BR"}, format="json").status_code == 200
    # A row written before the rule (or by hand) still gets a 400 naming the schema's complaint.
    render(as_owner, ready_release)
    Release.objects.filter(pk=ready_release.pk).update(language="english")
    response = as_owner.get(f"/api/v1/releases/{ready_release.pk}/package/")
    assert response.status_code == 400
    assert "'english' is not accepted" in response.json()["ddex"][0]
