"""Reads of the songs' pages: the board, a song's page and the tracking sheet; and of the
versions: what a user may see, a song's version stack with its notes, and the notes carried
forward from earlier versions. Each in a fixed number of queries whatever the number of rows
(the tests pin them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from core.users import AnyUser
from projects.models import Project
from projects.permissions import projects_visible
from songs.hooks import card_details
from songs.models import (
    ListenLink,
    Part,
    PartStatus,
    Song,
    SongPart,
    SongStage,
    SongStageChange,
    SongVersion,
    VersionNote,
)


def stage_labels(project: Project) -> dict[str, str]:
    """Every stage's name on this project's board: its own name where it gave one."""
    names = project.song_stage_names or {}
    return {value: names.get(value) or label for value, label in SongStage.choices}


def stages_shown(project: Project) -> list[tuple[str, str]]:
    """The board's columns for this project: unskipped stages in order, with their names."""
    skipped = set(project.skipped_song_stages or [])
    labels = stage_labels(project)
    return [(value, labels[value]) for value in SongStage.values if value not in skipped]


def board_columns(*, project: Project, user: AnyUser | None = None) -> list[dict[str, Any]]:
    """The project's shown stages with their songs in board order, each song with its number
    of takes and the details other apps register (songs.hooks): one query for the songs,
    plus each registered reader's fixed few, whatever the number of songs."""
    today = timezone.localdate()
    songs = list(
        Song.objects.filter(project=project)
        .select_related("holder")
        .annotate(take_count=Count("takes"))
        .order_by("position", "title", "id")
    )
    details = card_details(songs, user)
    shown = stages_shown(project)
    by_stage: dict[str, list[Song]] = {value: [] for value, _ in shown}
    for song in songs:
        song.late = song.is_late(today)  # type: ignore[attr-defined]
        song.details = details.get(song.pk, {})  # type: ignore[attr-defined]
        # A song left in a stage skipped since (the service refuses it, old data may not)
        # shows in the first column rather than vanishing.
        by_stage.get(song.stage, by_stage[shown[0][0]]).append(song)
    return [{"stage": value, "label": label, "songs": by_stage[value]} for value, label in shown]


@dataclass
class SongPage:
    song: Song
    stage_label: str
    history: list[dict[str, Any]]
    takes: list[Any]
    details: dict[str, Any]
    parts: list[tuple[Part, str, str]] = field(default_factory=list)


def song_page(*, song: Song, user: AnyUser | None = None) -> SongPage:
    """A song with its stage history (newest first, stages by the project's names), its takes
    (session, part) and the details other apps register for it."""
    labels = stage_labels(song.project)
    changes = SongStageChange.objects.filter(song=song).select_related("by").order_by("-at", "-id")
    history = [
        {
            "at": change.at,
            "by": (change.by.get_full_name() or change.by.username) if change.by else "—",
            "from": labels.get(change.from_stage, change.from_stage),
            "to": labels.get(change.to_stage, change.to_stage),
        }
        for change in changes
    ]
    takes = list(
        song.takes.select_related("session", "part").order_by(
            "-session__start", "song_name", "number"
        )
    )
    cells = {cell.part_id: cell.status for cell in SongPart.objects.filter(song=song)}
    labels_of = dict(PartStatus.choices)
    parts = [
        (
            part,
            cells.get(part.pk, PartStatus.NOT_STARTED),
            labels_of[cells.get(part.pk, PartStatus.NOT_STARTED)],
        )
        for part in Part.objects.filter(project_id=song.project_id).order_by("position", "id")
    ]
    return SongPage(
        song=song,
        stage_label=labels.get(song.stage, song.stage),
        history=history,
        takes=takes,
        details=card_details([song], user).get(song.pk, {}),
        parts=parts,
    )


@dataclass
class SheetRow:
    song: Song
    cells: list[tuple[Part, str]]


def tracking_sheet(*, project: Project) -> tuple[list[Part], list[SheetRow]]:
    """The project's tracking sheet: its parts (columns, in order) and a row per song (by
    title) with each cell's status ("not started" where no row was written). Two queries
    for the grid plus one for the cells, whatever the numbers of songs and parts."""
    parts = list(Part.objects.filter(project=project).order_by("position", "id"))
    songs = list(
        Song.objects.filter(project=project)
        .only("id", "title", "stage", "project_id")
        .order_by("title", "id")
        .prefetch_related(
            Prefetch(
                "part_statuses",
                queryset=SongPart.objects.only("id", "song_id", "part_id", "status"),
            )
        )
    )
    rows = []
    for song in songs:
        statuses = {cell.part_id: cell.status for cell in song.part_statuses.all()}
        rows.append(
            SheetRow(
                song=song,
                cells=[(part, statuses.get(part.pk, PartStatus.NOT_STARTED)) for part in parts],
            )
        )
    return parts, rows


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


def version_card_details(
    songs: list[Song], user: AnyUser | None = None
) -> dict[int, dict[str, Any]]:
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
