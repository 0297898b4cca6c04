"""What versions tell people: a note tells the version's uploader (unless they wrote it), an
approval tells the production's producers. Sent through the projects' notices
(projects.notices), once per note and per approval, written when sent."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from projects.models import Membership, Notice, NoticeKind, Role
from projects.notices import Letter, notice_tell, notice_writer_register
from songs.models.versions import SongVersion, VersionNote


def _link(version: SongVersion) -> str:
    song = version.song
    path = reverse("song-versions", args=[song.project_id, song.pk])
    return f"{settings.SITE_URL}{path}?v={version.pk}"


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _author(note: VersionNote) -> str:
    if note.author is not None:
        return note.author.get_full_name() or note.author.get_username()
    return f"{note.guest_name} (through a listen link)"


def version_note_tell(*, note: VersionNote) -> int:
    """Tell the version's uploader of a new note (call inside the note's transaction)."""
    version = note.version
    uploader = version.uploaded_by
    if uploader is None or uploader.pk == note.author_id:
        return 0
    made = notice_tell(
        kind=NoticeKind.VERSION_NOTE,
        key=f"version-note:{note.pk}",
        subject=f"A note on {version.song.title}, {version.label} "
        f"at {_clock(float(note.at_seconds))}",
        project=version.song.project,
        users=[uploader],
    )
    return len(made)


def version_approved_tell(*, version: SongVersion) -> int:
    """Tell the production's producers that a version was approved (call inside the
    approval's transaction)."""
    producers = [
        membership.user
        for membership in Membership.objects.filter(
            project=version.song.project_id, role=Role.PRODUCER
        ).select_related("user")
    ]
    made = notice_tell(
        kind=NoticeKind.VERSION_APPROVED,
        key=f"version-approved:{version.pk}",
        subject=f"Approved: {version.song.title}, {version.label}",
        project=version.song.project,
        users=producers,
    )
    return len(made)


def _note_letter(*, event: str, notice: Notice) -> Letter | None:
    note = (
        VersionNote.objects.select_related("version__song__project", "author")
        .filter(pk=int(event.split(":")[1]))
        .first()
    )
    if note is None:
        return None
    context = {
        "note": note,
        "version": note.version,
        "author": _author(note),
        "at": _clock(float(note.at_seconds)),
        "link": _link(note.version),
    }
    return Letter(
        subject=notice.subject, body=render_to_string("songs/notices/version_note.txt", context)
    )


def _approved_letter(*, event: str, notice: Notice) -> Letter | None:
    version = (
        SongVersion.objects.select_related("song__project", "approved_by")
        .filter(pk=int(event.split(":")[1]), approved_at__isnull=False)
        .first()
    )
    if version is None:
        return None
    by = version.approved_by
    context = {
        "version": version,
        "by": (by.get_full_name() or by.get_username()) if by else "",
        "link": _link(version),
    }
    return Letter(
        subject=notice.subject, body=render_to_string("songs/notices/version_approved.txt", context)
    )


def register() -> None:
    notice_writer_register("version-note", _note_letter)
    notice_writer_register("version-approved", _approved_letter)
