"""Render jobs: a release's masters into tagged deliverables, one task per track.

A deliverable row exists only for a whole file: the renderer writes a temporary name beside the
final one, the file is tagged, flushed to disk and renamed, and only then is the row saved. A
worker killed on the way leaves a temporary file (removed on the next attempt), never a row.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from core.errors import Conflict
from core.queue import SWEEP_AFTER_MINUTES, send_on_commit
from releases import tagging
from releases.models import (
    Artwork,
    Credit,
    Deliverable,
    Master,
    Release,
    RenderJob,
    RenderTask,
    Track,
    validate_targets,
)
from releases.render import TARGETS, Renderer, RenderError, RendererUnavailable, renderer
from songs.audio import AudioInfo, bitrate_kbps, digests

TEMPORARY_PREFIX = ".part-"


def safe_name(text: str, *, limit: int = 80) -> str:
    """A file name part from free text: no separators, no dots in front, nothing a zip or a
    file system reads as a path."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[\x00-\x1f\x7f/\\:*?\"<>|]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip(" .")
    return text[:limit].strip(" .") or "untitled"


def deliverable_name(track: Track, target: str) -> str:
    spec = TARGETS[target]
    number = f"{track.disc}-{track.position:02d}" if track.disc > 1 else f"{track.position:02d}"
    return f"{number} {safe_name(track.title)}.{spec.extension}"


def _deliverable_dir(release: Release, target: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "deliverables" / f"release-{release.pk}" / target


def release_render(
    *, release: Release, by: Any = None, targets: list[str] | None = None
) -> tuple[RenderJob, bool]:
    """Start rendering every track of the release into its targets; returns the job and
    whether it is new. While a job of the release runs, that job is returned instead."""
    from releases.tasks import render_track

    chosen = release.targets if targets is None else targets
    try:
        validate_targets(chosen)
    except ValidationError as error:
        raise ValidationError({"targets": error.messages}) from error
    renderer().check()
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        active = release.render_jobs.filter(status__in=RenderJob.ACTIVE).first()
        if active is not None:
            if not _stalled(active):
                return active, False
            _supersede(active)
        tracks = list(release.tracks.select_related("master"))
        if not tracks:
            raise ValidationError({"tracks": "The release has no tracks to render."})
        missing = [t for t in tracks if not hasattr(t, "master")]
        if missing:
            raise ValidationError(
                {"masters": [f"Track {t.position} “{t.title}” has no master." for t in missing]}
            )
        job = RenderJob.objects.create(
            release=release,
            targets=chosen,
            total=len(tracks),
            created_by=by if getattr(by, "pk", None) else None,
            log=[_entry(f"Rendering {len(tracks)} track(s) into {', '.join(chosen)}.")],
        )
        tasks = RenderTask.objects.bulk_create(RenderTask(job=job, track=t) for t in tracks)
        ids = [task.pk for task in tasks]
        send_on_commit(
            lambda: _enqueue(render_track, ids),
            what=f"render job {job.pk}",
            on_failure=lambda: _log(job.pk, UNQUEUED),
        )
    return job, True


UNQUEUED = (
    "The task queue is unreachable: the job waits and is sent again when it is back "
    "(or ask again later to start over)."
)


def _stalled(job: RenderJob) -> bool:
    """A job the queue never took (its broker was down, or lost it): still queued long after
    the sweep would have sent it. Asking to render again replaces it instead of waiting on it;
    a job that runs is stopped with Cancel, never replaced."""
    waited = timezone.now() - job.created_at
    return job.status == RenderJob.Status.QUEUED and waited > STALLED_AFTER


STALLED_AFTER = datetime.timedelta(minutes=SWEEP_AFTER_MINUTES)


def _supersede(job: RenderJob) -> None:
    """Close a stalled job (its row is locked by the caller through its release's lock): its
    tracks are cancelled, so a late delivery of its tasks does nothing."""
    now = timezone.now()
    job.tasks.exclude(status__in=RenderTask.FINAL).update(
        status=RenderTask.Status.CANCELLED, message="Never started; replaced.", finished_at=now
    )
    job.status, job.finished_at = RenderJob.Status.FAILED, now
    job.log = [*job.log, _entry("Never started: replaced by a new render.")]
    job.save(update_fields=["status", "finished_at", "log"])


def _log(job_id: int, message: str) -> None:
    with transaction.atomic():
        job = RenderJob.objects.select_for_update().get(pk=job_id)
        job.log = [*job.log, _entry(message)]
        job.save(update_fields=["log"])


def render_sweep(*, now: datetime.datetime | None = None) -> int:
    """Send again the tracks of jobs the queue never took (queued for over
    SWEEP_AFTER_MINUTES, no track started); returns how many tasks were sent. A task that is
    delivered twice renders once: the first to start marks it."""
    from releases.tasks import render_track

    now = now or timezone.now()
    waiting = list(
        RenderTask.objects.filter(
            status=RenderTask.Status.QUEUED,
            job__status=RenderJob.Status.QUEUED,
            job__created_at__lt=now - STALLED_AFTER,
        ).values_list("pk", "job_id")
    )
    for job_id in sorted({job_id for _, job_id in waiting}):
        _log(job_id, "Sent to the task queue again.")
    if waiting:
        _enqueue(render_track, [task_id for task_id, _ in waiting])
    return len(waiting)


def _enqueue(render_track: Any, ids: list[int]) -> None:
    from celery import group

    group(render_track.s(task_id) for task_id in ids).apply_async()


def _entry(message: str, track: Track | None = None) -> dict[str, Any]:
    return {
        "at": timezone.now().isoformat(timespec="seconds"),
        "track": track.position if track is not None else None,
        "message": message,
    }


def render_job_cancel(*, job: RenderJob) -> RenderJob:
    """Stop a job: queued tracks are not rendered, running ones stop before their next target.
    Deliverables already whole stay."""
    with transaction.atomic():
        job = RenderJob.objects.select_for_update().get(pk=job.pk)
        if job.status not in RenderJob.ACTIVE:
            raise Conflict(f"The render job is {job.get_status_display().lower()} already.")
        job.tasks.filter(status=RenderTask.Status.QUEUED).update(
            status=RenderTask.Status.CANCELLED, finished_at=timezone.now()
        )
        job.status = RenderJob.Status.CANCELLED
        job.log = [*job.log, _entry("Cancelled.")]
        job.save(update_fields=["status", "log"])
        _finish_if_complete(job)
    return job


def _finish_if_complete(job: RenderJob) -> None:
    """Close the job once every track is final; the caller holds the job's row lock."""
    statuses = set(job.tasks.values_list("status", flat=True))
    if not statuses <= set(RenderTask.FINAL):
        return
    if job.status != RenderJob.Status.CANCELLED:
        failed = RenderTask.Status.FAILED in statuses
        job.status = RenderJob.Status.FAILED if failed else RenderJob.Status.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at"])


def _task_close(task_id: int, status: str, message: str) -> None:
    with transaction.atomic():
        task = RenderTask.objects.select_related("track").get(pk=task_id)
        job = RenderJob.objects.select_for_update().get(pk=task.job_id)
        if task.status in RenderTask.FINAL:
            return
        task.status, task.message, task.finished_at = status, message, timezone.now()
        task.save(update_fields=["status", "message", "finished_at"])
        job.log = [*job.log, _entry(message, task.track)]
        job.save(update_fields=["log"])
        _finish_if_complete(job)


def render_task_fail(*, task_id: int, message: str) -> None:
    """Fail one track's part of a job (its task gave up); the other tracks go on."""
    _task_close(task_id, RenderTask.Status.FAILED, message)


def render_key(
    master: Master, target: str, renderer: Renderer, tags: tagging.Tags, cover_sha256: str
) -> str:
    """What decides a deliverable's bytes; the same key again is not rendered again."""
    payload = {
        "master": master.sha256,
        "target": TARGETS[target].__dict__,
        "renderer": [renderer.name, renderer.version],
        "tags": tags.digest_fields(),
        "cover": cover_sha256,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class ReleaseFacts:
    """What every track's tags share: read once per release, not once per track. The cover's
    bytes are read only when files are tagged; its checksum is enough to compare keys."""

    positions: list[tuple[int, int]]
    cover_sha256: str
    cover: bytes = b""

    @classmethod
    def of(
        cls, release: Release, tracks: list[Track] | None = None, *, with_cover: bool = True
    ) -> ReleaseFacts:
        try:
            artwork: Artwork | None = release.artwork  # joined already by some callers
        except Artwork.DoesNotExist:
            artwork = None
        cover = b""
        if artwork is not None and with_cover:
            with artwork.image.open("rb") as handle:
                cover = handle.read()
        if tracks is not None:
            positions = [(t.disc, t.position) for t in tracks]
        else:
            positions = list(release.tracks.values_list("disc", "position"))
        return cls(positions, artwork.sha256 if artwork is not None else "", cover)


def track_tags(track: Track, facts: ReleaseFacts | None = None) -> tagging.Tags:
    """The track's tags; `track.credits` are best prefetched.

    The release's featured artists come from `release.credits`: loaded here once per release
    object unless the caller prefetched them, so the tracks of one `release.tracks` query
    (which share their release object) cost one query together, not one each."""
    credits = Prefetch("credits", queryset=Credit.objects.select_related("person"))
    prefetch_related_objects([track.release], credits)
    facts = facts or ReleaseFacts.of(track.release)
    same_disc = [p for d, p in facts.positions if d == track.disc]
    return tagging.tags_for(
        track,
        track_total=len(same_disc),
        disc_total=max((d for d, _ in facts.positions), default=1),
        cover=facts.cover,
    )


def _render_one(
    track: Track,
    master: Master,
    target: str,
    active: Renderer,
    tags: tagging.Tags,
    cover_sha256: str,
) -> tuple[Deliverable, bool]:
    """One target of one track; returns the deliverable and whether it was rendered now."""
    key = render_key(master, target, active, tags, cover_sha256)
    existing = Deliverable.objects.filter(track=track, target=target).first()
    if existing is not None and existing.key == key and Path(existing.file.path).exists():
        return existing, False
    spec = TARGETS[target]
    folder = _deliverable_dir(track.release, target)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(f"{TEMPORARY_PREFIX}{track.pk}-*"):
        stale.unlink(missing_ok=True)  # left by a worker that died mid-render
    final = folder / deliverable_name(track, target)
    partial = folder / f"{TEMPORARY_PREFIX}{track.pk}-{uuid.uuid4().hex}.{spec.extension}"
    info = AudioInfo(
        format=master.format,
        subtype=master.subtype,
        sample_rate=master.sample_rate,
        bit_depth=master.bit_depth,
        is_float=master.is_float,
        channels=master.channels,
        frames=master.frames,
    )
    try:
        active.render(Path(master.file.path), info, spec, partial)
        tagging.write(partial, spec.extension, tags)
        with partial.open("rb+") as handle:
            os.fsync(handle.fileno())
        sha256, md5 = digests(partial)
        size = partial.stat().st_size
        bitrate = None if spec.lossless else bitrate_kbps(partial)
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    relative = final.relative_to(Path(settings.MEDIA_ROOT)).as_posix()
    deliverable, _ = Deliverable.objects.update_or_create(
        track=track,
        target=target,
        defaults={
            "file": relative,
            "key": key,
            "size": size,
            "sha256": sha256,
            "md5": md5,
            "sample_rate": spec.output_rate(info),
            "bit_depth": spec.output_depth(info),
            "bitrate": bitrate,
        },
    )
    if existing is not None and existing.file.name != relative:
        Path(existing.file.path).unlink(missing_ok=True)  # the track was renamed
    return deliverable, True


def render_task_run(*, task_id: int) -> str:
    """Render one track of a job into the job's targets; returns the task's status.

    Idempotent: a task already final returns at once (a broker may deliver it twice), and a
    target whose key is rendered already is kept. A master ffmpeg cannot read fails this
    track with ffmpeg's message; the job's other tracks go on."""
    with transaction.atomic():
        task = (
            RenderTask.objects.select_for_update().select_related("job").filter(pk=task_id).first()
        )
        if task is None or task.status in RenderTask.FINAL:
            return task.status if task else "gone"
        job = task.job
        if job.status == RenderJob.Status.CANCELLED:
            cancelled = True
        else:
            cancelled = False
            task.status, task.attempts = RenderTask.Status.RUNNING, task.attempts + 1
            task.save(update_fields=["status", "attempts"])
            RenderJob.objects.filter(pk=job.pk, status=RenderJob.Status.QUEUED).update(
                status=RenderJob.Status.RUNNING
            )
    if cancelled:
        _task_close(task_id, RenderTask.Status.CANCELLED, "Cancelled before it started.")
        return RenderTask.Status.CANCELLED
    track = (
        Track.objects.select_related("release", "master")
        .prefetch_related(
            Prefetch("credits", queryset=Credit.objects.select_related("person")),
            Prefetch("release__credits", queryset=Credit.objects.select_related("person")),
        )
        .get(pk=task.track_id)
    )
    master = getattr(track, "master", None)
    if master is None:
        _task_close(task_id, RenderTask.Status.FAILED, f"Track {track.position} has no master.")
        return RenderTask.Status.FAILED
    active = renderer()
    facts = ReleaseFacts.of(track.release)
    tags = track_tags(track, facts)
    done: list[str] = []
    for target in job.targets:
        if RenderJob.objects.filter(pk=job.pk, status=RenderJob.Status.CANCELLED).exists():
            _task_close(task_id, RenderTask.Status.CANCELLED, "Cancelled.")
            return RenderTask.Status.CANCELLED
        try:
            _, rendered = _render_one(track, master, target, active, tags, facts.cover_sha256)
        except (RenderError, RendererUnavailable) as error:
            _task_close(task_id, RenderTask.Status.FAILED, f"“{track.title}”: {error}")
            return RenderTask.Status.FAILED
        done.append(target if rendered else f"{target} (unchanged)")
    _task_close(task_id, RenderTask.Status.DONE, f"“{track.title}”: {', '.join(done)}.")
    return RenderTask.Status.DONE
