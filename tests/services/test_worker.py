"""Round trips through the real services: PostgreSQL, the broker and a Celery worker."""

import datetime
import time
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from config.celery import app as celery_app
from projects import services as project_services
from projects.models import Role
from projects.tasks import membership_notify
from studio import services
from studio.models import Booking
from studio.tasks import holds_expire
from tests.factories import MembershipFactory, ProjectFactory, RoomFactory, UserFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_member_email_goes_through_the_worker(worker: Any) -> None:
    owner = UserFactory.create()
    newcomer = UserFactory.create(email="newcomer@example.com")
    project = ProjectFactory.create(title="Worker Proof")
    MembershipFactory.create(project=project, user=owner, role=Role.PRODUCER)
    # Someone the producer already works with on another production (who may be added).
    elsewhere = ProjectFactory.create()
    MembershipFactory.create(project=elsewhere, user=owner, role=Role.PRODUCER)
    MembershipFactory.create(project=elsewhere, user=newcomer, role=Role.VIEWER)

    # The service enqueues the email on commit; the worker takes it from the broker and runs
    # it against PostgreSQL on its own connection.
    membership = project_services.membership_add(
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
    )
    # Its time has come (set here, not waited for).
    Booking.objects.filter(pk=hold.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert holds_expire.apply_async().get(timeout=30) == 1
    hold.refresh_from_db()
    assert (hold.status, hold.ending) == ("cancelled", "expired")
    # The beat schedule names the same task.
    assert celery_app.conf.beat_schedule["expire-holds"]["task"] == holds_expire.name
