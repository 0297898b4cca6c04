"""The tracking sheet: songs by parts, each cell a status select saved in place (htmx posts
the cell's form on change and swaps the cell; without JS the form's button posts and the page
comes back), and the project's parts edited on the same page: add, rename, reorder, remove
(asking first when cells would be lost)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.api import request_user
from core.pages import form_refusal, is_htmx
from projects.models import Project
from songs import services
from songs.forms import PartForm, SongPartForm
from songs.models import Part, PartStatus, Song
from songs.selectors import tracking_sheet
from songs.services.parts import part_cells_in_use
from songs.views.common import managed_project, may_manage, visible_project

SHEET = "songs/sheet.html"


def _page(
    request: HttpRequest,
    project: Project,
    *,
    add_form: PartForm | None = None,
    rename: tuple[int, PartForm] | None = None,
    confirm: tuple[Part, int] | None = None,
    status: int = 200,
) -> HttpResponse:
    parts, rows = tracking_sheet(project=project)
    context: dict[str, Any] = {
        "project": project,
        "parts": parts,
        "rows": rows,
        "statuses": PartStatus.choices,
        "may_manage": may_manage(request, project),
        "add_form": add_form or PartForm(),
        "rename_id": rename[0] if rename else None,
        "rename_form": rename[1] if rename else None,
        "confirm": confirm,
    }
    return render(request, SHEET, context, status=status)


@login_required
def song_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, visible_project(request, pk))


@login_required
@require_POST
def song_sheet_cell(request: HttpRequest, pk: int, song_id: int, part_id: int) -> HttpResponse:
    """Set one cell; htmx gets the cell back, a plain post the page at that song's row."""
    project = managed_project(request, pk)
    song = get_object_or_404(Song, project=project, pk=song_id)
    part = get_object_or_404(Part, project=project, pk=part_id)
    form = SongPartForm(request.POST)
    error = ""
    status = 200
    if form.is_valid():
        try:
            services.song_part_set(
                song=song, part=part, status=form.cleaned_data["status"], by=request_user(request)
            )
        except ValidationError as refused:
            error, status = "; ".join(refused.messages), 400
    else:
        said = [str(message) for message in form.errors.get("status") or []]
        error, status = "; ".join(said or ["Pick a status."]), 400
    cell = song.part_statuses.filter(part=part).values_list("status", flat=True).first()
    current = cell or PartStatus.NOT_STARTED
    if is_htmx(request):
        context = {
            "project": project,
            "song": song,
            "part": part,
            "status": current,
            "statuses": PartStatus.choices,
            "may_manage": True,
            "error": error,
            "saved": not error,
        }
        return render(request, f"{SHEET}#cell", context, status=status)
    if error:
        messages.error(request, f"{song.title} / {part.name}: {error}")
    return redirect(reverse("song-sheet", args=[project.pk]) + f"#sheet-song-{song.pk}")


@login_required
@require_POST
def part_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = managed_project(request, pk)
    form = PartForm(request.POST)
    if form.is_valid():
        try:
            part = services.part_create(project=project, name=form.cleaned_data["name"])
        except ValidationError as error:
            form_refusal(form, error)
        else:
            messages.success(request, f"Added the part {part.name}.")
            return redirect(reverse("song-sheet", args=[project.pk]) + "#parts")
    return _page(request, project, add_form=form, status=400)


@login_required
@require_POST
def part_edit(request: HttpRequest, pk: int, part_id: int) -> HttpResponse:
    """One part's buttons: rename, move up or down, remove (asking first when songs have a
    status for it: the confirmation names how many)."""
    project = managed_project(request, pk)
    part = get_object_or_404(Part, project=project, pk=part_id)
    action = request.POST.get("action", "")
    back = redirect(reverse("song-sheet", args=[project.pk]) + "#parts")
    if action in ("up", "down"):
        services.part_move(part=part, offset=-1 if action == "up" else 1)
        return back
    if action == "rename":
        form = PartForm(request.POST)
        if form.is_valid():
            try:
                services.part_rename(part=part, name=form.cleaned_data["name"])
            except ValidationError as error:
                form_refusal(form, error)
            else:
                messages.success(request, f"Renamed the part to {part.name}.")
                return back
        return _page(request, project, rename=(part.pk, form), status=400)
    if action in ("remove", "remove-confirmed"):
        in_use = part_cells_in_use(part=part)
        if in_use and action != "remove-confirmed":
            return _page(request, project, confirm=(part, in_use))
        name = part.name
        services.part_delete(part=part, confirmed=True)
        messages.success(request, f"Removed the part {name}.")
        return back
    messages.error(request, "Pick rename, up, down or remove.")
    return _page(request, project, status=400)
