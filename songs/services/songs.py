"""Writes with rules: the songs of a production and their moves across the board."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max

from projects.models import Person, Project
from songs.hooks import song_leaving, stage_moved
from songs.models import Song, SongStage, SongStageChange
from songs.selectors import stage_labels, stages_shown


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


def _locked_project(project_id: int) -> Project:
    """The project's row, locked and read fresh: the queue for its board.

    Two songs added to (or moved into) one column at once would otherwise both read the same
    last position and share it; and a song created or moved into a stage while the stages are
    being skipped would slip between ``project_song_stages_set``'s count and its save, and
    vanish from the board. So every write that places a song takes this lock first and reads
    the skipped stages from this row, not from the caller's copy."""
    return Project.objects.select_for_update().get(pk=project_id)


def _refuse_skipped(project: Project, stage: str) -> None:
    if stage in (project.skipped_song_stages or []):
        name = stage_labels(project)[stage]
        raise ValidationError({"stage": f"{name} is skipped on this project: pick another stage."})


def _end_of_column(*, project: Project, stage: str) -> int:
    """The position after the column's last song; call it holding ``_locked_project``."""
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
    """Add a song to a project, at the bottom of its stage's column (a stage the project
    shows: a skipped one is refused)."""
    writers = _check_people(project=project, holder=holder, writers=writers)
    project = _locked_project(project.pk)
    _refuse_skipped(project, stage)
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
    changes (the second one's "from" is the first one's "to"), not two from the same stage.
    The song's row first, then the project's (``_locked_project``): a version's approval holds
    the song's row when it moves the song here, and the same order keeps the two from waiting
    on each other."""
    if stage not in SongStage.values:
        raise ValidationError({"stage": f"Not a stage: {stage!r}."})
    song = Song.objects.select_for_update().get(pk=song.pk)
    if song.stage == stage:
        return song
    song.project = _locked_project(song.project_id)
    _refuse_skipped(song.project, stage)
    change = SongStageChange.objects.create(song=song, by=by, from_stage=song.stage, to_stage=stage)
    song.position = _end_of_column(project=song.project, stage=stage)
    song.stage = stage
    song.save(update_fields=["stage", "position", "updated_at"])
    stage_moved(song=song, from_stage=change.from_stage, to_stage=stage, by=by)
    return song


@transaction.atomic
def song_delete(*, song: Song) -> None:
    """Remove a song; its takes keep their typed name and lose only the link. What other apps
    stored for it goes with it (``song_hooks.song_leaving``: its versions' files)."""
    song_leaving(song=song)
    song.delete()


@transaction.atomic
def song_for_take(*, project: Project, title: str) -> Song:
    """The project's song of that title, created in tracking when a take is its first word.

    A song that exists is found without a lock. A new one is placed under the project's lock
    (``_locked_project``), and ``get_or_create`` reads again there, so two takes naming the
    same new song at once share one song. A project that skips tracking gets it in the next
    stage it shows."""
    title = title.strip()
    found = Song.objects.filter(project=project, title=title).first()
    if found is not None:
        return found
    project = _locked_project(project.pk)
    shown = [value for value, _ in stages_shown(project)]
    order = list(SongStage.values)
    stage = next(
        (v for v in shown if order.index(v) >= order.index(SongStage.TRACKING)), SongStage.DONE
    )
    song, _ = Song.objects.get_or_create(
        project=project,
        title=title,
        defaults={"stage": stage, "position": _end_of_column(project=project, stage=stage)},
    )
    return song


@transaction.atomic
def project_song_stages_set(
    *, project: Project, names: dict[str, str], skipped: Iterable[str]
) -> Project:
    """Rename and skip the board's stages for one project. A name equal to the stage's own (or
    empty) is dropped, so the board follows the default. "Done" cannot be skipped (a song must
    be able to finish), nor a stage that holds songs (they would vanish from the board): that
    refusal names how many songs are there, so the producer moves them first.

    The project row is locked, and the songs counted under it, so a move into a stage cannot
    slip between the count and the save."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    own = dict(SongStage.choices)
    cleaned = {
        stage: name.strip()
        for stage, name in names.items()
        if name.strip() and name.strip() != own.get(stage)
    }
    skipped = [stage for stage in SongStage.values if stage in set(skipped)]
    unknown = set(names) - set(SongStage.values)
    if unknown:
        raise ValidationError({"names": f"Not a stage: {', '.join(sorted(unknown))}."})
    if SongStage.DONE in skipped:
        raise ValidationError({"skipped": "Done cannot be skipped: songs must be able to finish."})
    newly = [stage for stage in skipped if stage not in (project.skipped_song_stages or [])]
    if newly:
        held = dict(
            Song.objects.filter(project=project, stage__in=newly)
            .values_list("stage")
            .annotate(n=Count("id"))
            .values_list("stage", "n")
        )
        if held:
            labels = {**own, **cleaned}
            # In the board's order: the grouped count comes back in whatever order the
            # database likes, and the message should read the same every time.
            said = "; ".join(
                f"{labels[stage]} holds {held[stage]} song{'s' if held[stage] != 1 else ''}"
                for stage in newly
                if stage in held
            )
            raise ValidationError(
                {"skipped": f"{said}: move them to another stage before skipping it."}
            )
    project.song_stage_names, project.skipped_song_stages = cleaned, skipped
    project.full_clean(exclude=[f.name for f in Project._meta.fields if f.name not in STAGE_FIELDS])
    project.save(update_fields=list(STAGE_FIELDS))
    return project


STAGE_FIELDS = ("song_stage_names", "skipped_song_stages")


def project_songs_leave(project: Project) -> None:
    """A project is being deleted (``projects.hooks``): each of its songs is told it leaves,
    so what the apps stored for it (versions' files) goes once the delete commits."""
    for song in project.songs.order_by("pk"):
        song_leaving(song=song)
