"""Races: many producers at once, two expiry runs at once. Real threads, real connections."""

import datetime
import threading
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from projects.models import Role
from studio import services
from studio.models import Booking
from tests.clock import upcoming
from tests.conftest import api_client_for
from tests.factories import (
    MembershipFactory,
    ProjectFactory,
    RoomFactory,
    StudioFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

BERLIN = ZoneInfo("Europe/Berlin")
THREADS = 20


def run_at_once(work: Callable[[int], Any], count: int) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads released together; each has its own connection."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def body(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:  # noqa: BLE001 - reported to the test below
            results[i] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_twenty_producers_one_room_one_winner() -> None:
    studio = StudioFactory.create(time_zone="Europe/Berlin")
    room = RoomFactory.create(studio=studio, day_rate=Decimal("700"))
    producers = []
    for i in range(THREADS):
        user = UserFactory.create(username=f"producer{i}")
        project = ProjectFactory.create(title=f"Record {i}")
        MembershipFactory.create(project=project, user=user, role=Role.PRODUCER)
        project.studios.add(studio)
        producers.append((user, project))
    day = upcoming(days=14, hour=10, zone=BERLIN)

    def attempt(i: int) -> int:
        user, project = producers[i]
        start = day + datetime.timedelta(minutes=10 * i)  # all overlap each other
        response = api_client_for(user).post(
            "/api/v1/bookings/",
            {
                "room": room.pk,
                "project": project.pk,
                "start": start.isoformat(),
                "end": (start + datetime.timedelta(hours=8)).isoformat(),
                "status": "confirmed",
            },
            format="json",
        )
        if response.status_code == 409:
            assert "is already booked: booking #" in response.json()["detail"]
        return response.status_code

    codes = run_at_once(attempt, THREADS)
    assert Counter(codes) == {201: 1, 409: THREADS - 1}, codes
    assert Booking.objects.filter(room=room, status=Booking.Status.CONFIRMED).count() == 1
    assert Booking.objects.count() == 1


def test_two_expiry_runs_expire_each_hold_once() -> None:
    owner = UserFactory.create()
    studio = StudioFactory.create()
    rooms = [RoomFactory.create(studio=studio) for _ in range(5)]
    project = ProjectFactory.create()
    MembershipFactory.create(project=project, user=owner)
    start = timezone.now() + datetime.timedelta(days=30)
    for i in range(30):
        services.booking_create(
            by=owner,
            room=rooms[i % 5],
            project=project,
            start=start + datetime.timedelta(hours=3 * i),
            end=start + datetime.timedelta(hours=3 * i + 2),
            expires_at=timezone.now() + datetime.timedelta(minutes=5),
        )
    later = timezone.now() + datetime.timedelta(hours=1)

    counts = run_at_once(lambda i: services.holds_expire(now=later), 2)
    assert all(isinstance(n, int) for n in counts), counts
    assert sum(counts) == 30
    expired = Booking.objects.filter(ending=Booking.Ending.EXPIRED)
    assert expired.count() == 30
    # Each was changed once: one SEQUENCE step, not two.
    assert set(expired.values_list("sequence", flat=True)) == {1}
