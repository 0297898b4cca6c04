"""Release metadata: identifiers, ISRC allocation, splits, credits, and the readiness rules."""

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from projects.models import Project, Role
from releases.identifiers import normalize_isrc, normalize_iswc, normalize_upc
from releases.models import Release, Split, Track
from tests.conftest import api_client_for
from tests.factories import MembershipFactory, PersonFactory, UserFactory
from tests.releases.factories import CreditFactory, ReleaseFactory, TrackFactory
from tests.studio.test_booking_races import run_at_once

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("normalize", "value", "expected"),
    [
        (normalize_isrc, "de-a12-26-00001", "DEA122600001"),
        (normalize_upc, "0 12345 67890 5", "0012345678905"),
        (normalize_upc, "4006381333931", "4006381333931"),
        (normalize_iswc, "T-034.524.680-1", "T0345246801"),
    ],
)
def test_identifiers_normalize(normalize: Any, value: str, expected: str) -> None:
    assert normalize(value) == expected


@pytest.mark.parametrize(
    ("normalize", "value"),
    [
        (normalize_isrc, "DE-A12-26-0001"),
        (normalize_upc, "012345678901"),
        (normalize_upc, "12345"),
        (normalize_iswc, "T-034.524.680-2"),
        (normalize_iswc, "034524680"),
    ],
)
def test_bad_identifiers(normalize: Any, value: str) -> None:
    with pytest.raises(ValidationError):
        normalize(value)


@pytest.fixture
def release(as_owner: APIClient, project: Project) -> dict[str, Any]:
    response = as_owner.post(
        "/api/v1/releases/",
        {
            "project": project.pk,
            "type": "single",
            "title": "Paper Lanterns",
            "display_artist": "Wren Castellano",
            "upc": "012345678905",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return dict(response.json())


def add_track(client: APIClient, release: dict[str, Any], position: int, **extra: Any) -> Any:
    return client.post(
        "/api/v1/tracks/",
        {"release": release["id"], "position": position, "title": f"Song {position}", **extra},
        format="json",
    )


def test_release_and_tracks(
    as_owner: APIClient, as_collaborator: APIClient, as_outsider: APIClient, release: dict[str, Any]
) -> None:
    assert release["upc"] == "0012345678905"
    track = add_track(as_owner, release, 1, isrc="de-a12-26-00001")
    assert track.status_code == 201, track.json()
    assert track.json()["isrc"] == "DEA122600001"
    again = add_track(as_owner, release, 2, isrc="DEA122600001")
    assert again.status_code == 400
    assert "already names" in again.json()["isrc"][0]
    assert add_track(as_owner, release, 1).status_code == 400  # position taken
    assert add_track(as_owner, release, 3, isrc="nonsense").status_code == 400
    assert as_collaborator.get(f"/api/v1/releases/{release['id']}/").status_code == 200
    assert add_track(as_collaborator, release, 4).status_code == 403
    assert as_outsider.get(f"/api/v1/releases/{release['id']}/").status_code == 404
    assert Track.objects.count() == 1


def test_upc_unique_and_checked(
    as_owner: APIClient, project: Project, release: dict[str, Any]
) -> None:
    body = {"project": project.pk, "title": "B-side", "display_artist": "Wren"}
    taken = as_owner.post("/api/v1/releases/", {**body, "upc": "0012345678905"}, format="json")
    assert taken.status_code == 400 and "upc" in taken.json()
    wrong = as_owner.post("/api/v1/releases/", {**body, "upc": "012345678901"}, format="json")
    assert wrong.status_code == 400 and "upc" in wrong.json()
    assert Release.objects.count() == 1


def test_isrc_allocation_never_reuses(as_owner: APIClient, release: dict[str, Any]) -> None:
    ids = [add_track(as_owner, release, n).json()["id"] for n in (1, 2)]
    year = timezone.localdate().year % 100
    first = as_owner.post(
        f"/api/v1/tracks/{ids[0]}/allocate-isrc/",
        {"country": "de", "registrant": "a12"},
        format="json",
    )
    assert first.json()["isrc"] == f"DEA12{year:02d}00001"
    second = as_owner.post(
        f"/api/v1/tracks/{ids[1]}/allocate-isrc/",
        {"country": "DE", "registrant": "A12"},
        format="json",
    )
    assert second.json()["isrc"] == f"DEA12{year:02d}00002"
    assert (
        as_owner.post(
            f"/api/v1/tracks/{ids[0]}/allocate-isrc/",
            {"country": "DE", "registrant": "A12"},
            format="json",
        ).status_code
        == 409
    )
    # A freed number is not given again.
    Track.objects.filter(pk=ids[1]).update(isrc="")
    third = as_owner.post(
        f"/api/v1/tracks/{ids[1]}/allocate-isrc/",
        {"country": "DE", "registrant": "A12"},
        format="json",
    )
    assert third.json()["isrc"] == f"DEA12{year:02d}00003"
    assert (
        as_owner.post(
            f"/api/v1/tracks/{ids[1]}/allocate-isrc/",
            {"country": "D1", "registrant": "A12"},
            format="json",
        ).status_code
        == 409
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_allocations_get_distinct_isrcs() -> None:
    from releases import services
    from tests.factories import ProjectFactory

    project = ProjectFactory.create()
    release = Release.objects.create(project=project, title="R", display_artist="A")
    tracks = [
        Track.objects.create(release=release, position=n + 1, title=f"T{n}") for n in range(10)
    ]
    results = run_at_once(
        lambda i: services.isrc_allocate(track=tracks[i], country="DE", registrant="A12").isrc, 10
    )
    assert all(isinstance(code, str) for code in results), results
    assert len(set(results)) == 10


def test_allocation_for_a_track_that_got_its_isrc_meanwhile(owner: Any, project: Project) -> None:
    """The check is made again on the locked row: a stale copy of the track (read before
    another allocation gave it a code) gets a 409, and no number is used up."""
    from core.errors import Conflict
    from releases import services
    from releases.models import IsrcRegistrant

    release = Release.objects.create(project=project, title="R", display_artist="A")
    track = Track.objects.create(release=release, position=1, title="Low Tide")
    stale = Track.objects.get(pk=track.pk)
    given = services.isrc_allocate(track=track, country="DE", registrant="A12").isrc
    with pytest.raises(Conflict) as refused:
        services.isrc_allocate(track=stale, country="DE", registrant="A12")
    assert refused.value.code == "has_isrc"
    assert Track.objects.get(pk=track.pk).isrc == given
    assert IsrcRegistrant.objects.get(country="DE", registrant="A12").last_number == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_allocations_for_one_track_at_once() -> None:
    """Two requests for the same track at the same moment on PostgreSQL: one code, one 409."""
    from releases.models import IsrcRegistrant
    from tests.factories import ProjectFactory

    producer = UserFactory.create(username="producer")
    project = ProjectFactory.create()
    MembershipFactory.create(project=project, user=producer, role=Role.PRODUCER)
    release = Release.objects.create(project=project, title="R", display_artist="A")
    track = Track.objects.create(release=release, position=1, title="Low Tide")

    def allocate(_: int) -> int:
        response = api_client_for(producer).post(
            f"/api/v1/tracks/{track.pk}/allocate-isrc/",
            {"country": "DE", "registrant": "A12"},
            format="json",
        )
        return response.status_code

    assert sorted(run_at_once(allocate, 2)) == [200, 409]
    assert IsrcRegistrant.objects.get(country="DE", registrant="A12").last_number == 1
    assert Track.objects.get(pk=track.pk).isrc.endswith("00001")


def test_splits_sum_to_exactly_100(as_owner: APIClient, release: dict[str, Any]) -> None:
    track = add_track(as_owner, release, 1).json()
    url = f"/api/v1/tracks/{track['id']}/splits/"
    short = as_owner.post(
        url,
        {
            "kind": "writer",
            "shares": [
                {"party": "Wren Castellano", "share": "60"},
                {"party": "Ezra Pennick", "share": "39.99"},
            ],
        },
        format="json",
    )
    assert short.status_code == 400
    assert "sum to 99.99 %, not 100 %" in short.json()["shares"][0]
    twice = as_owner.post(
        url,
        {
            "kind": "writer",
            "shares": [{"party": "A B", "share": "50"}, {"party": "A B", "share": "50"}],
        },
        format="json",
    )
    assert twice.status_code == 400
    ok = as_owner.post(
        url,
        {
            "kind": "writer",
            "shares": [
                {"party": "Wren Castellano", "share": "66.67"},
                {"party": "Ezra Pennick", "share": "33.33"},
            ],
        },
        format="json",
    )
    assert ok.status_code == 200, ok.json()
    assert Split.objects.filter(track_id=track["id"]).count() == 2
    assert as_owner.post(url, {"kind": "heir", "shares": []}, format="json").status_code == 400


def test_readiness(
    as_owner: APIClient,
    project: Project,
    release: dict[str, Any],
    django_assert_max_num_queries: Any,
) -> None:
    track = add_track(as_owner, release, 1, explicit=True, duration_seconds=25).json()
    url = f"/api/v1/releases/{release['id']}/readiness/"
    with django_assert_max_num_queries(6):
        body = as_owner.get(url).json()
    codes = {f["code"] for f in body["findings"] if f["level"] == "blocking"}
    assert body["ready"] is False
    assert {
        "missing_isrc",
        "missing_p_line",
        "missing_c_line",
        "missing_lyricist",
        "missing_composer",
        "explicit_on_clean",
        "too_short",
        "missing_release_date",
    } <= codes
    assert "missing_upc" not in codes

    composer = PersonFactory.create(name="Wren Castellano", projects=[project])
    mononym = PersonFactory.create(name="Wren", projects=[project])
    for person, role in [(composer, "Composer"), (mononym, "Lyricist")]:
        response = as_owner.post(
            "/api/v1/credits/",
            {"release": release["id"], "track": track["id"], "person": person.pk, "role": role},
            format="json",
        )
        assert response.status_code == 201, response.json()
    as_owner.patch(
        f"/api/v1/releases/{release['id']}/",
        {
            "p_line_year": 2026,
            "p_line_owner": "Harbour Lane Productions",
            "c_line_year": 2026,
            "c_line_owner": "Harbour Lane Productions",
            "release_date": "2027-02-12",
            "parental_warning": "Explicit",
        },
        format="json",
    )
    as_owner.patch(
        f"/api/v1/tracks/{track['id']}/",
        {"isrc": "DEA122600009", "duration_seconds": 214},
        format="json",
    )
    cover = io.BytesIO()
    Image.new("RGB", (1500, 1500), "navy").save(cover, "PNG")
    upload = SimpleUploadedFile("cover.png", cover.getvalue(), content_type="image/png")
    art = as_owner.post(
        f"/api/v1/releases/{release['id']}/artwork/", {"image": upload}, format="multipart"
    )
    assert art.status_code == 201, art.json()
    assert (art.json()["width"], art.json()["format"]) == (1500, "PNG")
    body = as_owner.get(url).json()
    # What is left is the mononym and the master (tests/releases/test_masters.py).
    assert [f["code"] for f in body["findings"] if f["level"] == "blocking"] == [
        "composer_legal_name",
        "missing_master",
    ]
    assert "Stores ask for 3000 × 3000; this is 1500 × 1500." in [
        f["message"] for f in body["findings"]
    ]
    assert "Lyricist “Wren” on track 1 needs a full legal name." in [
        f["message"] for f in body["findings"]
    ]
    duplicate = as_owner.post(
        "/api/v1/credits/",
        {"release": release["id"], "track": track["id"], "person": composer.pk, "role": "Composer"},
        format="json",
    )
    assert duplicate.json() == {"role": ["Wren Castellano already has this credit here."]}
    other = as_owner.post(
        "/api/v1/releases/",
        {"project": project.pk, "title": "Other", "display_artist": "Someone"},
        format="json",
    ).json()
    elsewhere = as_owner.post(
        "/api/v1/credits/",
        {"release": other["id"], "track": track["id"], "person": composer.pk, "role": "Composer"},
        format="json",
    )
    assert elsewhere.json() == {"track": ["The track is on another release."]}


def test_artist_may_edit_viewer_may_not(project: Project, release: dict[str, Any]) -> None:
    artist = UserFactory.create()
    MembershipFactory.create(project=project, user=artist, role=Role.ARTIST)
    response = api_client_for(artist).patch(
        f"/api/v1/releases/{release['id']}/", {"genre": "Folk"}, format="json"
    )
    assert response.status_code == 200
    assert Release.objects.get(pk=release["id"]).genre == "Folk"


def test_bad_cover_is_refused(as_owner: APIClient, release: dict[str, Any]) -> None:
    from releases.models import Artwork

    cmyk = io.BytesIO()
    Image.new("CMYK", (2000, 2000)).save(cmyk, "JPEG")
    for name, data, message in [
        ("cover.jpg", cmyk.getvalue(), "Cover art is RGB; this image is CMYK."),
        ("cover.png", b"GIF89a not really", "This file is not an image"),
    ]:
        upload = SimpleUploadedFile(name, data, content_type="image/png")
        response = as_owner.post(
            f"/api/v1/releases/{release['id']}/artwork/", {"image": upload}, format="multipart"
        )
        assert response.status_code == 400
        assert message in response.json()["image"][0]
        assert "0x" not in response.json()["image"][0]  # no Python object in a user's message
    assert not Artwork.objects.exists()


@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("/api/v1/releases/", lambda project, n: ReleaseFactory.create_batch(n, project=project)),
        (
            "/api/v1/tracks/",
            lambda project, n: TrackFactory.create_batch(
                n, release=ReleaseFactory.create(project=project)
            ),
        ),
        (
            "/api/v1/credits/",
            lambda project, n: [
                CreditFactory.create(track=TrackFactory.create(release=release))
                for release in ReleaseFactory.create_batch(n, project=project)
            ],
        ),
    ],
)
def test_list_queries_do_not_grow_with_rows(
    as_owner: APIClient, project: Project, django_assert_num_queries: Any, url: str, make: Any
) -> None:
    """The count, then the page (the client is authenticated without a query); none per row."""
    make(project, 1)
    with django_assert_num_queries(2):
        assert as_owner.get(url).json()["count"] == 1
    make(project, 19)
    with django_assert_num_queries(2):
        assert as_owner.get(url).json()["count"] == 20
