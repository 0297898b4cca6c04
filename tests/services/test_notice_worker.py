"""A booking's invitation through the real services: PostgreSQL, the broker, a Celery worker;
the same task delivered again, and two at once, send nothing more."""

from __future__ import annotations

import datetime
import time
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from projects.models import Notice, Role
from projects.tasks import notice_send
from studio import services
from tests.factories import (
    MembershipFactory,
    PersonFactory,
    ProjectFactory,
    RoomFactory,
    UserFactory,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_an_invitation_goes_through_the_worker_once(worker: Any) -> None:
    owner = UserFactory.create()
    project = ProjectFactory.create(title="Worker Invitations")
    MembershipFactory.create(project=project, user=owner, role=Role.PRODUCER)
    engineer = PersonFactory.create(name="Eno Desk", projects=[project])
    room = RoomFactory.create()
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=9)
    [booking] = services.booking_create(
        by=owner,
        room=room,
        project=project,
        start=start,
        end=start + datetime.timedelta(hours=4),
        engineer=engineer,
    )
    services.booking_confirm(booking=booking)
    deadline = time.monotonic() + 30
    notice = None
    while time.monotonic() < deadline:
        notice = Notice.objects.filter(person=engineer, sent_at__isnull=False).first()
        if notice is not None:
            break
        time.sleep(0.1)
    assert notice is not None, "the worker never sent the invitation"
    assert [m.to for m in mail.outbox] == [["eno.desk@example.com"]]
    message: Any = mail.outbox[0]
    assert "method=REQUEST" in message.alternatives[0][1]

    # Delivered again, and twice at once: the claimed row sends nothing more.
    again = [notice_send.apply_async((notice.pk,)) for _ in range(2)]
    assert [result.get(timeout=30) for result in again] == [False, False]
    assert len(mail.outbox) == 1
