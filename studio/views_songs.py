"""The song board: a column per stage, a card per song, moved with a select and a button.

With htmx a form swaps the board (its ``board`` partial); without it the form posts and the
page redirects back. Writes go through the same services as the API (studio.services.songs).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from studio import services
from studio.api_base import request_user
from studio.models import Project, Song, SongStage
from studio.permissions import Capability, has_capability, projects_visible
from studio.validators import TextGuardFormMixin
from studio.views_studios import form_refusal

BOARD = "studio/song_board.html"


class SongAddForm(TextGuardFormMixin, forms.Form):
    title = forms.CharField(max_length=200)
    due_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Due date"
    )


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def board_columns(*, project: Project) -> list[dict[str, Any]]:
    """The project's songs by stage, in board order, each with its number of takes: one query
    whatever the number of songs."""
    today = timezone.localdate()
    songs = (
        Song.objects.filter(project=project)
        .select_related("holder")
        .annotate(take_count=Count("takes"))
        .order_by("position", "title", "id")
    )
    by_stage: dict[str, list[Song]] = {stage: [] for stage in SongStage.values}
    for song in songs:
        song.late = song.is_late(today)  # type: ignore[attr-defined]
        by_stage[song.stage].append(song)
    return [
        {"stage": value, "label": label, "songs": by_stage[value]}
        for value, label in SongStage.choices
    ]


def _board(
    request: HttpRequest,
    project: Project,
    *,
    form: SongAddForm | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "notice": notice,
        "project": project,
        "columns": board_columns(project=project),
        "stages": SongStage.choices,
        "may_manage": has_capability(request.user, project, Capability.SONGS_MANAGE),
        "form": form or SongAddForm(),
    }
    template = f"{BOARD}#board" if _htmx(request) else BOARD
    return render(request, template, context, status=status)


def _managed_project(request: HttpRequest, project_id: int) -> Project:
    project = get_object_or_404(projects_visible(request.user), pk=project_id)
    if not has_capability(request.user, project, Capability.SONGS_MANAGE):
        raise PermissionDenied("Your role on this project may not change its songs.")
    return project


@login_required
def song_board(request: HttpRequest, pk: int) -> HttpResponse:
    """The board; a POST adds a song (title, due date) to pre-production."""
    if request.method != "POST":
        project = get_object_or_404(projects_visible(request.user), pk=pk)
        return _board(request, project)
    project = _managed_project(request, pk)
    form = SongAddForm(request.POST)
    if form.is_valid():
        try:
            song = services.song_create(
                project=project,
                title=form.cleaned_data["title"],
                due_date=form.cleaned_data["due_date"],
            )
        except ValidationError as error:
            form_refusal(form, error)
        else:
            notice = f"Added {song.title} to pre-production."
            if not _htmx(request):
                messages.success(request, notice)
                return redirect("song-board", pk=project.pk)
            return _board(request, project, notice=notice)
    return _board(request, project, form=form, status=400)


@login_required
@require_POST
def song_move(request: HttpRequest, pk: int, song_id: int) -> HttpResponse:
    """Move a card to the stage picked in its select."""
    project = _managed_project(request, pk)
    song = get_object_or_404(Song, project=project, pk=song_id)
    try:
        moved = services.song_move(
            song=song, stage=request.POST.get("stage", ""), by=request_user(request)
        )
    except ValidationError:
        level, notice = messages.ERROR, f"Pick a stage to move {song.title} to."
    else:
        level, notice = messages.SUCCESS, f"Moved {moved.title} to {moved.get_stage_display()}."
    if not _htmx(request):
        messages.add_message(request, level, notice)
        return redirect("song-board", pk=project.pk)
    return _board(request, project, notice=notice)
