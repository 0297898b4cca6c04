"""What the calendar refuses, and that a refusal writes nothing: challenges that are not a 2nd
hold's to make, releasing what is not a hold, moving or confirming a cancelled booking (also
one cancelled after the caller read it), and booking an inactive room."""

import datetime
from typing import Any, cast

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from core.errors import Conflict
from projects.models import Project
from studio import services
from studio.models import Booking, Room
from studio.selectors import describe_booking
from tests.clock import upcoming
from tests.factories import RoomFactory
from tests.studio import test_bookings_api
from tests.studio.test_bookings_api import book, url

pytestmark = pytest.mark.django_db

# The API tests' fixtures: a studio the owner manages, its room A, and a rival production of
# the owner's competing for that room.
studio, room, rival = test_bookings_api.studio, test_bookings_api.room, test_bookings_api.rival

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def at(start: datetime.datetime, hours: int = 4) -> tuple[str, str]:
    return start.isoformat(), (start + hours * HOUR).isoformat()


def row(pk: int) -> dict[str, Any]:
    """Every column of the booking as stored: a refusal leaves each one as it was."""
    return cast(dict[str, Any], Booking.objects.filter(pk=pk).values().get())


def refused(response: Any, status: int, detail: str) -> None:
    assert (response.status_code, response.json()) == (status, {"detail": detail})


# --- challenge/ ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [None, "confirmed"])
def test_only_a_second_hold_challenges(
    as_owner: APIClient, room: Room, project: Project, status: str | None
) -> None:
    extra = {"status": status} if status else {}
    booking = book(as_owner, room, project, *at(upcoming(days=10)), **extra).json()
    before = row(booking["id"])
    refused(as_owner.post(url(booking["id"], "challenge")), 409, "Only a 2nd hold can challenge.")
    assert row(booking["id"]) == before


def test_a_lapsed_second_hold_cannot_challenge(
    as_owner: APIClient, room: Room, project: Project, rival: Project
) -> None:
    start = upcoming(days=10)
    first = book(as_owner, room, project, *at(start)).json()
    second = book(
        as_owner, room, rival, *at(start), expires_at=(timezone.now() + HOUR).isoformat()
    ).json()
    assert (first["status"], second["status"]) == ("hold_1", "hold_2")
    before = {pk: row(pk) for pk in (first["id"], second["id"])}
    with time_machine.travel(timezone.now() + 2 * HOUR, tick=False):
        refused(
            as_owner.post(url(second["id"], "challenge")),
            409,
            f"Booking #{second['id']}'s hold has lapsed; hold the slot again.",
        )
    assert {pk: row(pk) for pk in before} == before


def test_a_second_hold_whose_first_lapsed_has_nothing_to_challenge(
    as_owner: APIClient, room: Room, project: Project, rival: Project
) -> None:
    start = upcoming(days=10)
    first = book(
        as_owner, room, project, *at(start), expires_at=(timezone.now() + HOUR).isoformat()
    ).json()
    second = book(as_owner, room, rival, *at(start)).json()
    before = {pk: row(pk) for pk in (first["id"], second["id"])}
    with time_machine.travel(timezone.now() + 2 * HOUR, tick=False):
        refused(
            as_owner.post(url(second["id"], "challenge")),
            409,
            "No 1st hold stands in the way; confirm instead.",
        )
    # The lapsed 1st hold gets no deadline: it binds nobody already.
    assert {pk: row(pk) for pk in before} == before


# --- release/ -----------------------------------------------------------------------------


def test_a_confirmed_booking_is_cancelled_not_released(
    as_owner: APIClient, room: Room, project: Project
) -> None:
    booking = book(as_owner, room, project, *at(upcoming(days=10)), status="confirmed").json()
    before = row(booking["id"])
    refused(
        as_owner.post(url(booking["id"], "release")),
        409,
        f"Booking #{booking['id']} is not a hold; cancel it instead.",
    )
    assert row(booking["id"]) == before


def test_a_released_hold_is_not_released_again(
    as_owner: APIClient, room: Room, project: Project
) -> None:
    hold = book(as_owner, room, project, *at(upcoming(days=10))).json()
    assert as_owner.post(url(hold["id"], "release")).status_code == 200
    before = row(hold["id"])
    assert (before["status"], before["ending"], before["sequence"]) == ("cancelled", "released", 1)
    refused(
        as_owner.post(url(hold["id"], "release")),
        409,
        f"Booking #{hold['id']} is already cancelled.",
    )
    assert row(hold["id"]) == before


# --- a cancelled booking stays cancelled --------------------------------------------------


@pytest.fixture
def cancelled(as_owner: APIClient, room: Room, project: Project) -> dict[str, Any]:
    """A confirmed booking ten days ahead, cancelled (a fee by the studio's notice tiers)."""
    booking = book(as_owner, room, project, *at(upcoming(days=10)), status="confirmed").json()
    response = as_owner.post(url(booking["id"], "cancel"))
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    return row(booking["id"])


@pytest.mark.parametrize("moved", [True, False], ids=["moved", "retitled"])
def test_a_cancelled_booking_is_neither_moved_nor_changed(
    as_owner: APIClient, cancelled: dict[str, Any], moved: bool
) -> None:
    start, end = at(cancelled["start"] + DAY)
    body = {"start": start, "end": end} if moved else {"title": "Strings again"}
    response = as_owner.patch(url(cancelled["id"]), body, format="json")
    refused(response, 409, f"Booking #{cancelled['id']} is cancelled; make a new one.")
    assert row(cancelled["id"]) == cancelled


def test_a_cancelled_booking_is_not_confirmed(
    as_owner: APIClient, cancelled: dict[str, Any]
) -> None:
    refused(
        as_owner.post(url(cancelled["id"], "confirm")),
        409,
        f"Booking #{cancelled['id']} is cancelled; make a new one.",
    )
    assert row(cancelled["id"]) == cancelled


@pytest.mark.parametrize("status", ["hold_1", "confirmed"])
@pytest.mark.parametrize("moved", [True, False], ids=["moved", "retitled"])
def test_a_booking_cancelled_after_the_caller_read_it_stays_cancelled(
    owner: Any, room: Room, project: Project, status: str, moved: bool
) -> None:
    """The caller's copy still says it is live; the row, read again, says cancelled. Without
    that second look a move gave the cancelled booking a hold tier again and a retitle wrote
    onto it. (A cancel committed while the update waits for its locks: the services lane's
    tests/services/test_booking_update_race.py.)"""
    start = upcoming(days=10)
    [stale] = services.booking_create(
        by=owner,
        room=room,
        project=project,
        start=start,
        end=start + 4 * HOUR,
        status=None if status == "hold_1" else status,
    )
    assert stale.status == status
    # Cancelled by someone else between the caller's read and its write.
    Booking.objects.filter(pk=stale.pk).update(
        status=Booking.Status.CANCELLED,
        ending=Booking.Ending.CANCELLED,
        cancelled_at=timezone.now(),
        sequence=1,
    )
    before = row(stale.pk)
    change: dict[str, Any] = (
        {"start": start + DAY, "end": start + DAY + 4 * HOUR} if moved else {"title": "Vocals"}
    )
    with pytest.raises(Conflict) as refusal:
        services.booking_update(booking=stale, **change)
    assert (refusal.value.code, refusal.value.detail) == (
        "cancelled",
        f"Booking #{stale.pk} is cancelled; make a new one.",
    )
    assert row(stale.pk) == before
    assert before["status"] == "cancelled"


# --- an inactive room ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({}, id="hold"),
        pytest.param({"status": "confirmed"}, id="confirmed"),
        pytest.param({"rrule": "FREQ=WEEKLY;COUNT=3"}, id="series"),
    ],
)
def test_an_inactive_room_is_not_bookable(
    as_owner: APIClient, room: Room, project: Project, extra: dict[str, Any]
) -> None:
    closed = RoomFactory.create(studio=room.studio, name="B", is_active=False)
    response = book(as_owner, closed, project, *at(upcoming(days=10)), **extra)
    assert (response.status_code, response.json()) == (
        400,
        {"room": [f"{room.studio.name} / B is not bookable (inactive)."]},
    )
    assert not Booking.objects.exists()
    # The same booking in the studio's active room goes through.
    assert book(as_owner, room, project, *at(upcoming(days=10)), **extra).status_code == 201


def test_a_retitle_from_an_old_copy_keeps_the_day_where_it_was_moved(
    owner: Any, room: Room, project: Project
) -> None:
    """The page was opened before someone moved the day; its retitle changes the title only
    (the times it does not send are read from the row, not from the page's copy)."""
    start = upcoming(days=10)
    [old] = services.booking_create(
        by=owner, room=room, project=project, start=start, end=start + 4 * HOUR
    )
    moved = services.booking_update(
        booking=Booking.objects.get(pk=old.pk), start=start + DAY, end=start + DAY + 4 * HOUR
    )
    services.booking_update(booking=old, title="Vocals")
    stored = Booking.objects.get(pk=old.pk)
    assert (stored.title, stored.start, stored.end) == ("Vocals", moved.start, moved.end)


def test_a_booking_is_not_moved_into_an_inactive_room(
    as_owner: APIClient, room: Room, project: Project
) -> None:
    booking = book(as_owner, room, project, *at(upcoming(days=10))).json()
    closed = RoomFactory.create(studio=room.studio, name="B", is_active=False)
    before = row(booking["id"])
    response = as_owner.patch(url(booking["id"]), {"room": closed.pk}, format="json")
    assert (response.status_code, response.json()) == (
        400,
        {"room": [f"{room.studio.name} / B is not bookable (inactive)."]},
    )
    assert row(booking["id"]) == before


def test_a_second_hold_behind_a_confirmed_day_is_told_to_move_not_to_confirm(
    as_owner: APIClient, room: Room, project: Project, rival: Project
) -> None:
    """Its 1st hold lapsed and the slot was confirmed by another production meanwhile: there
    is nothing to challenge, and "confirm instead" would send it into a refusal."""
    start = upcoming(days=10)
    first = book(as_owner, room, rival, *at(start)).json()
    second = book(as_owner, room, project, *at(start)).json()
    assert second["status"] == "hold_2"
    Booking.objects.filter(pk=first["id"]).update(status=Booking.Status.CONFIRMED)
    before = row(second["id"])
    refused(
        as_owner.post(url(second["id"], "challenge")),
        409,
        "No 1st hold stands in the way, but confirming would be refused too: "
        f"{room} is already booked: {describe_booking(Booking.objects.get(pk=first['id']))}. "
        "Pick another time.",
    )
    assert row(second["id"]) == before
