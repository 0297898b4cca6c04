"""The calendar's rules hold whatever a client sends: expiries, promotion, lapsed holds,
malformed input, and series at a constant cost."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from projects.models import Project, Role
from studio import services
from studio.models import Booking, Room, Studio
from tests.factories import (
    GearFactory,
    MembershipFactory,
    PersonFactory,
    ProjectFactory,
    RoomFactory,
    StudioFactory,
)
from tests.studio.test_bookings_api import LIST, book, local, url

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _frozen_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """'Now' is 1 November 2026; the tests book December 2026."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def studio(owner: Any, project: Project) -> Studio:
    studio = StudioFactory.create(name="Harbour Rules", managers=[owner])
    project.studios.add(studio)
    return studio


@pytest.fixture
def room(studio: Studio) -> Room:
    return RoomFactory.create(studio=studio, name="A", hourly_rate=Decimal("95"))


@pytest.fixture
def rival(owner: Any, studio: Studio) -> Project:
    rival = ProjectFactory.create(title="Rival Record")
    MembershipFactory.create(project=rival, user=owner, role=Role.PRODUCER)
    rival.studios.add(studio)
    return rival


# --- 3. expiry and challenge times are the rules' to set ------------------------------------


def test_expiry_cannot_be_patched(as_owner: APIClient, room: Room, project: Project) -> None:
    hold = book(as_owner, room, project, local(3, 10), local(3, 14)).json()
    response = as_owner.patch(url(hold["id"]), {"expires_at": "2027-08-01T10:00:00+00:00"})
    assert response.status_code == 400
    assert "studio's rules" in response.json()["expires_at"][0]
    response = as_owner.patch(url(hold["id"]), {"challenged_at": "2026-11-01T10:00:00+00:00"})
    assert response.status_code == 400
    assert "challenged_at" in response.json()
    assert Booking.objects.get(pk=hold["id"]).expires_at == NOW + datetime.timedelta(days=7)


def test_a_challenged_deadline_stays(
    as_owner: APIClient, room: Room, project: Project, rival: Project
) -> None:
    first = book(as_owner, room, project, local(3, 10), local(3, 14)).json()
    second = book(as_owner, room, rival, local(3, 10), local(3, 14)).json()
    assert as_owner.post(url(second["id"], "challenge")).status_code == 200
    response = as_owner.patch(
        url(first["id"]), {"title": "Vocals", "expires_at": "2027-08-27T10:00:00+00:00"}
    )
    assert response.status_code == 400
    assert Booking.objects.get(pk=first["id"]).expires_at == NOW + datetime.timedelta(hours=24)


def test_a_confirmed_booking_gets_no_expiry(
    as_owner: APIClient, room: Room, project: Project
) -> None:
    response = book(
        as_owner,
        room,
        project,
        local(3, 10),
        local(3, 14),
        status="confirmed",
        expires_at="2026-11-05T10:00:00+00:00",
    )
    assert response.status_code == 400
    assert response.json()["expires_at"] == ["A confirmed booking does not expire."]
    confirmed = book(as_owner, room, project, local(3, 10), local(3, 14), status="confirmed")
    response = as_owner.patch(url(confirmed.json()["id"]), {"expires_at": None}, format="json")
    assert response.status_code == 400
    assert Booking.objects.get().expires_at is None


def test_a_hold_lapses_no_later_than_the_studio_says(
    as_owner: APIClient, room: Room, project: Project
) -> None:
    too_late = book(
        as_owner, room, project, local(3, 10), local(3, 14), expires_at="2027-01-01T00:00:00Z"
    )
    assert too_late.status_code == 400
    assert "at most 168 hours" in too_late.json()["expires_at"][0]
    sooner = book(
        as_owner, room, project, local(3, 10), local(3, 14), expires_at="2026-11-02T09:00:00Z"
    )
    assert sooner.status_code == 201
    assert sooner.json()["expires_at"] == "2026-11-02T09:00:00Z"


def test_patch_still_moves_and_retitles(as_owner: APIClient, room: Room, project: Project) -> None:
    hold = book(as_owner, room, project, local(3, 10), local(3, 14)).json()
    response = as_owner.patch(url(hold["id"]), {"title": "Drums", "end": local(3, 16)})
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["end"]) == ("Drums", "2026-12-03T15:00:00Z")


# --- 4. a 2nd hold is never promoted over a confirmed booking -------------------------------


def test_second_hold_stays_behind_a_confirmed_booking(
    as_owner: APIClient, room: Room, project: Project, rival: Project
) -> None:
    morning = book(as_owner, room, project, local(3, 10), local(3, 14)).json()
    afternoon = book(as_owner, room, project, local(3, 14), local(3, 18)).json()
    day = book(as_owner, room, rival, local(3, 10), local(3, 18)).json()
    assert [morning["status"], afternoon["status"], day["status"]] == ["hold_1", "hold_1", "hold_2"]
    assert as_owner.post(url(morning["id"], "confirm")).status_code == 200
    assert as_owner.post(url(afternoon["id"], "release")).status_code == 200
    assert as_owner.get(url(day["id"])).json()["status"] == "hold_2"
    # Cancelling the confirmed morning too leaves nothing ahead: now it moves up.
    assert as_owner.post(url(morning["id"], "cancel")).status_code == 200
    assert as_owner.get(url(day["id"])).json()["status"] == "hold_1"


def test_second_hold_stays_behind_the_first_hold_that_remains(
    room: Room, project: Project, rival: Project, owner: Any
) -> None:
    def at(hour: int) -> datetime.datetime:
        return datetime.datetime.fromisoformat(local(3, hour))

    [morning] = services.booking_create(
        by=owner, room=room, project=project, start=at(10), end=at(14)
    )
    [afternoon] = services.booking_create(
        by=owner,
        room=room,
        project=project,
        start=at(14),
        end=at(18),
        expires_at=NOW + datetime.timedelta(hours=1),
    )
    [day] = services.booking_create(by=owner, room=room, project=rival, start=at(10), end=at(18))
    # The afternoon lapses through the expiry task: the morning still holds part of the day.
    assert services.holds_expire(now=NOW + datetime.timedelta(hours=2)) == 1
    day.refresh_from_db()
    assert day.status == Booking.Status.HOLD_2
    services.booking_release(booking=morning)
    day.refresh_from_db()
    assert day.status == Booking.Status.HOLD_1


# --- 5. lapsed holds look lapsed without beat ------------------------------------------------


def test_a_lapsed_hold_reads_as_expired_everywhere(
    as_owner: APIClient,
    monkeypatch: pytest.MonkeyPatch,
    owner: Any,
    room: Room,
    project: Project,
) -> None:
    hold = book(as_owner, room, project, local(3, 10), local(3, 14)).json()
    later = NOW + datetime.timedelta(days=7)  # exactly its expiry: lapsed
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert Booking.objects.get(pk=hold["id"]).status == Booking.Status.HOLD_1  # nobody marked it

    shown = as_owner.get(url(hold["id"])).json()
    assert (shown["status"], shown["ending"]) == ("cancelled", "expired")
    assert as_owner.get(LIST, {"status": "hold_1"}).json()["count"] == 0
    assert [r["id"] for r in as_owner.get(LIST, {"status": "cancelled"}).json()["results"]] == [
        hold["id"]
    ]

    availability = as_owner.get(
        f"/api/v1/rooms/{room.pk}/availability/", {"start": local(3, 8), "end": local(3, 18)}
    ).json()
    assert availability["busy"] == []

    page = Client()
    page.force_login(owner)
    events = page.get(
        "/calendar/events/",
        {"room": str(room.pk), "start": "2026-12-01T00:00:00Z", "end": "2026-12-08T00:00:00Z"},
    )
    assert events.status_code == 200
    assert [e["extendedProps"]["status"] for e in events.json()] == ["cancelled"]

    # A lapsed hold cannot be moved back to life or challenge; letting it go records it expired.
    moved = as_owner.patch(url(hold["id"]), {"start": local(4, 10), "end": local(4, 14)})
    assert moved.status_code == 409
    released = as_owner.post(url(hold["id"], "release"))
    assert released.status_code == 200
    assert released.json()["ending"] == "expired"


# --- 7. a series costs the same queries, however long --------------------------------------


def _series_queries(
    owner: Any, room: Room, project: Project, weeks: int, status: str | None
) -> tuple[list[str], list[str]]:
    """The queries of booking a weekly series: (inserts of bookings, everything else)."""
    engineer = PersonFactory.create(projects=[project])
    gear = [GearFactory.create(studio=room.studio), GearFactory.create(studio=room.studio)]
    start = datetime.datetime(2027, 1, 4, 10, tzinfo=datetime.UTC) + datetime.timedelta(
        days=weeks  # a different weekday per call, so the series never meet
    )
    with CaptureQueriesContext(connection) as queries:
        created = services.booking_create(
            by=owner,
            room=room,
            project=project,
            start=start,
            end=start + datetime.timedelta(hours=4),
            status=status,
            engineer=engineer,
            gear=gear,
            rrule=f"FREQ=WEEKLY;COUNT={weeks}",
        )
    assert len(created) == weeks
    assert all(len(b.gear.all()) == 2 for b in Booking.objects.filter(series=created[0].series))
    sql = [q["sql"] for q in queries.captured_queries]
    inserts = [q for q in sql if q.startswith('INSERT INTO "studio_booking" ')]
    return inserts, [q for q in sql if q not in inserts]


def _insert_batches(weeks: int) -> int:
    # One INSERT, which SQLite splits to stay under its 999 variables; PostgreSQL never does.
    fields = [f for f in Booking._meta.concrete_fields if not f.primary_key]
    batch = connection.ops.bulk_batch_size(fields, [None] * weeks) or weeks
    return -(-weeks // batch)


@pytest.mark.parametrize("status", [None, "confirmed"])
def test_a_year_of_weeks_costs_what_four_weeks_cost(
    owner: Any, room: Room, project: Project, status: str | None
) -> None:
    # A booking already in the way on other days, so the check reads rows and their gear.
    services.booking_create(
        by=owner,
        room=room,
        project=project,
        start=datetime.datetime(2027, 1, 1, 10, tzinfo=datetime.UTC),
        end=datetime.datetime(2027, 1, 1, 12, tzinfo=datetime.UTC),
        status="confirmed",
    )
    four_inserts, four_other = _series_queries(owner, room, project, 4, status)
    year_inserts, year_other = _series_queries(owner, room, project, 52, status)
    # 11 queries for 4 weeks and 52 alike (it was 34 and 370 for holds, 42 and 474 confirmed).
    assert len(year_other) == len(four_other)
    assert (len(four_inserts), len(year_inserts)) == (_insert_batches(4), _insert_batches(52))


def test_a_series_names_every_date_in_the_way(
    as_owner: APIClient, owner: Any, room: Room, project: Project, rival: Project
) -> None:
    engineer = PersonFactory.create(name="Ada Desk", projects=[project, rival])
    desk = GearFactory.create(studio=room.studio, name="Desk 1176")
    other_room = RoomFactory.create(studio=room.studio, name="B")
    services.booking_create(
        by=owner,
        room=other_room,
        project=rival,
        start=datetime.datetime.fromisoformat(local(10, 12)),
        end=datetime.datetime.fromisoformat(local(10, 14)),
        status="confirmed",
        engineer=engineer,
    )
    services.booking_create(
        by=owner,
        room=other_room,
        project=rival,
        start=datetime.datetime.fromisoformat(local(17, 12)),
        end=datetime.datetime.fromisoformat(local(17, 14)),
        status="confirmed",
        gear=[desk],
    )
    response = book(
        as_owner,
        room,
        project,
        local(3, 10),
        local(3, 20),
        status="confirmed",
        engineer=engineer.pk,
        gear=[desk.pk],
        rrule="FREQ=WEEKLY;COUNT=4",
    )
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "2026-12-10: Ada Desk is engineering elsewhere then" in detail
    assert "2026-12-17: Desk 1176 is already out then" in detail
    assert "2026-12-03" not in detail and "2026-12-24" not in detail
    assert Booking.objects.filter(project=project).count() == 0
