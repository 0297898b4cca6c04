"""Masters: uploads checked by their content, and their loudness measured after commit."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from core.queue import SWEEP_AFTER_MINUTES, send_on_commit
from releases.models import Credit, CreditRole, Master, Release, Track
from releases.services.metadata import track_save
from songs import audio
from songs.audio import received_audio
from songs.models import Song, SongVersion, VersionKind

if TYPE_CHECKING:
    pass


def master_upload(*, track: Track, upload: UploadedFile) -> Master:
    """Keep a WAV, FLAC or AIFF master for the track after it decoded whole; replaces an
    earlier master. The track's duration becomes the master's; loudness follows in a task."""
    from releases.tasks import master_analyse

    longest = settings.RELEASES_MASTER_MAX_MINUTES * 60
    with received_audio(upload, what="master", longest=longest) as received:
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


# What a master copies from the version it is made of.
MASTER_FIELDS = (
    "format",
    "subtype",
    "sample_rate",
    "bit_depth",
    "is_float",
    "channels",
    "frames",
    "size",
    "sha256",
    "md5",
    "integrated_lufs",
    "true_peak_dbtp",
)


def _master_from_version(*, track: Track, version: SongVersion, stored: list[str]) -> Master:
    """The track's master becomes a copy of the version's file, with its probed facts (and its
    loudness, when measured). A copy, not a shared file: the master's file is the track's to
    replace, the version's is never replaced. The copy's name goes into ``stored`` so that
    the caller deletes it if the transaction fails; the old file goes once it commits."""
    master = Master.objects.filter(track=track).first() or Master(track=track)
    previous = master.file.name if master.pk else ""
    for field in MASTER_FIELDS:
        setattr(master, field, getattr(version, field))
    master.original_name = version.original_name
    master.loudness_range_lu = None
    master.analysed_at = timezone.now() if version.integrated_lufs is not None else None
    with version.file.open("rb") as handle:
        master.file.save(f"track-{track.pk}.{version.format.lower()}", File(handle), save=False)
    name = master.file.name or ""
    stored.append(name)
    storage = master.file.storage
    if previous and previous != name:
        transaction.on_commit(lambda: storage.delete(previous))
    master.save()
    track.duration_seconds = round(version.duration)
    track.save(update_fields=["duration_seconds"])
    return master


def _delete_copies(stored: list[str]) -> None:
    for name in stored:
        Master.file.field.storage.delete(name)


def master_version_for(*, song: Song) -> SongVersion | None:
    """The song's newest approved master version, if any."""
    return (
        SongVersion.objects.filter(song=song, kind=VersionKind.MASTER, approved_at__isnull=False)
        .order_by("-approved_at", "-id")
        .first()
    )


def track_from_song(*, release: Release, song: Song, position: int, disc: int = 1) -> Track:
    """A track made from a song: its title, and its writers credited as composer and lyricist;
    an approved master version of the song becomes its master at once."""
    if song.project_id != release.project_id:
        raise ValidationError({"song": "A song of the release's project."})
    if Track.objects.filter(release=release, song=song).exists():
        raise ValidationError({"song": f"“{song.title}” is already a track of this release."})
    stored: list[str] = []
    try:
        with transaction.atomic():
            track = track_save(
                release=release, disc=disc, position=position, title=song.title, song=song
            )
            for writer in song.writers.all():
                for role in (CreditRole.COMPOSER, CreditRole.LYRICIST):
                    Credit.objects.get_or_create(
                        release=release, track=track, person=writer, role=role
                    )
            approved = master_version_for(song=song)
            if approved is not None:
                _measure_unless_known(
                    _master_from_version(track=track, version=approved, stored=stored)
                )
    except BaseException:
        _delete_copies(stored)
        raise
    return track


def master_version_approved(
    version: SongVersion, as_master: bool, undo: list[Callable[[], None]]
) -> None:
    """A version approved as a master becomes the master of its song's tracks, in the
    approval's transaction (``songs.hooks``), so a package can never hold a rough by mistake.
    The copies are undone if the approval fails."""
    if not as_master:
        return
    stored: list[str] = []
    undo.append(partial(_delete_copies, stored))
    for track in Track.objects.select_for_update().filter(song=version.song):
        _measure_unless_known(_master_from_version(track=track, version=version, stored=stored))


def _measure_unless_known(master: Master) -> None:
    """A master copied from a version not yet measured is measured on its own, once the
    transaction commits."""
    from releases.tasks import master_analyse

    if master.integrated_lufs is None:
        send_on_commit(
            partial(master_analyse.delay, master.pk), what=f"master {master.pk} analysis"
        )
