"""Render jobs on real workers: a group through the broker, and a worker killed mid-render."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import TestCase

from config.celery import app as celery_app
from releases import services
from releases.models import Deliverable, Release, RenderJob, RenderTask
from releases.tasks import render_track
from songs.audio import digests
from tests.releases.audio_files import tone
from tests.releases.conftest import upload

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def wait_for(check: Any, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def assert_every_row_whole() -> None:
    for deliverable in Deliverable.objects.all():
        path = Path(deliverable.file.path)
        assert path.exists(), deliverable
        assert digests(path)[0] == deliverable.sha256, deliverable


def test_render_group_runs_on_the_worker(worker: Any, ready_release: Release) -> None:
    job, created = services.release_render(release=ready_release)
    assert created
    wait_for(lambda: RenderJob.objects.get(pk=job.pk).status == "done")
    assert set(RenderTask.objects.filter(job=job).values_list("status", flat=True)) == {"done"}
    assert Deliverable.objects.filter(track__release=ready_release).count() == 8
    assert_every_row_whole()


def test_a_killed_worker_leaves_no_half_file_marked_done(
    project: Any, tmp_path: Path, worker_id: str
) -> None:
    release = services.release_save(project=project, title="Long", display_artist="The Echoes")
    track = services.track_save(release=release, position=1, title="Long Song")
    master = tone(tmp_path / "long.wav", seconds=180, rate=48000, subtype="PCM_24")
    with TestCase.captureOnCommitCallbacks(execute=False):  # no loudness task needed here
        services.master_upload(track=track, upload=upload(master))

    # A worker of its own, in its own process group (ffmpeg included), on this test's queue.
    queue = f"tracksheet-kill-{worker_id}"
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
        f"/{database['NAME']}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    celery = Path(sys.executable).parent / "celery"
    process = subprocess.Popen(
        [
            str(celery),
            "-A",
            "config",
            "worker",
            "-P",
            "solo",
            "-Q",
            queue,
            "-l",
            "warning",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        job, _ = services.release_render(release=release)
        folder = Path(settings.MEDIA_ROOT) / "deliverables" / f"release-{release.pk}"
        # Kill it while ffmpeg encodes the MP3 (the third target, seconds of work), after the
        # FLAC and the WAV are whole.
        wait_for(lambda: any(folder.glob("mp3/.part-*")), seconds=120)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        celery_app.conf.task_default_queue = previous
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)

    task = RenderTask.objects.get(job=job)
    assert task.status == "running"
    assert sorted(Deliverable.objects.values_list("target", flat=True)) == ["flac", "wav16"]
    assert_every_row_whole()
    assert not (folder / "mp3" / "01 Long Song.mp3").exists()
    assert list(folder.glob("mp3/.part-*"))

    # The broker hands the task back (acks_late); its second run finishes and tidies up.
    assert render_track.apply(args=(task.pk,)).get() == "done"
    assert sorted(Deliverable.objects.values_list("target", flat=True)) == [
        "aac",
        "flac",
        "mp3",
        "wav16",
    ]
    assert_every_row_whole()
    assert not list(folder.rglob(".part-*"))
    job.refresh_from_db()
    assert job.status == "done"
    assert "flac (unchanged), wav16 (unchanged), mp3, aac" in (
        RenderTask.objects.get(pk=task.pk).message
    )
