"""Mail about versions: a note tells the version's uploader (not when they wrote it
themselves), an approval tells the production's producers; each once."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from projects.models import NoticeKind, NoticePreference, Project, Role
from songs import services
from songs.models import ListenLink, SongStage
from songs.services import song_create
from tests.factories import MembershipFactory, PersonFactory, UserFactory
from tests.releases.test_versions import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def engineer(project: Project) -> Any:
    user = UserFactory.create(username="mixer", email="mixer@example.com")
    MembershipFactory.create(project=project, user=user, role=Role.ENGINEER)
    return user


@pytest.fixture
def artist(project: Project) -> Any:
    user = UserFactory.create(username="singer", email="singer@example.com")
    MembershipFactory.create(project=project, user=user, role=Role.ARTIST)
    return user


def test_a_note_tells_the_uploader_once(
    project: Project,
    owner: Any,
    engineer: Any,
    artist: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    song = song_create(project=project, title="Paper Lanterns", stage=SongStage.MIXING)
    version = upload(song, "mix", tmp_path, engineer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.version_note_add(
            version=version, at_seconds=Decimal("4.5"), body="vocal too loud", by=artist
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.version_note_add(
            version=version, at_seconds=Decimal("1"), body="my own reminder", by=engineer
        )
    [message] = mail.outbox
    assert message.to == ["mixer@example.com"]
    assert message.subject == "A note on Paper Lanterns, Mix v1 at 0:04"
    assert "0:04  vocal too loud" in message.body
    assert f"/projects/{project.pk}/songs/{song.pk}/versions/?v={version.pk}" in message.body


def test_a_guest_note_through_a_listen_link_tells_the_uploader(
    project: Project, engineer: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    song = song_create(project=project, title="Paper Lanterns", stage=SongStage.MIXING)
    version = upload(song, "mix", tmp_path, engineer)
    mail.outbox.clear()
    link = ListenLink.objects.create(
        version=version,
        expires_at=version.uploaded_at + datetime.timedelta(days=7),
        allow_notes=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.version_note_add(
            version=version,
            at_seconds=Decimal("2"),
            body="kick is boomy",
            link=link,
            guest_name="Mastering desk",
        )
    [message] = mail.outbox
    assert "Mastering desk (through a listen link) left a note" in message.body


def test_an_approval_tells_the_producers(
    project: Project,
    owner: Any,
    engineer: Any,
    artist: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    owner.email = "owner@example.com"
    owner.save()
    second = UserFactory.create(username="coproducer", email="co@example.com")
    MembershipFactory.create(project=project, user=second, role=Role.PRODUCER)
    quiet = PersonFactory.create(name="Co Producer", user=second)
    NoticePreference.objects.create(person=quiet, kind=NoticeKind.VERSION_APPROVED, enabled=False)
    song = song_create(project=project, title="Paper Lanterns", stage=SongStage.MIXING)
    version = upload(song, "mix", tmp_path, engineer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.version_approve(version=version, by=artist)
    [message] = mail.outbox
    assert message.to == ["owner@example.com"]
    assert message.subject == "Approved: Paper Lanterns, Mix v1"
    assert "is approved by singer" in message.body
