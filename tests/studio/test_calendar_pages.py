"""The calendar page, its event source and write endpoints, and the dashboard's next 7 days."""

import datetime
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from projects.models import Project, Role
from studio import services
from studio.models import Booking, Room
from tests.clock import AUTUMN_2026, freeze_at
from tests.factories import (
    MembershipFactory,
    PersonFactory,
    ProjectFactory,
    RoomFactory,
    StudioFactory,
)

# Its days run from late November 2026 to the DST change of March 2027: all ahead of the clock.
pytestmark = [pytest.mark.django_db, freeze_at(AUTUMN_2026)]

BERLIN = ZoneInfo("Europe/Berlin")
EVENTS = "/calendar/events/"


@pytest.fixture
def room(owner: Any, project: Project) -> Room:
    studio = StudioFactory.create(name="Page Studio", time_zone="Europe/Berlin", managers=[owner])
    project.studios.add(studio)
    return RoomFactory.create(studio=studio, name="A")


def browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make(
    owner: Any, room: Room, project: Project, start: datetime.datetime, hours: int, **kw: Any
) -> Booking:
    [booking] = services.booking_create(
        by=owner,
        room=room,
        project=project,
        start=start,
        end=start + datetime.timedelta(hours=hours),
        **kw,
    )
    return booking


def window(start: str, end: str, **scope: int) -> dict[str, Any]:
    # FullCalendar in "UTC" mode asks with a Z; the server reads it as the studio's wall clock.
    return {"start": f"{start}T00:00:00Z", "end": f"{end}T00:00:00Z", **scope}


def test_page_needs_login_and_renders(client: Client, owner: Any, room: Room) -> None:
    assert client.get("/calendar/")["Location"].startswith("/accounts/login/")
    page = browser(owner).get("/calendar/").content.decode()
    assert "Calendar: Page Studio" in page
    assert "Europe/Berlin wall-clock time" in page
    assert "vendor/fullcalendar/index.global.min.js" in page
    assert "cdn" not in page.lower()


def test_events_in_studio_wall_clock_across_dst(owner: Any, room: Room, project: Project) -> None:
    winter = make(
        owner,
        room,
        project,
        datetime.datetime(2027, 3, 27, 10, tzinfo=BERLIN),
        10,
        status="confirmed",
    )
    summer = make(owner, room, project, datetime.datetime(2027, 3, 29, 10, tzinfo=BERLIN), 10)
    response = browser(owner).get(EVENTS, window("2027-03-22", "2027-03-29", room=room.pk))
    assert response.status_code == 200
    assert [(e["id"], e["start"], e["end"]) for e in response.json()] == [
        (winter.pk, "2027-03-27T10:00:00", "2027-03-27T20:00:00")
    ]
    # The window's edge is local midnight too: the Monday booking is in the next week.
    second = (
        browser(owner).get(EVENTS, window("2027-03-29", "2027-04-05", studio=room.studio_id)).json()
    )
    assert [(e["id"], e["start"], e["classNames"]) for e in second] == [
        (summer.pk, "2027-03-29T10:00:00", ["booking-hold_1"])
    ]
    assert second[0]["extendedProps"]["statusLabel"] == "1st hold"
    assert second[0]["extendedProps"]["mayChange"] is True


def test_events_are_scoped_and_queries_pinned(
    owner: Any,
    collaborator: Any,
    outsider: Any,
    room: Room,
    project: Project,
    django_assert_num_queries: Any,
) -> None:
    start = datetime.datetime(2026, 12, 1, 10, tzinfo=BERLIN)
    for day in range(10):
        make(owner, room, project, start + datetime.timedelta(days=day), 2, status="confirmed")
    hidden = ProjectFactory.create()
    MembershipFactory.create(project=hidden, user=owner, role=Role.PRODUCER)
    make(owner, room, hidden, start - datetime.timedelta(hours=5), 2, title="Not theirs")
    client = browser(collaborator)
    # session, user, studios in scope, the booking rows, the schedulable projects
    with django_assert_num_queries(5):
        rows = client.get(EVENTS, window("2026-11-30", "2026-12-14", room=room.pk)).json()
    assert len(rows) == 10  # the booking of a project the viewer is not on stays out
    assert not any("Not theirs" in row["title"] for row in rows)
    assert all(row["editable"] is False for row in rows)  # a viewer
    assert (
        browser(outsider).get(EVENTS, window("2026-11-30", "2026-12-14", room=room.pk)).status_code
        == 404
    )
    assert browser(outsider).get("/calendar/", {"studio": room.studio_id}).status_code == 404


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "garbage", "end": "2026-12-07T00:00:00Z"}, "start"),
        ({"end": "2026-12-07T00:00:00Z"}, "start"),
        ({"start": "2026-12-07T00:00:00Z", "end": "2026-12-01T00:00:00Z"}, "end"),
        ({"start": "2026-01-01T00:00:00Z", "end": "2026-12-01T00:00:00Z"}, "end"),
        ({"start": "0001-01-01T00:00:00Z", "end": "0001-01-02T00:00:00Z"}, "start"),
    ],
)
def test_bad_event_windows(owner: Any, room: Room, params: dict[str, str], field: str) -> None:
    response = browser(owner).get(EVENTS, {**params, "room": str(room.pk)})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert browser(owner).get(EVENTS, {**params, "room": "²"}).status_code == 404


def test_create_from_the_page_in_wall_clock(owner: Any, room: Room, project: Project) -> None:
    client = browser(owner)
    body = {
        "room": room.pk,
        "project": project.pk,
        "start": "2027-03-28T10:00:00",
        "end": "2027-03-28T20:00:00",
    }
    response = client.post("/calendar/bookings/", json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    booking = Booking.objects.get()
    # After the spring change Berlin is UTC+2.
    assert booking.start == datetime.datetime(2027, 3, 28, 8, tzinfo=datetime.UTC)
    assert booking.status == "hold_1"

    # Nobody books over a 1st hold, not even from the page.
    over_hold = client.post(
        "/calendar/bookings/",
        json.dumps({**body, "status": "confirmed", "start": "2027-03-28T09:00:00"}),
        content_type="application/json",
    )
    assert over_hold.status_code == 409
    assert "is on a 1st hold" in over_hold.json()["errors"]["__all__"][0]
    confirmed = client.post(f"/api/v1/bookings/{booking.pk}/confirm/")
    assert confirmed.status_code == 200
    collision = client.post(
        "/calendar/bookings/",
        json.dumps(
            {
                **body,
                "status": "confirmed",
                "start": "2027-03-28T19:00:00",
                "end": "2027-03-28T22:00:00",
            }
        ),
        content_type="application/json",
    )
    assert collision.status_code == 409
    assert f"booking #{booking.pk}" in collision.json()["errors"]["__all__"][0]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": "soon"}, "start"),
        ({"room": "A"}, "room"),
        ({"project": 999999}, "project"),
        ({"status": "cancelled"}, "status"),
        ({"end": "2027-01-10T09:00:00"}, "end"),
        ({"start": 123}, "start"),
        ({"start": "0001-01-01T00:10:00"}, "start"),
        ({"room": "²"}, "room"),
        ({"title": "x" * 201}, "title"),
        ({"title": ["a list"]}, "title"),
        ({"zone": "Mars/Olympus"}, "zone"),
        # 02:30 does not happen in Berlin on 2027-03-28: the clocks jump from 02:00 to 03:00.
        ({"start": "2027-03-28T02:30:00", "end": "2027-03-28T04:00:00"}, "start"),
    ],
)
def test_bad_page_writes(
    owner: Any, room: Room, project: Project, body: dict[str, Any], field: str
) -> None:
    payload = {
        "room": room.pk,
        "project": project.pk,
        "start": "2027-01-10T10:00:00",
        "end": "2027-01-10T12:00:00",
    }
    response = browser(owner).post(
        "/calendar/bookings/", json.dumps({**payload, **body}), content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Booking.objects.exists()
    for raw in ("{oops", b"\xff\xfe\x00{"):
        broken = browser(owner).post("/calendar/bookings/", raw, content_type="application/json")
        assert broken.json() == {"errors": {"body": [broken.json()["errors"]["body"][0]]}}
        assert broken.status_code == 400


def test_viewer_cannot_create_or_move(
    owner: Any, collaborator: Any, room: Room, project: Project
) -> None:
    booking = make(owner, room, project, datetime.datetime(2027, 1, 5, 10, tzinfo=BERLIN), 2)
    payload = {
        "room": room.pk,
        "project": project.pk,
        "start": "2027-01-10T10:00:00",
        "end": "2027-01-10T12:00:00",
    }
    client = browser(collaborator)
    assert (
        client.post(
            "/calendar/bookings/", json.dumps(payload), content_type="application/json"
        ).status_code
        == 403
    )
    move = {"start": "2027-01-05T11:00:00", "end": "2027-01-05T13:00:00"}
    url = f"/calendar/bookings/{booking.pk}/move/"
    assert client.post(url, json.dumps(move), content_type="application/json").status_code == 403
    booking.refresh_from_db()
    assert booking.start == datetime.datetime(2027, 1, 5, 9, tzinfo=datetime.UTC)


def test_move_by_dragging(owner: Any, outsider: Any, room: Room, project: Project) -> None:
    booking = make(owner, room, project, datetime.datetime(2027, 1, 5, 10, tzinfo=BERLIN), 2)
    move = {"start": "2027-01-06T14:00:00", "end": "2027-01-06T18:00:00"}
    url = f"/calendar/bookings/{booking.pk}/move/"
    assert (
        browser(outsider).post(url, json.dumps(move), content_type="application/json").status_code
        == 404
    )
    response = browser(owner).post(url, json.dumps(move), content_type="application/json")
    assert response.status_code == 200
    assert response.json()["start"] == "2027-01-06T14:00:00"
    booking.refresh_from_db()
    assert booking.start == datetime.datetime(2027, 1, 6, 13, tzinfo=datetime.UTC)
    # The person calendar shows every room in one zone and says which: 16:00 in Berlin is
    # 10:00 in New York, whatever the booking's own studio.
    shown = {"start": "2027-01-07T16:00:00", "end": "2027-01-07T18:00:00", "zone": "Europe/Berlin"}
    new_york = RoomFactory.create(
        studio=StudioFactory.create(time_zone="America/New_York", managers=[owner])
    )
    project.studios.add(new_york.studio)
    there = make(owner, new_york, project, datetime.datetime(2027, 1, 5, 9, tzinfo=BERLIN), 2)
    url = f"/calendar/bookings/{there.pk}/move/"
    moved = browser(owner).post(url, json.dumps(shown), content_type="application/json")
    assert moved.status_code == 200, moved.json()
    there.refresh_from_db()
    assert there.start == datetime.datetime(2027, 1, 7, 15, tzinfo=datetime.UTC)


def test_dashboard_next_seven_days_in_studio_time(
    owner: Any, outsider: Any, room: Room, project: Project, django_assert_max_num_queries: Any
) -> None:
    tomorrow = (timezone.now().astimezone(BERLIN) + datetime.timedelta(days=1)).date()
    start = datetime.datetime.combine(tomorrow, datetime.time(10), tzinfo=BERLIN)
    make(owner, room, project, start, 10, status="confirmed", title="Tracking day")
    make(owner, room, project, start + datetime.timedelta(days=9), 2, title="Too far")
    hidden = ProjectFactory.create()
    make(owner, RoomFactory.create(studio=room.studio), hidden, start, 2, title="Not mine")
    client = browser(owner)
    client.get("/")
    # "/" is Today: every section's reads, pinned in tests/studio/test_agenda.py.
    with django_assert_max_num_queries(18):
        page = client.get("/").content.decode()
    assert "Tracking day" in page
    assert "10:00–20:00" in page  # the studio's clock, not UTC
    assert "Too far" not in page
    assert "Not mine" not in page
    assert "Tracking day" not in browser(outsider).get("/").content.decode()


def test_person_calendar(owner: Any, room: Room, project: Project) -> None:
    engineer = PersonFactory.create(name="Kit Engineer", projects=[project])
    booking = make(
        owner, room, project, datetime.datetime(2027, 1, 5, 10, tzinfo=BERLIN), 2, engineer=engineer
    )
    make(owner, room, project, datetime.datetime(2027, 1, 6, 10, tzinfo=BERLIN), 2)
    rows = browser(owner).get(EVENTS, window("2027-01-04", "2027-01-11", person=engineer.pk)).json()
    assert [row["id"] for row in rows] == [booking.pk]
    assert rows[0]["extendedProps"]["engineer"] == "Kit Engineer"
    assert (
        "Kit Engineer" in browser(owner).get("/calendar/", {"person": engineer.pk}).content.decode()
    )
