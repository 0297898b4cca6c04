"""Masters: uploads checked by their content, and their loudness measured after commit."""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from releases import audio
from releases.models import Master, Track
from studio.queue import SWEEP_AFTER_MINUTES, send_on_commit


@contextmanager
def _on_disk(upload: UploadedFile) -> Iterator[Path]:
    """The upload as a file on disk: Django streamed a big one to a temporary file already;
    a small one (kept in memory) is written out."""
    temporary = getattr(upload, "temporary_file_path", None)
    if temporary is not None:
        yield Path(temporary())
        return
    suffix = Path(upload.name or "").suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        yield Path(handle.name)


@dataclass(frozen=True)
class ReceivedAudio:
    """An upload that decoded whole: its name, where it is on disk, what it is, its digests."""

    name: str
    path: Path
    info: audio.AudioInfo
    sha256: str
    md5: str


@contextmanager
def received_audio(upload: UploadedFile, *, what: str) -> Iterator[ReceivedAudio]:
    """The checks every audio upload passes before anything is kept (a master, a song's
    version): the size limit, then a whole decode by content, then its digests. Refusals are
    on the ``file`` field, naming ``what`` it is."""
    name = Path(upload.name or what).name
    if (upload.size or 0) > settings.RELEASES_MASTER_MAX_BYTES:
        limit = filesizeformat(settings.RELEASES_MASTER_MAX_BYTES)
        raise ValidationError({"file": f"A {what} is at most {limit}."})
    with _on_disk(upload) as path:
        try:
            info = audio.probe(path, name)
        except ValidationError as error:
            raise ValidationError({"file": error.messages}) from error
        sha256, md5 = audio.digests(path)
        yield ReceivedAudio(name=name, path=path, info=info, sha256=sha256, md5=md5)


def master_upload(*, track: Track, upload: UploadedFile) -> Master:
    """Keep a WAV, FLAC or AIFF master for the track after it decoded whole; replaces an
    earlier master. The track's duration becomes the master's; loudness follows in a task."""
    from releases.tasks import master_analyse

    with received_audio(upload, what="master") as received:
        name, path, info = received.name, received.path, received.info
        sha256, md5 = received.sha256, received.md5
        stored = ""
        try:
            with transaction.atomic():
                track = Track.objects.select_for_update().get(pk=track.pk)
                master = Master.objects.filter(track=track).first() or Master(track=track)
                previous = master.file.name if master.pk else ""
                master.original_name = name[:255]
                master.format, master.subtype = info.format, info.subtype
                master.sample_rate, master.bit_depth = info.sample_rate, info.bit_depth
                master.is_float, master.channels = info.is_float, info.channels
                master.frames, master.size = info.frames, path.stat().st_size
                master.sha256, master.md5 = sha256, md5
                master.integrated_lufs = master.true_peak_dbtp = None
                master.loudness_range_lu = None
                master.analysed_at = None
                with path.open("rb") as handle:
                    master.file.save(
                        f"track-{track.pk}.{info.format.lower()}", File(handle), save=False
                    )
                stored = master.file.name or ""
                master.save()
                track.duration_seconds = round(info.duration)
                track.save(update_fields=["duration_seconds"])
                if previous and previous != stored:
                    storage = master.file.storage
                    transaction.on_commit(lambda: storage.delete(previous))
                send_on_commit(
                    lambda: master_analyse.delay(master.pk), what=f"master {master.pk} analysis"
                )
        except BaseException:
            # The row was not written: the copy must not stay behind.
            if stored:
                Master.file.field.storage.delete(stored)
            raise
    return master


@transaction.atomic
def master_delete(*, master: Master) -> None:
    """Delete a track's master; its file goes once the row is gone for good (a delete rolled
    back keeps both). The track stays, without a master until the next upload."""
    # Read under the row's lock: a master replaced at this moment is the file removed.
    master = Master.objects.select_for_update().get(pk=master.pk)
    storage, name = master.file.storage, master.file.name
    master.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def master_analyse_sweep(*, now: datetime.datetime | None = None) -> int:
    """Send again the analyses the queue never took (the broker was down at upload): masters
    uploaded over SWEEP_AFTER_MINUTES and under a week ago, not measured yet."""
    from releases.tasks import master_analyse

    now = now or timezone.now()
    waiting = list(
        Master.objects.filter(
            analysed_at__isnull=True,
            uploaded_at__lt=now - datetime.timedelta(minutes=SWEEP_AFTER_MINUTES),
            uploaded_at__gte=now - datetime.timedelta(days=7),
        ).values_list("pk", flat=True)
    )
    for master_id in waiting:
        master_analyse.delay(master_id)
    return len(waiting)


def master_analyse(*, master_id: int) -> bool:
    """Measure a master's loudness; False when the master is gone (replaced or deleted)."""
    master = Master.objects.filter(pk=master_id).first()
    if master is None:
        return False
    # Masters and deliverables live on the local media storage: soundfile and ffmpeg read paths.
    loudness = audio.measure(Path(master.file.path))
    updated = Master.objects.filter(pk=master_id, sha256=master.sha256).update(
        integrated_lufs=loudness.integrated_lufs,
        true_peak_dbtp=loudness.true_peak_dbtp,
        loudness_range_lu=loudness.loudness_range_lu,
        analysed_at=timezone.now(),
    )
    return bool(updated)
