"""Reads of the songs' pages: the board, a song's page and the tracking sheet, each in a fixed
number of queries whatever the number of songs (the tests pin them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch
from django.utils import timezone

from core.users import AnyUser
from projects.models import Project
from songs.hooks import card_details
from songs.models import Part, PartStatus, Song, SongPart, SongStage, SongStageChange


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
    of takes and the details other apps register (studio.song_hooks): one query for the songs,
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
