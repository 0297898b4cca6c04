"""Approvals of one song's master versions at once, on PostgreSQL where row locks are real
(SQLite serializes every write, so the race cannot be lost there): the tracks end on the
master ``master_version_for`` names, the newest approved."""

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from config.celery import app as celery_app
from projects.models import Project
from releases import services as release_services
from releases.models import Master, Release, Track
from releases.services.masters import master_version_for
from songs import services
from songs.models import Song, SongStage, SongVersion
from songs.services import song_create
from tests.releases.audio_files import tone
from tests.services.threads import in_thread, wait_until_blocked_or_done

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _on_postgresql() -> None:
    assert connection.vendor == "postgresql", "the services lane runs on PostgreSQL"


@pytest.fixture(autouse=True)
def _tasks_in_process() -> Iterator[None]:
    """The uploads' analyses run here rather than on the shared broker, with no worker to
    take them; analysed versions also send no master analysis when approved."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def master_upload(song: Song, tmp_path: Path, *, dbfs: float) -> SongVersion:
    path = tone(tmp_path / f"master{dbfs}.wav", seconds=3.0, rate=44100, dbfs=dbfs)
    return services.version_upload(
        song=song,
        kind="master",
        upload=SimpleUploadedFile(path.name, path.read_bytes()),
        by=None,
    )


def test_two_masters_approved_at_once_leave_the_tracks_on_the_newest(
    project: Project, owner: Any, tmp_path: Path
) -> None:
    song = song_create(project=project, title="Paper Lanterns", stage=SongStage.MASTERING)
    for title in ("Paper Lanterns", "Harbour Lights"):
        release = Release.objects.create(project=project, title=title, display_artist="W")
        release_services.track_from_song(release=release, song=song, position=1)
    first = master_upload(song, tmp_path, dbfs=-12.0)
    second = master_upload(song, tmp_path, dbfs=-9.0)
    assert first.sha256 != second.sha256
    assert SongVersion.objects.get(pk=second.pk).integrated_lufs is not None

    # The first approval stamps its approved_at, then is held just before it locks the
    # tracks, until the second approval has either finished or is waiting on a lock. Without
    # the song's lock the second stamps later, copies first and commits; the first then
    # copies its older master over it.
    stamped, go_on = threading.Event(), threading.Event()
    lock_tracks = Track.objects.select_for_update

    def held_when_first(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name == "first":
            stamped.set()
            assert go_on.wait(timeout=60), "never let go on"
        return lock_tracks(*args, **kwargs)

    second_pid: list[int] = []

    def approve_second() -> SongVersion:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            second_pid.append(cursor.fetchone()[0])
        return services.version_approve(version=second, by=owner)

    with mock.patch.object(Track.objects, "select_for_update", held_when_first):
        one, first_result = in_thread(
            lambda: services.version_approve(version=first, by=owner), name="first"
        )
        assert stamped.wait(timeout=60)
        two, second_result = in_thread(approve_second, name="second")
        wait_until_blocked_or_done(two, second_pid)
        go_on.set()
        one.join(timeout=60)
        two.join(timeout=60)

    assert [type(r) for r in first_result + second_result] == [SongVersion, SongVersion], (
        first_result + second_result
    )
    newest = master_version_for(song=song)
    assert newest == second
    masters = Master.objects.filter(track__song=song).order_by("track__release__title")
    assert [m.sha256 for m in masters] == [second.sha256, second.sha256]
    assert [Path(m.file.path).read_bytes() for m in masters] == [
        Path(second.file.path).read_bytes()
    ] * 2
    song.refresh_from_db()
    assert song.stage == SongStage.DONE
