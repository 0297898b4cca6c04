"""A song's own page: its details (edited in a Django form, refusals beside the fields), its
stage history, its takes, its cells of the tracking sheet, and what other apps show for it
(songs.hooks card details); deleting it asks first, saying what happens to its takes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from core.pages import form_refusal
from projects.models import Project
from songs import services
from songs.forms import SongForm
from songs.models import Song
from songs.selectors import song_page, stages_shown
from songs.views.common import managed_project, may_manage, visible_project


def _song(project: Project, song_id: int) -> Song:
    return get_object_or_404(
        Song.objects.select_related("project", "holder").prefetch_related("writers"),
        project=project,
        pk=song_id,
    )


@login_required
@require_http_methods(["GET", "POST"])
def song_detail(request: HttpRequest, pk: int, song_id: int) -> HttpResponse:
    """The song's page; a POST saves its details (through song_update, as the API does)."""
    if request.method == "POST":
        project = managed_project(request, pk)
    else:
        project = visible_project(request, pk)
    song = _song(project, song_id)
    status = 200
    if request.method == "POST":
        form = SongForm(request.POST, project=project)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.song_update(
                    song=song,
                    title=data["title"],
                    working_title=data["working_title"].strip(),
                    key=data["key"].strip(),
                    tempo=data["tempo"],
                    writers=data["writers"],
                    notes=data["notes"],
                    due_date=data["due_date"],
                    holder=data["holder"],
                )
            except ValidationError as error:
                form_refusal(form, error)
            else:
                messages.success(request, f"Saved {data['title'].strip()}.")
                return redirect("song-detail", pk=project.pk, song_id=song.pk)
        status = 400
    else:
        form = SongForm(initial=SongForm.initial_for(song), project=project)
    context = {
        "project": project,
        "page": song_page(song=song, user=request.user),
        "song": song,
        "form": form,
        "may_manage": may_manage(request, project),
        "stages": stages_shown(project),
    }
    return render(request, "songs/detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def song_delete(request: HttpRequest, pk: int, song_id: int) -> HttpResponse:
    """Ask first (what the deletion does to the song's takes and cells), then delete."""
    project = managed_project(request, pk)
    song = _song(project, song_id)
    if request.method == "POST":
        title = song.title
        services.song_delete(song=song)
        messages.success(request, f"Deleted {title}.")
        return redirect("song-board", pk=project.pk)
    context = {
        "project": project,
        "song": song,
        "take_count": song.takes.count(),
        "cell_count": song.part_statuses.count(),
    }
    return render(request, "songs/delete.html", context)
