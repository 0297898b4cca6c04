"""The song board: a column per shown stage, a card per song, moved with a select and a
button (or dragged: static/js/song_board.js posts the same form); and the project's stages
(renamed, skipped) set from a small form under the board.

With htmx a form swaps the board (its ``board`` partial); without it the form posts and the
page redirects back. Writes go through the same services as the API (songs.services.songs).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.api import request_user
from core.pages import form_refusal, is_htmx
from core.validators import TextGuardFormMixin
from projects.models import Project
from songs import services
from songs.forms import SongStagesForm
from songs.models import Song
from songs.selectors import board_columns, stage_labels, stages_shown
from songs.services.songs import project_song_stages_set
from songs.views.common import managed_project, may_manage, visible_project

BOARD = "songs/board.html"


class SongAddForm(TextGuardFormMixin, forms.Form):
    title = forms.CharField(max_length=200)
    due_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Due date"
    )


def _board(
    request: HttpRequest,
    project: Project,
    *,
    form: SongAddForm | None = None,
    stages_form: SongStagesForm | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "notice": notice,
        "project": project,
        "columns": board_columns(project=project, user=request.user),
        "stages": stages_shown(project),
        "may_manage": may_manage(request, project),
        "form": form or SongAddForm(),
        "stages_form": stages_form or SongStagesForm(project=project),
    }
    template = f"{BOARD}#board" if is_htmx(request) else BOARD
    return render(request, template, context, status=status)


@login_required
def song_board(request: HttpRequest, pk: int) -> HttpResponse:
    """The board; a POST adds a song (title, due date) to the first shown stage."""
    if request.method != "POST":
        return _board(request, visible_project(request, pk))
    project = managed_project(request, pk)
    form = SongAddForm(request.POST)
    if form.is_valid():
        first, label = stages_shown(project)[0]
        try:
            song = services.song_create(
                project=project,
                title=form.cleaned_data["title"],
                due_date=form.cleaned_data["due_date"],
                stage=first,
            )
        except ValidationError as error:
            form_refusal(form, error)
        else:
            notice = f"Added {song.title} to {label}."
            if not is_htmx(request):
                messages.success(request, notice)
                return redirect("song-board", pk=project.pk)
            return _board(request, project, notice=notice)
    return _board(request, project, form=form, status=400)


@login_required
@require_POST
def song_move(request: HttpRequest, pk: int, song_id: int) -> HttpResponse:
    """Move a card to the stage picked in its select (on the board, or on the song's own
    page, which asks to come back to it with ``back=song``)."""
    project = managed_project(request, pk)
    song = get_object_or_404(Song, project=project, pk=song_id)
    status = 200
    try:
        moved = services.song_move(
            song=song, stage=request.POST.get("stage", ""), by=request_user(request)
        )
    except ValidationError as error:
        said = error.message_dict.get("stage", []) if hasattr(error, "error_dict") else []
        level, status = messages.ERROR, 400
        notice = said[0] if said else f"Pick a stage to move {song.title} to."
    else:
        label = stage_labels(project)[moved.stage]
        level, notice = messages.SUCCESS, f"Moved {moved.title} to {label}."
    if not is_htmx(request):
        messages.add_message(request, level, notice)
        if request.POST.get("back") == "song":
            return redirect("song-detail", pk=project.pk, song_id=song.pk)
        return redirect("song-board", pk=project.pk)
    return _board(request, project, notice=notice, status=status)


@login_required
@require_POST
def song_stages(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename and skip the project's stages; a refusal shows beside the form, the board as it
    was (400)."""
    project = managed_project(request, pk)
    form = SongStagesForm(request.POST, project=project)
    if form.is_valid():
        names, skipped = form.stages()
        try:
            project = project_song_stages_set(project=project, names=names, skipped=skipped)
        except ValidationError as error:
            form_refusal(form, error)
        else:
            notice = "Saved the board's stages."
            if not is_htmx(request):
                messages.success(request, notice)
                return redirect("song-board", pk=project.pk)
            return _board(request, project, notice=notice)
    return _board(request, project, stages_form=form, status=400)
