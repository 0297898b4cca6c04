"""Input that used to reach a 500 or tell an outsider which ids exist: the same 400 or the same
empty list for everybody."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from projects.models import Project
from releases.models import Release
from sessions.models import Session
from studio.models import Room
from tests.clock import UTC, upcoming
from tests.factories import MembershipFactory, ProjectFactory, RoomFactory, StudioFactory
from tests.releases.factories import ReleaseFactory

pytestmark = pytest.mark.django_db

MISSING = 987_654_321


@pytest.fixture
def room(owner: Any, project: Project) -> Room:
    studio = StudioFactory.create(name="Input Studio", managers=[owner])
    project.studios.add(studio)
    return RoomFactory.create(studio=studio, name="A")


def _foreign_project() -> Project:
    project = ProjectFactory.create(title="Someone Else's")
    MembershipFactory.create(project=project)
    return project


def _foreign_session() -> Session:
    start = upcoming(days=7, hour=10, zone=UTC)
    return Session.objects.create(
        project=_foreign_project(),
        title="Elsewhere",
        start=start,
        end=start + datetime.timedelta(hours=3),
    )


def _foreign_release() -> Release:
    return ReleaseFactory.create(project=_foreign_project())


FOREIGN: dict[str, Callable[[], Any]] = {
    "project": _foreign_project,
    "studio": lambda: StudioFactory.create(name="Foreign Studio"),
    "session": _foreign_session,
    "release": _foreign_release,
}


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("bookings", "project"),
        ("bookings", "studio"),
        ("sessions", "project"),
        ("costs", "project"),
        ("releases", "project"),
        ("gear", "studio"),
        ("tracks", "release"),
        ("engagements", "session"),
        ("takes", "session"),
        ("people", "project"),
        ("budgets", "project"),
    ],
)
def test_a_foreign_id_answers_like_a_missing_one(
    as_owner: APIClient, project: Project, path: str, name: str
) -> None:
    foreign = FOREIGN[name]()
    seen = as_owner.get(f"/api/v1/{path}/", {name: foreign.pk})
    missing = as_owner.get(f"/api/v1/{path}/", {name: MISSING})
    assert seen.status_code == 200
    assert (missing.status_code, missing.json()) == (seen.status_code, seen.json())
    assert seen.json()["count"] == 0


def test_id_filters_still_filter(as_owner: APIClient, project: Project, room: Room) -> None:
    other = ProjectFactory.create()
    MembershipFactory.create(project=other, user=project.memberships.get(role="producer").user)
    for target in (project, other):
        start = upcoming(days=3 + target.pk % 5, hour=10, zone=UTC)
        response = as_owner.post(
            "/api/v1/bookings/",
            {
                "room": room.pk,
                "project": target.pk,
                "start": start.isoformat(),
                "end": (start + datetime.timedelta(hours=2)).isoformat(),
                "status": "confirmed",
            },
        )
        assert response.status_code == 201, response.json()
    rows = as_owner.get("/api/v1/bookings/", {"project": project.pk}).json()["results"]
    assert [row["project"] for row in rows] == [project.pk]
    assert as_owner.get("/api/v1/bookings/", {"project": "x"}).status_code == 400
    assert as_owner.get("/api/v1/bookings/", {"project": 2**64}).status_code == 400


# --- times the calendar cannot hold ----------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("9999-12-31T20:00:00-05:00", "9999-12-31T22:00:00-05:00", "between 1900 and 2999"),
        ("9999-12-31T20:00:00+00:00", "9999-12-31T22:00:00+00:00", "between 1900 and 2999"),
        ("0001-01-01T01:00:00+05:00", "0001-01-01T03:00:00+05:00", "between 1900 and 2999"),
        ("2026-12-01T10:00:00+23:00", "2026-12-01T12:00:00+23:00", "between -15:59 and +15:59"),
    ],
)
def test_times_out_of_range_are_400(
    as_owner: APIClient, project: Project, room: Room, start: str, end: str, message: str
) -> None:
    body = {"room": room.pk, "project": project.pk, "start": start, "end": end}
    for extra in ({"status": "confirmed"}, {}):
        response = as_owner.post("/api/v1/bookings/", {**body, **extra})
        assert response.status_code == 400
        assert message in response.json()["start"][0]
    response = as_owner.get(f"/api/v1/rooms/{room.pk}/availability/", {"start": start, "end": end})
    assert response.status_code == 400
    assert message in response.json()["start"][0]
    for name, value in (("after", start), ("before", end)):
        response = as_owner.get("/api/v1/bookings/", {name: value})
        assert response.status_code == 400
        assert message in response.json()[name][0]
    assert room.bookings.count() == 0


def test_a_naive_filter_time_is_400(as_owner: APIClient, project: Project) -> None:
    response = as_owner.get("/api/v1/bookings/", {"after": "2026-12-01T10:00:00"})
    assert response.status_code == 400
    assert "UTC offset" in response.json()["after"][0]
    assert as_owner.get("/api/v1/bookings/", {"after": "2026-12-01T10:00:00Z"}).status_code == 200


# --- JSON nested past the recursion limit ---------------------------------------------------


DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    "path", ["bookings/", "projects/", "people/", "sessions/", "costs/", "releases/"]
)
def test_deeply_nested_json_is_400(as_owner: APIClient, project: Project, path: str) -> None:
    response = as_owner.generic("POST", f"/api/v1/{path}", DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - nested too deeply."}


def test_deeply_nested_json_on_the_calendar_page_is_400(owner: Any) -> None:
    page = Client()
    page.force_login(owner)
    response = page.generic("POST", "/calendar/bookings/", DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["errors"]["body"][0]


def test_the_calendar_page_takes_the_same_years(owner: Any, project: Project, room: Room) -> None:
    page = Client()
    page.force_login(owner)
    response = page.post(
        "/calendar/bookings/",
        {
            "room": room.pk,
            "project": project.pk,
            "start": "9999-12-31T20:00",
            "end": "9999-12-31T22:00",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "between 1900 and 2999" in response.json()["errors"]["start"][0]
    assert room.bookings.count() == 0


def test_an_id_past_the_integer_range_is_404(as_owner: APIClient, project: Project) -> None:
    # SQLite cannot bind it (OverflowError) and PostgreSQL refuses it: both were a 500.
    huge = 10**30
    assert as_owner.get(f"/api/v1/people/{huge}/").status_code == 404
    patch = {"project": project.pk, "phone": "1"}
    assert as_owner.patch(f"/api/v1/people/{huge}/", patch, format="json").status_code == 404


def test_a_refused_search_term_is_named_by_its_parameter(
    as_owner: APIClient, project: Project, room: Room
) -> None:
    # DRF's search filter refuses the term with a bare list; here it is the parameter's, as a
    # field's message is (core.filters.SearchFilter).
    for path, term in (("people", "bass\x1b"), ("studios", "Harbour\x00")):
        response = as_owner.get(f"/api/v1/{path}/", {"search": term})
        assert response.status_code == 400
        said = response.json()["search"]
        assert (
            said[0]
            == f"Remove the control characters from this text (such as U+{ord(term[-1]):04X})."
        )
    # A plain term still searches.
    found = as_owner.get("/api/v1/rooms/", {"search": room.name}).json()["results"]
    assert [row["id"] for row in found] == [room.pk]
