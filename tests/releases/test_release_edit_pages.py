"""The release fixed from its page: metadata, tracks, cover, ISRCs from a kept prefix, and
readiness linking each blocker to the field that fixes it."""

import datetime
import io
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from projects.models import Project
from releases import services
from releases.models import Artwork, IsrcPrefix, Release, Track
from studio.models import Studio

pytestmark = pytest.mark.django_db

RELEASE_FIELDS = {
    "title": "Paper Lanterns",
    "version": "",
    "display_artist": "Wren Castellano",
    "type": "single",
    "label": "Driftwood Records",
    "upc": "",
    "catalog_number": "",
    "release_date": "2027-02-12",
    "original_release_date": "",
    "genre": "Folk",
    "language": "en",
    "parental_warning": "NotExplicit",
    "p_line_year": "2027",
    "p_line_owner": "Harbour Lane Productions",
    "c_line_year": "",
    "c_line_owner": "",
    "targets": ["flac", "mp3"],
}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_release(project: Project, tracks: int = 2) -> Release:
    release = services.release_save(
        project=project,
        title="Paper Lanterns",
        display_artist="Wren Castellano",
        label="Driftwood Records",
        genre="Folk",
        release_date=datetime.date(2027, 2, 12),
    )
    for position in range(1, tracks + 1):
        services.track_save(release=release, position=position, title=f"Song {position}")
    return release


def track_fields(track: Track, **changes: Any) -> dict[str, Any]:
    """The track's form as the page posts it, with ``changes``; a box unticked is absent."""
    fields = {
        "title": track.title,
        "version": track.version,
        "disc": track.disc,
        "position": track.position,
        "isrc": track.isrc,
        "iswc": track.iswc,
        "explicit": track.explicit,
        "instrumental": track.instrumental,
        **changes,
    }
    return {
        f"track-{track.pk}-{name}": "on" if value is True else value
        for name, value in fields.items()
        if value is not False
    }


def error_beside(page: str, field_id: str) -> str:
    """The refusal shown in the field block of ``field_id`` (empty when none)."""
    match = re.search(rf'<label for="{field_id}">.*?</div>', page, flags=re.DOTALL) or re.search(
        rf'id="{field_id}".*?</div>', page, flags=re.DOTALL
    )
    assert match is not None, f"no field {field_id}"
    errors = re.findall(rf'<p class="error" id="{field_id}-error">(.*?)</p>', match.group(0))
    return " ".join(errors)


def png(size: tuple[int, int], mode: str = "RGB") -> bytes:
    data = io.BytesIO()
    Image.new(mode, size, "teal" if mode == "RGB" else 128).save(data, "PNG")
    return data.getvalue()


def gif(size: tuple[int, int]) -> bytes:
    data = io.BytesIO()
    Image.new("RGB", size, "teal").save(data, "GIF")
    return data.getvalue()


# Metadata


def test_release_metadata_saved_from_the_page(owner: Any, project: Project) -> None:
    release = make_release(project)
    client = client_for(owner)
    response = client.post(
        f"/releases/{release.pk}/edit/",
        {**RELEASE_FIELDS, "upc": "4006-3813-3393-1", "c_line_year": "2027", "c_line_owner": "HL"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/releases/{release.pk}/#release-details")
    release.refresh_from_db()
    assert release.upc == "4006381333931"  # the service's compact form
    assert (release.c_line_year, release.c_line_owner) == (2027, "HL")
    assert release.targets == ["flac", "mp3"]
    page = client.get(f"/releases/{release.pk}/").content.decode()
    assert "Release details saved." in page
    assert "has no UPC/EAN barcode" not in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("upc", "4006381333932", "not a valid barcode"),
        ("language", "english!", "ISO 639 language code"),
        ("title", "Paper\x07Lanterns", "control character"),
        ("release_date", "2027-02-30", "Enter a valid date"),
        ("p_line_year", "27x", "Enter a whole number"),
    ],
)
def test_release_refusal_beside_its_field_nothing_saved(
    owner: Any, project: Project, field: str, value: str, message: str
) -> None:
    release = make_release(project)
    client = client_for(owner)
    response = client.post(
        f"/releases/{release.pk}/edit/", {**RELEASE_FIELDS, "genre": "Pop", field: value}
    )
    assert response.status_code == 400
    assert message in error_beside(response.content.decode(), f"field-{field}")
    release.refresh_from_db()
    assert release.genre == "Folk"  # nothing half-written


def test_barcode_of_another_release_refused_beside_upc(owner: Any, project: Project) -> None:
    make_release(project, tracks=0)
    other = Release.objects.get()
    services.release_save(release=other, upc="4006381333931")
    release = make_release(project)
    response = client_for(owner).post(
        f"/releases/{release.pk}/edit/", {**RELEASE_FIELDS, "upc": "4006381333931"}
    )
    assert response.status_code == 400
    assert "already has the barcode" in error_beside(response.content.decode(), "field-upc")


def test_htmx_edit_swaps_the_form_and_the_checklist(owner: Any, project: Project) -> None:
    release = make_release(project)
    response = client_for(owner).post(
        f"/releases/{release.pk}/edit/",
        {**RELEASE_FIELDS, "upc": "4006381333931"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Saved." in body and "<html" not in body
    assert 'id="readiness"' in body and 'hx-swap-oob="true"' in body
    assert "has no UPC/EAN barcode" not in body
    refused = client_for(owner).post(
        f"/releases/{release.pk}/edit/",
        {**RELEASE_FIELDS, "upc": "123"},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 200  # htmx swaps 2xx only: the refusal must show
    assert "is not a UPC" in error_beside(refused.content.decode(), "field-upc")


# Tracks


def test_track_metadata_saved_inline(owner: Any, project: Project) -> None:
    release = make_release(project)
    track = release.tracks.get(position=2)
    response = client_for(owner).post(
        f"/releases/{release.pk}/tracks/{track.pk}/edit/",
        track_fields(
            track,
            title="Low Tide",
            version="Acoustic",
            isrc="DE-A12-27-00005",
            iswc="T-034.524.680-1",
            explicit=True,
            instrumental=True,
        ),
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#track-{track.pk}")
    track.refresh_from_db()
    assert (track.title, track.version, track.isrc, track.iswc) == (
        "Low Tide",
        "Acoustic",
        "DEA122700005",
        "T0345246801",
    )
    assert track.explicit and track.instrumental


def test_track_refusals_beside_their_fields(owner: Any, project: Project) -> None:
    release = make_release(project)
    first, second = release.tracks.order_by("position")
    services.track_save(track=first, isrc="DEA122700001")
    client = client_for(owner)
    url = f"/releases/{release.pk}/tracks/{second.pk}/edit/"
    taken = client.post(url, track_fields(second, isrc="DE-A12-27-00001", title="Changed"))
    assert taken.status_code == 400
    page = taken.content.decode()
    assert "already names “1. Song 1”" in error_beside(page, f"track-{second.pk}-isrc")
    bad_iswc = client.post(url, track_fields(second, iswc="T-034.524.680-2"))
    assert "wrong check digit" in error_beside(bad_iswc.content.decode(), f"track-{second.pk}-iswc")
    place = client.post(url, track_fields(second, position=1))
    assert "already has a track 1" in error_beside(
        place.content.decode(), f"track-{second.pk}-position"
    )
    control = client.post(url, track_fields(second, title="Low\x00Tide"))
    assert control.status_code == 400
    assert error_beside(control.content.decode(), f"track-{second.pk}-title")
    second.refresh_from_db()
    assert (second.title, second.isrc, second.position) == ("Song 2", "", 2)


def test_htmx_track_edit_returns_its_row(owner: Any, project: Project) -> None:
    release = make_release(project)
    track = release.tracks.get(position=1)
    response = client_for(owner).post(
        f"/releases/{release.pk}/tracks/{track.pk}/edit/",
        track_fields(track, isrc="bad"),
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<div class="card track-edit" id="track-{track.pk}">')
    assert "is not an ISRC" in error_beside(body, f"track-{track.pk}-isrc")


def test_add_and_remove_tracks(owner: Any, project: Project) -> None:
    release = make_release(project)
    client = client_for(owner)
    page = client.get(f"/releases/{release.pk}/").content.decode()
    assert 'name="new-track-position" value="3"' in page  # the next free number
    added = client.post(
        f"/releases/{release.pk}/tracks/",
        {"new-track-title": "Harbour", "new-track-disc": "1", "new-track-position": "3"},
    )
    assert added.status_code == 302
    track = release.tracks.get(position=3)
    assert track.title == "Harbour"
    again = client.post(
        f"/releases/{release.pk}/tracks/",
        {"new-track-title": "Twice", "new-track-disc": "1", "new-track-position": "3"},
    )
    assert again.status_code == 400
    assert "already has a track 3" in error_beside(again.content.decode(), "new-track-position")
    page = client.get(f"/releases/{release.pk}/").content.decode()
    assert "Remove track 3 and its master and deliverables?" in page
    removed = client.post(f"/releases/{release.pk}/tracks/{track.pk}/remove/")
    assert removed.status_code == 302
    assert not Track.objects.filter(pk=track.pk).exists()
    assert release.tracks.count() == 2


# Cover


def test_cover_uploaded_with_its_warning(owner: Any, project: Project) -> None:
    release = make_release(project)
    client = client_for(owner)
    response = client.post(
        f"/releases/{release.pk}/cover/",
        {"cover": _upload("cover.png", png((1600, 1600)))},
        follow=True,
    )
    page = response.content.decode()
    assert "Cover kept: 1600 × 1600 px PNG." in page
    assert "3000" in page  # the warning below 3000 px
    assert Artwork.objects.get(release=release).width == 1600


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (png((1600, 1500)), "square"),
        (png((1000, 1000)), "1400"),
        (png((1600, 1600), mode="L"), "RGB"),
        (gif((1600, 1600)), "JPEG or PNG"),
        (png((1600, 1600))[:200], ""),  # corrupt: cut short
    ],
)
def test_cover_refused_beside_the_file_field(
    owner: Any, project: Project, data: bytes, message: str
) -> None:
    release = make_release(project)
    response = client_for(owner).post(
        f"/releases/{release.pk}/cover/", {"cover": _upload("cover.png", data)}
    )
    assert response.status_code == 400
    refusal = error_beside(response.content.decode(), "field-cover")
    assert refusal and message in refusal
    assert not Artwork.objects.filter(release=release).exists()


def _upload(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


# ISRCs from a kept prefix


def test_isrc_allocated_from_the_kept_prefix(owner: Any, project: Project) -> None:
    release = make_release(project, tracks=3)
    first, second, third = release.tracks.order_by("position")
    client = client_for(owner)
    page = client.get(f"/releases/{release.pk}/").content.decode()
    assert "Allocate ISRC" not in page and "Keep registrant prefix" in page
    kept = client.post(
        f"/releases/{release.pk}/isrc-prefix/",
        {"prefix-name": "Driftwood Records", "prefix-country": "de", "prefix-registrant": "a12"},
    )
    assert kept.status_code == 302
    prefix = IsrcPrefix.objects.get()
    assert (prefix.country, prefix.registrant, prefix.label) == ("DE", "A12", "Driftwood Records")
    page = client.get(f"/releases/{release.pk}/").content.decode()
    assert "Driftwood Records (DE-A12)" in page and page.count("Allocate ISRC") == 3
    year = timezone.localdate().year % 100
    for track in (second, first):
        response = client.post(f"/releases/{release.pk}/tracks/{track.pk}/isrc/")
        assert response.status_code == 302
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.isrc == f"DEA12{year:02d}00001"  # the second track first: its own number
    assert first.isrc == f"DEA12{year:02d}00002"  # and the next, consecutive
    # htmx: the row comes back with the code and without the button.
    response = client.post(
        f"/releases/{release.pk}/tracks/{third.pk}/isrc/", headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert f"DEA12{year:02d}00003" in body and "Allocate ISRC" not in body
    assert f'<template><td data-label="ISRC" id="isrc-of-{third.pk}" hx-swap-oob="true">' in body


def test_isrc_allocation_lost_race_is_a_message(owner: Any, project: Project) -> None:
    release = make_release(project)
    track = release.tracks.get(position=1)
    IsrcPrefix.objects.create(
        name="Driftwood", country="DE", registrant="A12", label="Driftwood Records", kept_by=owner
    )
    client = client_for(owner)
    client.post(f"/releases/{release.pk}/tracks/{track.pk}/isrc/")
    # The second click of two: the track has its code already (the service's 409).
    response = client.post(f"/releases/{release.pk}/tracks/{track.pk}/isrc/", follow=True)
    track.refresh_from_db()
    assert f"already has the ISRC {track.isrc}" in response.content.decode()
    assert IsrcPrefix.objects.count() == 1


def test_prefix_refusals_beside_fields(owner: Any, project: Project) -> None:
    release = make_release(project)
    response = client_for(owner).post(
        f"/releases/{release.pk}/isrc-prefix/",
        {"prefix-name": "X", "prefix-country": "D1", "prefix-registrant": "A-2"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Two letters" in error_beside(page, "prefix-country")
    assert "Three letters or digits" in error_beside(page, "prefix-registrant")
    assert not IsrcPrefix.objects.exists()


def test_studio_prefix_serves_its_productions_label_prefix_only_its_keepers(
    owner: Any, outsider: Any, project: Project
) -> None:
    release = make_release(project)
    # A stranger keeping a prefix under the same label name does not give it to this release.
    IsrcPrefix.objects.create(
        name="Not yours",
        country="GB",
        registrant="ZZZ",
        label="Driftwood Records",
        kept_by=outsider,
    )
    assert services.isrc_prefix_for(release=release) is None
    studio = Studio.objects.create(name="Harbour Lane", time_zone="Europe/Berlin")
    project.studios.add(studio)
    IsrcPrefix.objects.create(name="Harbour Lane", country="DE", registrant="H01", studio=studio)
    prefix = services.isrc_prefix_for(release=release)
    assert prefix is not None and prefix.code == "DE-H01"


# Readiness links


def test_each_blocker_links_to_its_field(owner: Any, project: Project) -> None:
    release = make_release(project)
    track = release.tracks.get(position=1)
    page = client_for(owner).get(f"/releases/{release.pk}/").content.decode()
    links = {
        "#field-upc": "no UPC/EAN barcode",
        "#field-c_line_year": "no © line",
        "#field-p_line_year": "no ℗ line",
        "#field-cover": "no cover art",
        f"#track-{track.pk}-isrc": "“Song 1” has no ISRC",
        f"#master-{track.pk}": "“Song 1” has no master",
        "#credit-person": "“Song 1” has no composer credit",
    }
    for anchor, words in links.items():
        # The page's own address: a refused form answers at its own URL, and the link must
        # still lead to the field.
        link = f"/releases/{release.pk}/{anchor}"
        assert re.search(rf'<a href="{link}">[^<]*{words}', page), anchor
        assert f'id="{anchor[1:]}"' in page, anchor


# Who may


def test_viewer_reads_but_may_not_write(collaborator: Any, project: Project) -> None:
    release = make_release(project)
    track = release.tracks.get(position=1)
    client = client_for(collaborator)
    page = client.get(f"/releases/{release.pk}/").content.decode()
    assert "Save release details" not in page and "has no UPC/EAN" in page
    assert "#field-upc" not in page
    base = f"/releases/{release.pk}"
    for url, data in [
        (f"{base}/edit/", RELEASE_FIELDS),
        (f"{base}/cover/", {}),
        (f"{base}/isrc-prefix/", {}),
        (f"{base}/tracks/", {}),
        (f"{base}/tracks/{track.pk}/edit/", track_fields(track, title="X")),
        (f"{base}/tracks/{track.pk}/isrc/", {}),
        (f"{base}/tracks/{track.pk}/remove/", {}),
    ]:
        assert client.post(url, data).status_code == 403, url
    assert Track.objects.filter(pk=track.pk, title="Song 1").exists()


def test_outsider_gets_404(outsider: Any, project: Project) -> None:
    release = make_release(project)
    track = release.tracks.get(position=1)
    client = client_for(outsider)
    base = f"/releases/{release.pk}"
    for url in [
        f"{base}/edit/",
        f"{base}/cover/",
        f"{base}/isrc-prefix/",
        f"{base}/tracks/",
        f"{base}/tracks/{track.pk}/edit/",
        f"{base}/tracks/{track.pk}/isrc/",
        f"{base}/tracks/{track.pk}/remove/",
    ]:
        assert client.post(url, {}).status_code == 404, url
    assert Track.objects.filter(pk=track.pk).exists()


# Query counts


@pytest.mark.parametrize("tracks", [2, 12])
def test_page_queries_do_not_grow_with_tracks(
    owner: Any, project: Project, tracks: int, django_assert_num_queries: Any
) -> None:
    release = make_release(project, tracks=tracks)
    IsrcPrefix.objects.create(
        name="Driftwood", country="DE", registrant="A12", label="Driftwood Records", kept_by=owner
    )
    client = client_for(owner)
    client.get(f"/releases/{release.pk}/")
    # Session, user, release (project, cover, kept prefix in one), tracks, credits, splits,
    # deliverables, last render job, role, release credits, people for the credit form.
    with django_assert_num_queries(12):  # 12: the songs a track may be made from
        page = client.get(f"/releases/{release.pk}/").content.decode()
    assert page.count("Allocate ISRC") == tracks


def test_api_allocates_from_the_kept_prefix(owner: Any, project: Project) -> None:
    from tests.conftest import api_client_for

    release = make_release(project)
    track = release.tracks.get(position=1)
    api = api_client_for(owner)
    url = f"/api/v1/tracks/{track.pk}/allocate-isrc/"
    refused = api.post(url, {}, format="json")
    assert refused.status_code == 400 and "isrc" in refused.json()
    half = api.post(url, {"country": "DE"}, format="json")
    assert half.status_code == 400 and "registrant" in half.json()
    IsrcPrefix.objects.create(
        name="Driftwood", country="DE", registrant="A12", label="Driftwood Records", kept_by=owner
    )
    response = api.post(url, {}, format="json")
    year = timezone.localdate().year % 100
    assert response.status_code == 200
    assert response.json()["isrc"] == f"DEA12{year:02d}00001"
    assert api.post(url, {}, format="json").status_code == 409
