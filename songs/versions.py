"""Reads of song versions: what a user may see, a song's version stack with its notes, and the
notes carried forward from earlier versions. Fixed query counts whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.html import format_html

from core.users import AnyUser
from projects.permissions import projects_visible
from songs.models import ListenLink, Song, SongVersion, VersionNote


def songs_visible(user: AnyUser) -> QuerySet[Song]:
    return Song.objects.filter(project__in=projects_visible(user))


def versions_visible(user: AnyUser) -> QuerySet[SongVersion]:
    return SongVersion.objects.filter(song__project__in=projects_visible(user))


def notes_visible(user: AnyUser) -> QuerySet[VersionNote]:
    return VersionNote.objects.filter(version__song__project__in=projects_visible(user))


def listen_links_visible(user: AnyUser) -> QuerySet[ListenLink]:
    return ListenLink.objects.filter(version__song__project__in=projects_visible(user))


def with_open_notes(versions: QuerySet[SongVersion]) -> QuerySet[SongVersion]:
    return versions.annotate(
        open_notes=Count("notes", filter=Q(notes__resolved_at__isnull=True), distinct=True),
        note_count=Count("notes", distinct=True),
    )


@dataclass
class VersionStack:
    """A song's versions newest first, the chosen one with its notes, and the notes of earlier
    versions (open ones still to do, resolved ones "fixed in ...")."""

    song: Song
    versions: list[SongVersion]
    current: SongVersion | None
    notes: list[VersionNote] = field(default_factory=list)
    earlier_notes: list[VersionNote] = field(default_factory=list)
    links: list[ListenLink] = field(default_factory=list)


def version_stack(*, song: Song, chosen: int | None = None) -> VersionStack:
    """Four queries: versions (with note counts), the chosen version's notes, earlier notes,
    listen links with their plays."""
    versions = list(
        with_open_notes(SongVersion.objects.filter(song=song))
        .select_related("uploaded_by", "approved_by")
        .order_by("-uploaded_at", "-id")
    )
    current = next((v for v in versions if v.pk == chosen), None) if chosen else None
    current = current or (versions[0] if versions else None)
    stack = VersionStack(song=song, versions=versions, current=current)
    if current is None:
        return stack
    stack.notes = list(
        VersionNote.objects.filter(version=current)
        .select_related("author", "resolved_in", "resolved_by")
        .order_by("at_seconds", "id")
    )
    earlier = [v.pk for v in versions if (v.uploaded_at, v.pk) < (current.uploaded_at, current.pk)]
    stack.earlier_notes = list(
        VersionNote.objects.filter(version_id__in=earlier)
        .select_related("author", "resolved_in", "version")
        .order_by("resolved_at", "-version__uploaded_at", "at_seconds", "id")
    )
    stack.links = list(
        ListenLink.objects.filter(version=current)
        .select_related("created_by")
        .prefetch_related(Prefetch("plays"))
        .annotate(play_count=Count("plays"))
    )
    return stack


LATEST_VERSION = "Latest version"
OPEN_NOTES = "Open notes"


def card_details(songs: list[Song], user: AnyUser | None = None) -> dict[int, dict[str, Any]]:
    """For the board's cards and the song page: each song's latest version ("Mix v3"), linked
    to its versions page, and its open notes on every version (seen by every member, so the
    same for any ``user``). Two queries whatever the number of songs."""
    ids = [song.pk for song in songs]
    if not ids:
        return {}
    latest: dict[int, SongVersion] = {}
    for version in (
        SongVersion.objects.filter(song_id__in=ids)
        .only("id", "song_id", "kind", "number", "uploaded_at", "approved_at")
        .order_by("song_id", "-uploaded_at", "-id")
    ):
        latest.setdefault(version.song_id, version)
    open_notes = dict(
        VersionNote.objects.filter(version__song_id__in=ids, resolved_at__isnull=True)
        .values("version__song_id")
        .annotate(n=Count("id"))
        .values_list("version__song_id", "n")
    )
    details: dict[int, dict[str, Any]] = {}
    for song in songs:
        newest = latest.get(song.pk)
        text = "none yet"
        if newest is not None:
            text = f"{newest.label} (approved)" if newest.approved_at else newest.label
        where = reverse("song-versions", args=[song.project_id, song.pk])
        details[song.pk] = {LATEST_VERSION: format_html('<a href="{}">{}</a>', where, text)}
        if open_notes.get(song.pk):
            details[song.pk][OPEN_NOTES] = str(open_notes[song.pk])
    return details
