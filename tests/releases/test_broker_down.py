"""The broker down: requests that queue work still answer for what they committed, the work
waits, the sweep sends it when the broker is back, and a job the queue never took does not
block a new one. The broker is a real, unreachable address, not a stand-in."""

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kombu.pools
import pytest
import time_machine
from django.core import mail
from django.test import TestCase
from django.utils import timezone
from rest_framework.test import APIClient

from config.celery import app as celery_app
from projects import services as project_services
from projects.models import Membership, Project
from releases import services
from releases.models import Master, Release, RenderJob
from tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.releases.audio_files import tone
from tests.releases.conftest import upload

pytestmark = pytest.mark.django_db
UNREACHABLE = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there


def _forget_connections() -> None:
    # Celery and kombu keep their connection and producer pools once made: a new broker
    # address needs new ones.
    vars(celery_app)["_pool"] = None
    vars(celery_app.amqp)["_producer_pool"] = None
    kombu.pools.reset()


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    previous = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    # Celery reads CELERY_BROKER_URL from the environment before its own settings.
    monkeypatch.setenv("CELERY_BROKER_URL", UNREACHABLE)
    celery_app.conf.update(broker_url=UNREACHABLE, task_always_eager=False)
    _forget_connections()
    assert celery_app.connection_for_write().port == 9
    yield
    celery_app.conf.update(broker_url=previous[0], task_always_eager=previous[1])
    _forget_connections()


def broker_back() -> None:
    """The broker answers again; the laptop default runs tasks in-process, as a worker would."""
    celery_app.conf.task_always_eager = True


def later(minutes: int) -> Any:
    return time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes), tick=False)


def test_adding_a_member_answers_201_and_the_email_goes_once_the_broker_is_back(
    as_owner: APIClient, owner: Any, project: Project, broker_down: None
) -> None:
    newcomer = UserFactory.create(username="newcomer", email="newcomer@example.com")
    # Someone the producer already works with on another production (who may be added).
    other = ProjectFactory.create()
    MembershipFactory.create(project=other, user=owner, role="producer")
    MembershipFactory.create(project=other, user=newcomer, role="viewer")
    # The members the fixture made were told long ago.
    Membership.objects.update(notified_at=timezone.now())
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = as_owner.post(
            f"/api/v1/projects/{project.pk}/members/",
            {"user": "newcomer", "role": "viewer"},
            format="json",
        )
    assert response.status_code == 201, response.json()
    membership = Membership.objects.get(project=project, user__username="newcomer")
    assert membership.notified_at is None
    assert mail.outbox == []

    broker_back()
    assert project_services.membership_notify_sweep() == 0  # too soon: it may still be queued
    with later(11):
        assert project_services.membership_notify_sweep() == 1
        assert project_services.membership_notify_sweep() == 0
    assert [message.to for message in mail.outbox] == [["newcomer@example.com"]]


def test_a_master_uploaded_while_the_broker_is_down_is_analysed_by_the_sweep(
    as_owner: APIClient, ready_release: Release, broker_down: None, tmp_path: Path
) -> None:
    track = ready_release.tracks.get(position=1)
    master_file = tone(tmp_path / "new.wav", dbfs=-10.0)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = as_owner.post(
            f"/api/v1/tracks/{track.pk}/master/", {"file": upload(master_file)}, format="multipart"
        )
    assert response.status_code == 201, response.json()
    master = Master.objects.get(track=track)
    assert master.analysed_at is None

    broker_back()
    with later(11):
        assert services.master_analyse_sweep() == 1
    master.refresh_from_db()
    assert master.analysed_at is not None
    assert master.integrated_lufs is not None


def test_a_render_the_queue_never_took_is_sent_again_and_never_blocks(
    as_owner: APIClient, ready_release: Release, broker_down: None
) -> None:
    url = f"/api/v1/releases/{ready_release.pk}/render/"
    with TestCase.captureOnCommitCallbacks(execute=True):
        first = as_owner.post(url, {"targets": ["mp3"]}, format="json")
    assert first.status_code == 202, first.json()
    job = RenderJob.objects.get(pk=first.json()["id"])
    assert job.status == RenderJob.Status.QUEUED
    assert "unreachable" in job.log[-1]["message"]
    # Asked again at once: the same job, not a second one.
    again = as_owner.post(url, {"targets": ["mp3"]}, format="json")
    assert (again.status_code, again.json()["id"]) == (200, job.pk)

    # Still no broker a while later: a new request replaces the stalled job.
    with later(11), TestCase.captureOnCommitCallbacks(execute=True):
        replaced = as_owner.post(url, {"targets": ["mp3"]}, format="json")
    assert replaced.status_code == 202
    job.refresh_from_db()
    assert job.status == RenderJob.Status.FAILED
    assert set(job.tasks.values_list("status", flat=True)) == {"cancelled"}

    # The broker is back: the sweep sends the new job's tracks, which render.
    broker_back()
    with later(22):
        assert services.render_sweep() == 2
    newer = RenderJob.objects.get(pk=replaced.json()["id"])
    assert newer.status == RenderJob.Status.DONE
    assert any("again" in entry["message"] for entry in newer.log)
