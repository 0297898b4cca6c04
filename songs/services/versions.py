"""Versions of a song: uploads checked and numbered, analysed after commit, notes at a time,
resolution that carries forward, and approval (an approved master becomes the track's)."""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import soundfile
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from core.errors import Conflict, Unavailable
from core.queue import SWEEP_AFTER_MINUTES, send_on_commit
from songs import audio, waveform
from songs.audio import received_audio
from songs.hooks import version_approved
from songs.models import ListenLink, Song, SongStage, SongVersion, VersionKind, VersionNote
from songs.notices import version_approved_tell, version_note_tell
from songs.services.songs import song_move

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NOTE_MAX = 2000
LONGEST_TIME = Decimal(1_000_000)
# What approving a version of a kind moves its song to: a mix approved goes to mastering, a
# master approved is done. A rough approved moves nothing (it only says "go on like this").
APPROVAL_STAGE = {VersionKind.MIX: SongStage.MASTERING, VersionKind.MASTER: SongStage.DONE}


def version_upload(*, song: Song, kind: str, upload: UploadedFile, by: User | None) -> SongVersion:
    """Keep a WAV, FLAC or AIFF version of the song after it decoded whole, numbered next of
    its kind ("Mix v3"); loudness, waveform and preview follow in a task after commit.

    A refused file leaves nothing behind: no row, no stored copy."""
    from songs.tasks import version_analyse

    if kind not in VersionKind.values:
        raise ValidationError({"kind": f"One of {', '.join(VersionKind.values)}."})
    longest = settings.SONG_VERSION_MAX_MINUTES * 60
    with received_audio(upload, what="version", longest=longest) as received:
        name, path, info = received.name, received.path, received.info
        sha256, md5 = received.sha256, received.md5
        stored = ""
        try:
            with transaction.atomic():
                # The song's row is the lock that numbers its versions: two uploads at once
                # wait for each other and get v3 and v4, never two v3s (the unique constraint
                # would refuse the second; this keeps it from trying).
                song = Song.objects.select_for_update().get(pk=song.pk)
                last = SongVersion.objects.filter(song=song, kind=kind).aggregate(
                    last=Max("number")
                )["last"]
                version = SongVersion(
                    song=song,
                    kind=kind,
                    number=(last or 0) + 1,
                    original_name=name[:255],
                    format=info.format,
                    subtype=info.subtype,
                    sample_rate=info.sample_rate,
                    bit_depth=info.bit_depth,
                    is_float=info.is_float,
                    channels=info.channels,
                    frames=info.frames,
                    size=path.stat().st_size,
                    sha256=sha256,
                    md5=md5,
                    uploaded_by=by,
                )
                with path.open("rb") as handle:
                    version.file.save(
                        f"song-{song.pk}-{kind}-v{version.number}.{info.format.lower()}",
                        File(handle),
                        save=False,
                    )
                stored = version.file.name or ""
                version.save()
                send_on_commit(
                    lambda: version_analyse.delay(version.pk),
                    what=f"version {version.pk} analysis",
                )
        except BaseException:
            if stored:
                SongVersion.file.field.storage.delete(stored)
            raise
    return version


# Analyses started for one file before the sweep stops sending it again and says it failed.
ANALYSIS_TRIES = 3
UNFINISHED = (
    "the analysis did not finish after {tries} tries (its worker stopped: out of time or "
    "memory). Retry it, or upload the file again."
)


def _failed(version_id: int, message: str, **measured: Any) -> None:
    SongVersion.objects.filter(pk=version_id).update(
        status=SongVersion.Status.FAILED, status_message=message[:500], **measured
    )


def version_analyse(*, version_id: int) -> bool:
    """Measure loudness and true peak, compute the waveform's peaks and make the preview.

    Idempotent: a version already analysed is left alone (True); a version gone is False.
    ffmpeg missing raises ``Unavailable`` (the task retries later); a file that cannot be
    read or decoded marks the version failed with the reason. Each run counts an attempt
    before the work, so one whose worker dies is counted too."""
    version = SongVersion.objects.filter(pk=version_id).first()
    if version is None:
        return False
    if version.status == SongVersion.Status.READY and version.preview:
        return True
    try:
        waveform.ffmpeg()
    except Unavailable as missing:
        # Said on the page while the task waits for someone to install it (it retries).
        SongVersion.objects.filter(pk=version_id).update(status_message=missing.detail[:500])
        raise
    SongVersion.objects.filter(pk=version_id).update(analysis_attempts=F("analysis_attempts") + 1)
    source = Path(version.file.path)
    try:
        loudness = audio.measure(source)
        drawn = waveform.peaks(source)
    except (soundfile.LibsndfileError, RuntimeError, ValueError, OSError, MemoryError) as error:
        _failed(version_id, f"the analysis failed: {error}. Retry it, or upload the file again.")
        return False
    with tempfile.TemporaryDirectory() as folder:
        rendition = Path(folder) / "preview.mp3"
        try:
            waveform.make_preview(source, rendition)
        except waveform.PreviewFailed as error:
            _failed(
                version_id,
                str(error),
                integrated_lufs=loudness.integrated_lufs,
                true_peak_dbtp=loudness.true_peak_dbtp,
                peaks=drawn,
            )
            return False
        storage = SongVersion.preview.field.storage
        with rendition.open("rb") as handle:
            saved = storage.save(
                SongVersion.preview.field.generate_filename(
                    version, f"song-{version.song_id}-{version.kind}-v{version.number}.mp3"
                ),
                File(handle),
            )
    with transaction.atomic():
        locked = SongVersion.objects.select_for_update().filter(pk=version_id).first()
        if locked is None or (locked.status == SongVersion.Status.READY and locked.preview):
            # Deleted meanwhile, or a second run of the task finished first: keep its preview.
            storage.delete(saved)
            return locked is not None
        locked.integrated_lufs = loudness.integrated_lufs
        locked.true_peak_dbtp = loudness.true_peak_dbtp
        locked.peaks = drawn
        locked.preview.name = saved
        locked.status = SongVersion.Status.READY
        locked.status_message = ""
        locked.analysed_at = timezone.now()
        locked.save()
    return True


def version_analyse_sweep(*, now: datetime.datetime | None = None) -> int:
    """Send again the analyses the queue never took or whose worker stopped: versions waiting
    over SWEEP_AFTER_MINUTES and under a week, fewer than ANALYSIS_TRIES times started. Those
    started that often are marked failed, saying why: none waits for good."""
    from songs.tasks import version_analyse

    now = now or timezone.now()
    stale = SongVersion.objects.filter(
        status=SongVersion.Status.PENDING,
        uploaded_at__lt=now - datetime.timedelta(minutes=SWEEP_AFTER_MINUTES),
    )
    stale.filter(analysis_attempts__gte=ANALYSIS_TRIES).update(
        status=SongVersion.Status.FAILED,
        status_message=UNFINISHED.format(tries=ANALYSIS_TRIES),
    )
    waiting = list(
        stale.filter(
            analysis_attempts__lt=ANALYSIS_TRIES,
            uploaded_at__gte=now - datetime.timedelta(days=7),
        ).values_list("pk", flat=True)
    )
    for version_id in waiting:
        version_analyse.delay(version_id)
    return len(waiting)


@transaction.atomic
def version_analysis_retry(*, version: SongVersion) -> SongVersion:
    """Analyse a version whose analysis failed again, from the start (its tries counted
    anew); once the row commits, the task runs. A version analysed or waiting is left as it
    is (409 saying so)."""
    from songs.tasks import version_analyse

    locked = SongVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status != SongVersion.Status.FAILED:
        raise Conflict(
            f"{locked.label} is {locked.get_status_display().lower()}: nothing to retry."
        )
    locked.status = SongVersion.Status.PENDING
    locked.status_message = ""
    locked.analysis_attempts = 0
    locked.save(update_fields=["status", "status_message", "analysis_attempts"])
    send_on_commit(
        lambda: version_analyse.delay(locked.pk), what=f"song version {locked.pk} analysis"
    )
    return locked


def parse_time(value: object) -> Decimal:
    """Seconds from "42", "42.5", "0:42" or "1:02:03"; a ValidationError on anything else."""
    text = str(value).strip()
    message = "A time in the version: seconds (42) or minutes and seconds (0:42)."
    if not text:
        raise ValidationError(message, code="time")
    parts = text.split(":")
    if len(parts) > 3:
        raise ValidationError(message, code="time")
    try:
        numbers = [Decimal(part) for part in parts]
    except ArithmeticError as error:
        raise ValidationError(message, code="time") from error
    if any(not n.is_finite() or n < 0 for n in numbers):
        raise ValidationError(message, code="time")
    if len(parts) > 1 and any(n >= 60 for n in numbers[1:]):
        raise ValidationError("Minutes and seconds after a colon are under 60.", code="time")
    total = Decimal(0)
    for number in numbers:
        total = total * 60 + number
    # What a note's column holds (8 digits, 2 after the point): days past any recording.
    if total >= LONGEST_TIME:
        raise ValidationError(message, code="time")
    return total.quantize(Decimal("0.01"))


@transaction.atomic
def version_note_add(
    *,
    version: SongVersion,
    at_seconds: Decimal,
    body: str,
    by: User | None = None,
    link: ListenLink | None = None,
    guest_name: str = "",
) -> VersionNote:
    """A note at a time in the version, by a member (``by``) or by a listen link's guest under
    the name they give. The time lies within the version."""
    body = body.strip()
    errors: dict[str, str] = {}
    if not body:
        errors["body"] = "Write what you hear."
    elif len(body) > NOTE_MAX:
        errors["body"] = f"At most {NOTE_MAX} characters."
    at = Decimal(at_seconds)
    if at < 0 or at > Decimal(str(round(version.duration, 2))):
        length = f"{int(version.duration) // 60}:{int(version.duration) % 60:02d}"
        errors["at_seconds"] = f"A time between 0:00 and {length}, the version's length."
    if by is None:
        guest_name = guest_name.strip()
        if link is None:
            errors["__all__"] = "A note is written by a member or through a listen link."
        elif not guest_name:
            errors["guest_name"] = "Say who you are, so the team knows whom to answer."
        elif len(guest_name) > 100:
            errors["guest_name"] = "At most 100 characters."
    if errors:
        raise ValidationError(errors)
    note = VersionNote(
        version=version,
        at_seconds=at,
        body=body,
        author=by,
        guest_name="" if by is not None else guest_name,
        link=link,
    )
    note.full_clean()  # text without control characters, among the model's own checks
    note.save()
    version_note_tell(note=note)
    return note


@transaction.atomic
def version_note_resolve(
    *, note: VersionNote, by: User | None, in_version: SongVersion | None = None
) -> VersionNote:
    """Mark a note fixed, in ``in_version`` (by default the song's newest version): later
    versions show it as "fixed in Mix v4". Resolving twice changes nothing."""
    note = VersionNote.objects.select_for_update().select_related("version").get(pk=note.pk)
    if note.resolved_at is not None:
        return note
    if in_version is None:
        in_version = (
            SongVersion.objects.filter(song_id=note.version.song_id)
            .order_by("-uploaded_at", "-id")
            .first()
        )
    elif in_version.song_id != note.version.song_id:
        raise ValidationError({"in_version": "A version of the same song."})
    elif (in_version.uploaded_at, in_version.pk) < (note.version.uploaded_at, note.version.pk):
        raise ValidationError(
            {"in_version": f"{in_version.label} came before the note's {note.version.label}."}
        )
    note.resolved_at = timezone.now()
    note.resolved_by = by
    note.resolved_in = in_version
    note.save(update_fields=["resolved_at", "resolved_by", "resolved_in"])
    return note


def _stage_after(song: Song, target: str) -> str | None:
    """Where an approval moves the song: ``target`` (or the next stage the project does not
    skip), unless the song is already there or later."""
    order = list(SongStage.values)
    if order.index(song.stage) >= order.index(target):
        return None
    skipped = set(song.project.skipped_song_stages or [])
    for stage in order[order.index(target) :]:
        if stage not in skipped:
            return stage
    return SongStage.DONE


def version_approve(
    *, version: SongVersion, by: User | None, as_master: bool | None = None
) -> SongVersion:
    """Approve a version, once. The apps watching approvals act in the same transaction
    (``songs.hooks``: releases makes a master version the master of the song's tracks, so a
    package can never hold a rough by mistake); only a version uploaded as a master is
    approved as one (``as_master`` on another kind is refused). The song moves on: a mix
    approved to mastering, a master to done (unless it is there or later)."""
    as_master = version.kind == VersionKind.MASTER if as_master is None else as_master
    if as_master and version.kind != VersionKind.MASTER:
        raise ValidationError(
            {
                "as_master": f"{version.label} is a {version.get_kind_display().lower()}: only "
                "a version uploaded as a master becomes a track's master. Upload the file as "
                "a master version, then approve that."
            }
        )
    undo: list[Callable[[], None]] = []
    try:
        with transaction.atomic():
            # The song's row first, then the version's: it serializes approvals of one song's
            # versions. Two master versions approved at once would otherwise each stamp
            # approved_at, then queue for the tracks' rows in either order: the earlier stamp
            # could copy its file last, leaving the tracks on a master that is not
            # ``master_version_for`` (the newest approved_at). The version's own lock is
            # narrowed to its row: without ``of``, PostgreSQL would lock every row of the join,
            # the project's included, and approvals of different songs would queue on it
            # (tests/services/test_version_races.py fails without the song's lock).
            Song.objects.select_for_update().get(pk=version.song_id)
            locked = (
                SongVersion.objects.select_for_update(of=("self",))
                .select_related("song__project")
                .get(pk=version.pk)
            )
            if locked.approved_at is not None:
                raise Conflict(
                    f"{locked.label} was approved on {locked.approved_at:%Y-%m-%d}.",
                    code="approved",
                )
            locked.approved_at = timezone.now()
            locked.approved_by = by
            locked.save(update_fields=["approved_at", "approved_by"])
            version_approved(version=locked, as_master=as_master, undo=undo)
            target = APPROVAL_STAGE.get(VersionKind(locked.kind))
            stage = _stage_after(locked.song, target) if target else None
            if stage is not None:
                song_move(song=locked.song, stage=stage, by=by)
            version_approved_tell(version=locked)
    except BaseException:
        for step in undo:
            step()
        raise
    return locked


def song_versions_leave(song: Song) -> None:
    """A song is being deleted (``songs.hooks``): its versions' files and previews are
    removed once the delete commits; the rows go with the song."""
    files = [
        (stored.storage, stored.name)
        for version in SongVersion.objects.filter(song=song)
        for stored in (version.file, version.preview)
    ]

    def remove() -> None:
        for storage, name in files:
            if name:
                storage.delete(name)

    transaction.on_commit(remove)
