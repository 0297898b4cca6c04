"""Writes with rules: the tracking sheet, a project's parts (its columns) and each song's
status per part (its cells)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from projects.models import Project
from songs.models import DEFAULT_PARTS, Part, PartStatus, Song, SongPart


def _check_same_project(*, song: Song, part: Part) -> None:
    if song.project_id != part.project_id:
        raise ValidationError({"part": "Not a part of this song's project."})


@transaction.atomic
def song_part_set(*, song: Song, part: Part, status: str, by: User | None) -> SongPart:
    """Set one cell of the tracking sheet (any status, up or down: the producer decides)."""
    _check_same_project(song=song, part=part)
    if status not in PartStatus.values:
        raise ValidationError({"status": f"Not a status: {status!r}."})
    cell, _ = SongPart.objects.update_or_create(
        song=song, part=part, defaults={"status": status, "updated_by": by}
    )
    return cell


@transaction.atomic
def song_part_mark_recorded(*, song: Song, part: Part, by: User | None) -> SongPart:
    """A keeper take of ``part`` was logged for ``song``: the cell becomes "recorded" if it was
    not started. It never goes down: an edited or complete part stays so, and a part marked
    "not needed" keeps the producer's word (a keeper take of it changes nothing).

    The row is locked (or created) first, so two keepers logged at once write one row."""
    _check_same_project(song=song, part=part)
    cell, created = SongPart.objects.select_for_update().get_or_create(
        song=song, part=part, defaults={"status": PartStatus.RECORDED, "updated_by": by}
    )
    if not created and cell.status == PartStatus.NOT_STARTED:
        cell.status, cell.updated_by = PartStatus.RECORDED, by
        cell.save(update_fields=["status", "updated_by", "updated_at"])
    return cell


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the part."})
    return name


def _check_unique(*, project: Project, name: str, part: Part | None = None) -> None:
    others = Part.objects.filter(project=project, name__iexact=name)
    if part is not None:
        others = others.exclude(pk=part.pk)
    if others.exists():
        raise ValidationError({"name": f"This project already has a part “{name}”."})


@transaction.atomic
def part_create(*, project: Project, name: str) -> Part:
    """Add a column to the project's tracking sheet, at its end."""
    name = _clean_name(name)
    _check_unique(project=project, name=name)
    last = Part.objects.filter(project=project).aggregate(m=Max("position"))["m"]
    part = Part(project=project, name=name, position=0 if last is None else last + 1)
    part.full_clean()
    part.save()
    return part


@transaction.atomic
def part_rename(*, part: Part, name: str) -> Part:
    """Rename a column; its cells and takes stay with it."""
    name = _clean_name(name)
    _check_unique(project=part.project, name=name, part=part)
    part.name = name
    part.full_clean()
    part.save(update_fields=["name"])
    return part


def part_cells_in_use(*, part: Part) -> int:
    """How many songs have this part anywhere but "not started" (what a removal would lose)."""
    return part.song_parts.exclude(status=PartStatus.NOT_STARTED).count()


@transaction.atomic
def part_delete(*, part: Part, confirmed: bool = False) -> None:
    """Remove a column with its cells. Cells that say something (recorded, edited, complete,
    not needed) are lost with it, so that needs ``confirmed``; takes keep their song and lose
    only the part."""
    in_use = part_cells_in_use(part=part)
    if in_use and not confirmed:
        raise ValidationError(
            {
                "confirm": f"{in_use} song{'s' if in_use != 1 else ''} have a status for "
                f"“{part.name}”; removing it loses them. Confirm to remove."
            }
        )
    part.delete()


@transaction.atomic
def part_move(*, part: Part, offset: int) -> list[Part]:
    """Move a column ``offset`` places left (negative) or right, renumbering the project's
    parts 0..n-1 so positions stay dense. The project's parts are locked: two reorders at once
    apply one after the other."""
    parts = list(Part.objects.select_for_update().filter(project_id=part.project_id))
    parts.sort(key=lambda p: (p.position, p.pk))
    index = next(i for i, p in enumerate(parts) if p.pk == part.pk)
    target = max(0, min(len(parts) - 1, index + offset))
    parts.insert(target, parts.pop(index))
    changed = []
    for position, each in enumerate(parts):
        if each.position != position:
            each.position = position
            changed.append(each)
    Part.objects.bulk_update(changed, ["position"])
    return parts


def default_parts_create(project: Project) -> None:
    """A new project's tracking sheet starts with the usual parts (``projects.hooks``)."""
    Part.objects.bulk_create(
        Part(project=project, name=name, position=position)
        for position, name in enumerate(DEFAULT_PARTS)
    )
