"""Safety of money and time on the calendar: the cancellation fee is shown before it is taken,
a confirmed day moves only when confirmed, a session follows its booking (or the move is
refused, untouched), and the past is booked only when asked for."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from projects.models import Project
from sessions import services as session_services
from sessions.models import RateRule, Session
from studio import services
from studio.models import Booking, Room
from studio.selectors import booking_cancellation_terms
from studio.services.booking_slots import PAST_REFUSED
from tests.factories import PersonFactory, RoomFactory, StudioFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
# Thursday 26 November 2026, 09:00 in Berlin: the clock of every test here.
NOW = datetime.datetime(2026, 11, 26, 8, tzinfo=datetime.UTC)


def quoted(booking: Booking) -> Decimal:
    """The booking's frozen quote (a confirmed booking always has one)."""
    assert booking.quoted_amount is not None
    return Decimal(booking.quoted_amount)


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def room(owner: Any, project: Project) -> Room:
    studio = StudioFactory.create(name="Safe Studio", time_zone="Europe/Berlin", managers=[owner])
    project.studios.add(studio)
    return RoomFactory.create(studio=studio, name="A")


def page(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def at(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour, tzinfo=BERLIN)


def book(
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


# --- cancelling shows the fee before it is taken -----------------------------------------------


def test_cancel_preview_is_the_fee_taken(owner: Any, room: Room, project: Project) -> None:
    # Tuesday 1 December, 10:00: five days' notice, the studio's 50 % tier.
    booking = book(owner, room, project, at(1, 10), 8, status="confirmed")
    client = page(owner)
    url = f"/calendar/bookings/{booking.pk}/cancel/"
    preview = client.get(url).json()
    half = (quoted(booking) / 2).quantize(Decimal("0.01"))
    assert preview["fee"] == str(half)
    assert preview["summary"] == (f"Cancel: fee {half} EUR (50 % of the quote, 5 days' notice)")
    assert booking_cancellation_terms(booking=booking).fee == half
    assert post(client, url, {"fee": preview["fee"]}).status_code == 200
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.cancellation_fee == half


def test_cancel_takes_nothing_without_the_fee_or_when_it_changed(
    owner: Any, room: Room, project: Project, clock: Any
) -> None:
    booking = book(owner, room, project, at(11, 10), 8, status="confirmed")
    client = page(owner)
    url = f"/calendar/bookings/{booking.pk}/cancel/"
    shown = client.get(url).json()
    assert shown["summary"] == "Cancel: fee 0.00 EUR (0 % of the quote, 15 days' notice)"
    refused = post(client, url, {})
    assert refused.status_code == 400
    assert "fee" in refused.json()["errors"]
    # The user looked, went for coffee for two days: the notice fell into the 50 % tier.
    clock.shift(datetime.timedelta(days=2))
    stale = post(client, url, {"fee": shown["fee"]})
    assert stale.status_code == 409
    now_due = (quoted(booking) / 2).quantize(Decimal("0.01"))
    assert (
        f"the fee is now {now_due} EUR (50 % of the quote" in stale.json()["errors"]["__all__"][0]
    )
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.cancellation_fee is None


def test_a_hold_is_released_for_no_fee(owner: Any, room: Room, project: Project) -> None:
    hold = book(owner, room, project, at(1, 10), 4)
    client = page(owner)
    url = f"/calendar/bookings/{hold.pk}/cancel/"
    preview = client.get(url).json()
    assert preview == {"fee": None, "currency": "EUR", "summary": "Release: no fee", "hold": True}
    assert post(client, url, {}).status_code == 200
    hold.refresh_from_db()
    assert (hold.status, hold.ending, hold.cancellation_fee) == ("cancelled", "released", None)


def test_cancel_page_endpoint_is_for_those_who_schedule(
    owner: Any, collaborator: Any, outsider: Any, room: Room, project: Project
) -> None:
    booking = book(owner, room, project, at(1, 10), 8, status="confirmed")
    url = f"/calendar/bookings/{booking.pk}/cancel/"
    assert post(page(collaborator), url, {"fee": "0"}).status_code == 403
    assert page(outsider).get(url).status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_api_cancel_stays_as_it_was(owner: Any, room: Room, project: Project) -> None:
    booking = book(owner, room, project, at(1, 10), 8, status="confirmed")
    response = api(owner).post(f"/api/v1/bookings/{booking.pk}/cancel/")
    assert response.status_code == 200
    half = (quoted(booking) / 2).quantize(Decimal("0.01"))
    assert response.json()["cancellation_fee"] == str(half)


# --- moving a confirmed booking asks first ----------------------------------------------------


def move(client: Client, booking: Booking, start: str, end: str, **extra: Any) -> Any:
    body = {"start": start, "end": end, "zone": "Europe/Berlin", **extra}
    return post(client, f"/calendar/bookings/{booking.pk}/move/", body)


def test_a_drag_alone_never_moves_a_confirmed_day(owner: Any, room: Room, project: Project) -> None:
    booking = book(owner, room, project, at(2, 10), 6, status="confirmed")
    before = (booking.start, booking.end, booking.quoted_amount, booking.sequence)
    client = page(owner)
    asked = move(client, booking, "2026-12-03T10:00", "2026-12-03T18:00")
    assert asked.status_code == 409
    question = asked.json()["confirm"]
    assert question.startswith("Move the confirmed booking to Thu 3 Dec 10:00–18:00?")
    booking.refresh_from_db()
    assert (booking.start, booking.end, booking.quoted_amount, booking.sequence) == before
    moved = move(client, booking, "2026-12-03T10:00", "2026-12-03T18:00", confirm=True)
    assert moved.status_code == 200
    booking.refresh_from_db()
    assert booking.start == at(3, 10)
    assert booking.end == at(3, 18)
    # What the question said is what the move did.
    assert f"The quote becomes {booking.quoted_amount} EUR (was {before[2]} EUR)." in question


def test_a_hold_moves_by_drag(owner: Any, room: Room, project: Project) -> None:
    hold = book(owner, room, project, at(2, 10), 4)
    assert move(page(owner), hold, "2026-12-02T12:00", "2026-12-02T16:00").status_code == 200
    hold.refresh_from_db()
    assert hold.start == at(2, 12)


def test_the_api_moves_a_confirmed_booking_as_before(
    owner: Any, room: Room, project: Project
) -> None:
    booking = book(owner, room, project, at(2, 10), 6, status="confirmed")
    response = api(owner).patch(
        f"/api/v1/bookings/{booking.pk}/",
        {"start": at(2, 12).isoformat(), "end": at(2, 18).isoformat()},
    )
    assert response.status_code == 200, response.json()
    booking.refresh_from_db()
    assert booking.start == at(2, 12)


# --- a session follows its booking --------------------------------------------------------------


@pytest.fixture
def session(owner: Any, room: Room, project: Project) -> Session:
    booking = book(owner, room, project, at(2, 10), 8, status="confirmed")
    return session_services.session_create(project=project, booking=booking, title="Drums")


def test_a_session_follows_the_confirmed_move(owner: Any, session: Session) -> None:
    assert session.booking is not None
    response = move(
        page(owner), session.booking, "2026-12-04T11:00", "2026-12-04T20:00", confirm=True
    )
    assert response.status_code == 200, response.json()
    session.refresh_from_db()
    assert (session.start, session.end) == (at(4, 11), at(4, 20))


def test_a_session_inside_its_booking_shifts_with_it(
    owner: Any, room: Room, project: Project
) -> None:
    booking = book(owner, room, project, at(2, 10), 10)
    overdub = session_services.session_create(
        project=project, booking=booking, title="Strings", start=at(2, 16), end=at(2, 19)
    )
    response = api(owner).patch(
        f"/api/v1/bookings/{booking.pk}/",
        {"start": at(3, 10).isoformat(), "end": at(3, 20).isoformat()},
    )
    assert response.status_code == 200, response.json()
    overdub.refresh_from_db()
    assert (overdub.start, overdub.end) == (at(3, 16), at(3, 19))


@pytest.fixture
def approved_for_eight_hours(owner: Any, session: Session, project: Project) -> Any:
    Project.objects.filter(pk=project.pk).update(currency="EUR")
    rule = RateRule.objects.create(
        project=project,
        name="Session hourly",
        kind="hourly",
        currency="EUR",
        params={"rate": "60.00", "minimum_hours": "3"},
    )
    player = PersonFactory.create(name="Tobiah Quell", projects=[project])
    engagement = session_services.engagement_save(
        session=session, person=player, rate_rule=rule, role="musician", hours=Decimal(8)
    )
    return session_services.payment_approve(payment=engagement.payment, by=owner)


def test_a_move_the_session_cannot_follow_is_refused_and_leaves_both(
    owner: Any, session: Session, approved_for_eight_hours: Any
) -> None:
    booking = session.booking
    assert booking is not None
    before = (booking.start, booking.end, booking.quoted_amount, booking.sequence)
    client = page(owner)
    longer = move(client, booking, "2026-12-02T10:00", "2026-12-02T21:00", confirm=True)
    assert longer.status_code == 409
    reason = longer.json()["errors"]["__all__"][0]
    assert "Session “Drums” has approved pay for 8 h (Tobiah Quell)" in reason
    assert "the move would make it 11 h" in reason
    shorter = move(client, booking, "2026-12-02T10:00", "2026-12-02T16:00", confirm=True)
    assert shorter.status_code == 409
    assert "engaged for 8 h; the move would make it 6 h" in shorter.json()["errors"]["__all__"][0]
    # Asking first says why, too, before anyone confirms.
    asked = move(client, booking, "2026-12-02T10:00", "2026-12-02T21:00")
    assert "approved pay" in asked.json()["errors"]["__all__"][0]
    assert "confirm" not in asked.json()
    booking.refresh_from_db()
    session.refresh_from_db()
    assert (booking.start, booking.end, booking.quoted_amount, booking.sequence) == before
    assert (session.start, session.end) == (at(2, 10), at(2, 18))
    # The same length on another day follows.
    same = move(client, booking, "2026-12-03T10:00", "2026-12-03T18:00", confirm=True)
    assert same.status_code == 200, same.json()
    session.refresh_from_db()
    assert session.start == at(3, 10)


# --- the past is booked only when asked for -----------------------------------------------------


def test_the_api_refuses_the_past_unless_asked(owner: Any, room: Room, project: Project) -> None:
    client = api(owner)
    body = {
        "room": room.pk,
        "project": project.pk,
        "start": "2026-11-25T10:00:00+01:00",
        "end": "2026-11-25T16:00:00+01:00",
        "status": "confirmed",
    }
    refused = client.post("/api/v1/bookings/", body, format="json")
    assert refused.status_code == 400
    assert refused.json()["start"] == [PAST_REFUSED]
    assert not Booking.objects.exists()
    logged = client.post("/api/v1/bookings/", {**body, "past": True}, format="json")
    assert logged.status_code == 201, logged.json()
    assert "past" not in logged.json()


def test_the_api_refuses_a_series_that_starts_in_the_past(
    owner: Any, room: Room, project: Project
) -> None:
    client = api(owner)
    body = {
        "room": room.pk,
        "project": project.pk,
        "start": "2026-11-19T10:00:00+01:00",
        "end": "2026-11-19T14:00:00+01:00",
        "rrule": "FREQ=WEEKLY;COUNT=4",
    }
    refused = client.post("/api/v1/bookings/", body, format="json")
    assert refused.status_code == 400
    assert refused.json()["start"] == [PAST_REFUSED]
    assert not Booking.objects.exists()
    assert (
        client.post("/api/v1/bookings/", {**body, "past": True}, format="json").status_code == 201
    )
    assert Booking.objects.count() == 4


def test_the_calendar_refuses_the_past_unless_asked(
    owner: Any, room: Room, project: Project
) -> None:
    client = page(owner)
    body = {
        "room": room.pk,
        "project": project.pk,
        "start": "2026-11-26T08:00",  # an hour ago in Berlin
        "end": "2026-11-26T12:00",
        "zone": "Europe/Berlin",
    }
    refused = post(client, "/calendar/bookings/", body)
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"start": [PAST_REFUSED]}
    logged = post(client, "/calendar/bookings/", {**body, "past": True, "status": "confirmed"})
    assert logged.status_code == 200, logged.json()
    assert Booking.objects.get().status == Booking.Status.CONFIRMED


def test_the_calendar_books_with_an_engineer(owner: Any, room: Room, project: Project) -> None:
    engineer = PersonFactory.create(name="Kit Engineer", projects=[project])
    body = {
        "room": room.pk,
        "project": project.pk,
        "engineer": str(engineer.pk),
        "start": "2026-12-03T10:00",
        "end": "2026-12-03T18:00",
        "zone": "Europe/Berlin",
        "status": "",
        "past": False,
    }
    response = post(page(owner), "/calendar/bookings/", body)
    assert response.status_code == 200, response.json()
    booking = Booking.objects.get()
    assert (booking.engineer, booking.status) == (engineer, Booking.Status.HOLD_1)


def test_moving_into_the_past_is_refused_unless_asked(
    owner: Any, room: Room, project: Project
) -> None:
    hold = book(owner, room, project, at(2, 10), 4)
    client = page(owner)
    refused = move(client, hold, "2026-11-25T10:00", "2026-11-25T14:00")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"start": [PAST_REFUSED]}
    hold.refresh_from_db()
    assert hold.start == at(2, 10)
    assert move(client, hold, "2026-11-25T10:00", "2026-11-25T14:00", past=True).status_code == 200
    api_refused = api(owner).patch(
        f"/api/v1/bookings/{hold.pk}/",
        {"start": "2026-11-24T10:00:00+01:00", "end": "2026-11-24T14:00:00+01:00"},
    )
    assert api_refused.status_code == 400
    assert api_refused.json()["start"] == [PAST_REFUSED]
