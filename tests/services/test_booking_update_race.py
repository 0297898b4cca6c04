"""A booking changed while someone else cancels it, on PostgreSQL where row locks are real:
`booking_update` reads the row again once it holds the lock, so the cancel that committed
while it waited wins, and nothing is written onto the cancelled day."""

import datetime
import threading
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from core.errors import Conflict
from projects.models import Project
from studio import services
from studio.models import Booking, Room
from tests.clock import upcoming
from tests.services.threads import in_thread, wait_until_blocked_or_done
from tests.studio import test_bookings_api

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# The API tests' fixtures: a studio the owner manages and its room A.
studio, room = test_bookings_api.studio, test_bookings_api.room


@pytest.mark.parametrize("change", ["title", "start"])
def test_a_cancel_committed_while_the_update_waits_wins(
    owner: Any,
    room: Room,
    project: Project,
    change: str,
) -> None:
    assert connection.vendor == "postgresql", "the services lane runs on PostgreSQL"
    start = upcoming(days=10)
    [booking] = services.booking_create(
        by=owner, room=room, project=project, start=start, end=start + datetime.timedelta(hours=4)
    )
    cancelling, may_commit = threading.Event(), threading.Event()

    def cancel() -> None:
        # Holds the row, cancelled but not committed, until the update waits behind it.
        with transaction.atomic():
            Booking.objects.select_for_update().filter(pk=booking.pk).update(
                status=Booking.Status.CANCELLED,
                ending=Booking.Ending.CANCELLED,
                cancelled_at=timezone.now(),
            )
            cancelling.set()
            assert may_commit.wait(timeout=30), "the test never let the cancel commit"

    update_pid: list[int] = []

    def update() -> Booking:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            update_pid.append(cursor.fetchone()[0])
        moved = {
            "start": start + datetime.timedelta(days=1),
            "end": start + datetime.timedelta(days=1, hours=4),
        }
        return services.booking_update(
            booking=booking, **({"title": "Vocals"} if change == "title" else moved)
        )

    canceller, _ = in_thread(cancel, name="cancel")
    assert cancelling.wait(timeout=30)
    updater, result = in_thread(update, name="update")
    wait_until_blocked_or_done(updater, update_pid)
    may_commit.set()
    canceller.join(timeout=30)
    updater.join(timeout=30)

    [outcome] = result
    assert isinstance(outcome, Conflict), outcome
    assert (outcome.code, outcome.detail) == (
        "cancelled",
        f"Booking #{booking.pk} is cancelled; make a new one.",
    )
    stored = Booking.objects.get(pk=booking.pk)
    assert (stored.status, stored.title, stored.start) == (
        Booking.Status.CANCELLED,
        booking.title,
        booking.start,
    )
