"""Writes with rules: the songs of a production and their moves across the board."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from studio.models import Person, Project, Song, SongStage, SongStageChange
from studio.song_hooks import stage_moved


def _check_people(
    *, project: Project, holder: Person | None, writers: Iterable[Person]
) -> list[Person]:
    """Holder and writers are people of the production (they have a card on it)."""
    writers = list(writers)
    named = {p.pk for p in writers} | ({holder.pk} if holder is not None else set())
    on_project = set(
        Person.objects.filter(pk__in=named, projects=project).values_list("pk", flat=True)
    )
    if holder is not None and holder.pk not in on_project:
        raise ValidationError({"holder": "Not a person on this project."})
    if any(p.pk not in on_project for p in writers):
        raise ValidationError({"writers": "Every writer must be a person on this project."})
    return writers


def _end_of_column(*, project: Project, stage: str) -> int:
    last = Song.objects.filter(project=project, stage=stage).aggregate(m=Max("position"))["m"]
    return 0 if last is None else last + 1


@transaction.atomic
def song_create(
    *,
    project: Project,
    title: str,
    working_title: str = "",
    key: str = "",
    tempo: Decimal | None = None,
    writers: Iterable[Person] = (),
    notes: str = "",
    stage: str = SongStage.PRE_PRODUCTION,
    due_date: datetime.date | None = None,
    holder: Person | None = None,
) -> Song:
    """Add a song to a project, at the bottom of its stage's column."""
    writers = _check_people(project=project, holder=holder, writers=writers)
    song = Song(
        project=project,
        title=title.strip(),
        working_title=working_title,
        key=key,
        tempo=tempo,
        notes=notes,
        stage=stage,
        due_date=due_date,
        holder=holder,
        position=_end_of_column(project=project, stage=stage),
    )
    song.full_clean()
    song.save()
    song.writers.set(writers)
    return song


@transaction.atomic
def song_update(
    *,
    song: Song,
    title: str,
    working_title: str,
    key: str,
    tempo: Decimal | None,
    writers: Iterable[Person],
    notes: str,
    due_date: datetime.date | None,
    holder: Person | None,
) -> Song:
    """Change a song's details. Every field is given (a caller changing one passes the others
    as they are). The stage changes only through ``song_move``, so every move is recorded."""
    writers = _check_people(project=song.project, holder=holder, writers=writers)
    song = Song.objects.select_for_update().get(pk=song.pk)
    song.title, song.working_title, song.key = title.strip(), working_title, key
    song.tempo, song.notes, song.due_date, song.holder = tempo, notes, due_date, holder
    song.full_clean()
    song.save()
    song.writers.set(writers)
    return song


@transaction.atomic
def song_move(*, song: Song, stage: str, by: User | None) -> Song:
    """Move a song to ``stage`` (at the bottom of that column) and record who moved it, when,
    from where. A move to the stage it is in changes and records nothing.

    The row is locked so that two people moving the same card at once record two honest
    changes (the second one's "from" is the first one's "to"), not two from the same stage."""
    if stage not in SongStage.values:
        raise ValidationError({"stage": f"Not a stage: {stage!r}."})
    song = Song.objects.select_for_update().get(pk=song.pk)
    if song.stage == stage:
        return song
    change = SongStageChange.objects.create(song=song, by=by, from_stage=song.stage, to_stage=stage)
    song.position = _end_of_column(project=song.project, stage=stage)
    song.stage = stage
    song.save(update_fields=["stage", "position", "updated_at"])
    stage_moved(song=song, from_stage=change.from_stage, to_stage=stage, by=by)
    return song


@transaction.atomic
def song_delete(*, song: Song) -> None:
    """Remove a song; its takes keep their typed name and lose only the link."""
    song.delete()


def song_for_take(*, project: Project, title: str) -> Song:
    """The project's song of that title, created in tracking when a take is its first word.

    ``get_or_create`` retries the read when a concurrent take created the same song first
    (the unique title makes the second insert fail), so both takes share one song."""
    song, _ = Song.objects.get_or_create(
        project=project,
        title=title.strip(),
        defaults={
            "stage": SongStage.TRACKING,
            "position": _end_of_column(project=project, stage=SongStage.TRACKING),
        },
    )
    return song
