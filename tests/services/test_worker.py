"""Round trips through the real services: PostgreSQL, the broker and a Celery worker."""

import datetime
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from studio import services
from studio.models import Role
from studio.tasks import holds_expire, membership_notify
from tests.factories import MembershipFactory, ProjectFactory, RoomFactory, UserFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(worker_id: str) -> Iterator[Any]:
    """A real worker thread consuming from the broker, on a queue of this test process alone
    (pytest-xdist runs several, and they share one broker)."""
    assert connection.vendor == "postgresql", "the services lane runs on PostgreSQL"
    assert os.environ.get("CELERY_BROKER_URL"), "the services lane needs CELERY_BROKER_URL"
    assert os.environ.get("CELERY_RESULT_BACKEND"), "the services lane needs CELERY_RESULT_BACKEND"
    queue = f"tracksheet-tests-{worker_id}"
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        with start_worker(
            celery_app, pool="solo", concurrency=1, perform_ping_check=False, queues=[queue]
        ) as running:
            yield running
    finally:
        celery_app.conf.task_default_queue = previous


def test_member_email_goes_through_the_worker(worker: Any) -> None:
    owner = UserFactory.create()
    newcomer = UserFactory.create(email="newcomer@example.com")
    project = ProjectFactory.create(title="Worker Proof")
    MembershipFactory.create(project=project, user=owner, role=Role.PRODUCER)

    # The service enqueues the email on commit; the worker takes it from the broker and runs
    # it against PostgreSQL on its own connection.
    membership = services.membership_add(
        project=project, user=newcomer, role=Role.ENGINEER, by=owner
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        membership.refresh_from_db()
        if membership.notified_at is not None:
            break
        time.sleep(0.1)
    assert membership.notified_at is not None, "the worker never ran the task"
    assert [m.to for m in mail.outbox] == [["newcomer@example.com"]]

    # A second delivery of the same task (acks_late re-delivers after a crash) sends nothing;
    # the result comes back through the result backend.
    assert membership_notify.apply_async((membership.pk,)).get(timeout=30) is False
    assert len(mail.outbox) == 1


def test_hold_expiry_task_runs_on_the_worker(worker: Any) -> None:
    owner = UserFactory.create()
    project = ProjectFactory.create()
    MembershipFactory.create(project=project, user=owner, role=Role.PRODUCER)
    room = RoomFactory.create()
    start = timezone.now() + datetime.timedelta(days=10)
    [hold] = services.booking_create(
        by=owner,
        room=room,
        project=project,
        start=start,
        end=start + datetime.timedelta(hours=3),
        expires_at=timezone.now() + datetime.timedelta(milliseconds=300),
    )
    time.sleep(0.5)
    assert holds_expire.apply_async().get(timeout=30) == 1
    hold.refresh_from_db()
    assert (hold.status, hold.ending) == ("cancelled", "expired")
    # The beat schedule names the same task.
    assert celery_app.conf.beat_schedule["expire-holds"]["task"] == holds_expire.name
