"""A project's meetings: the list, the form to add or change one, and cancelling with a question
first. Writes go through ``projects.services.meetings``, as the API's do."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from core.api import request_user
from core.errors import Conflict
from core.pages import form_refusal
from projects.forms import MeetingForm
from projects.hooks import project_zone_name
from projects.models import Meeting, Project
from projects.permissions import Capability, has_capability, projects_visible
from projects.services.meetings import meeting_cancel, meeting_create, meeting_update


def _project(request: HttpRequest, pk: int) -> Project:
    """The project, if the user is on it (404 otherwise, as for every project page)."""
    return get_object_or_404(projects_visible(request.user), pk=pk)


def _require_schedule(request: HttpRequest, project: Project) -> None:
    if not has_capability(request.user, project, Capability.SCHEDULE_MANAGE):
        raise PermissionDenied("Your role on this project may not schedule meetings.")


def _meeting(project: Project, meeting_id: int) -> Meeting:
    return get_object_or_404(Meeting.objects.filter(project=project), pk=meeting_id)


def _default_zone(project: Project) -> str:
    """A new meeting's zone: the project's first studio's, where its people mostly are."""
    return project_zone_name(project) or settings.TIME_ZONE


@login_required
def meeting_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Meetings to come first, then the past ones (most recent first); cancelled ones stay
    listed, struck, so nobody wonders where a meeting went."""
    project = _project(request, pk)
    now = timezone.now()
    meetings = Meeting.objects.filter(project=project).prefetch_related("people")
    context = {
        "project": project,
        "upcoming": meetings.filter(end__gt=now).order_by("start", "pk"),
        "past": meetings.filter(end__lte=now).order_by("-start", "-pk")[:20],
        "may_schedule": has_capability(request.user, project, Capability.SCHEDULE_MANAGE),
    }
    return render(request, "projects/meeting_list.html", context)


@login_required
def meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    _require_schedule(request, project)
    form = MeetingForm(
        request.POST or None, project=project, initial={"time_zone": _default_zone(project)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meeting_create(
                project=project, by=request_user(request), **form.service_arguments()
            )
        except ValidationError as error:
            form_refusal(form, error)
        else:
            messages.success(request, f"{meeting.title} is on the calendar.")
            return redirect("meeting-list", pk=project.pk)
    return render(
        request, "projects/meeting_form.html", {"form": form, "project": project, "meeting": None}
    )


@login_required
def meeting_edit(request: HttpRequest, pk: int, meeting_id: int) -> HttpResponse:
    project = _project(request, pk)
    meeting = _meeting(project, meeting_id)
    _require_schedule(request, project)
    form = MeetingForm(
        request.POST or None, project=project, initial=MeetingForm.initial_for(meeting)
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meeting_update(meeting=meeting, **form.service_arguments())
        except ValidationError as error:
            form_refusal(form, error)
        except Conflict as conflict:
            form.add_error(None, conflict.detail)
        else:
            messages.success(request, f"Saved {meeting.title}.")
            return redirect("meeting-list", pk=project.pk)
    return render(
        request,
        "projects/meeting_form.html",
        {"form": form, "project": project, "meeting": meeting},
    )


@login_required
def meeting_cancel_view(request: HttpRequest, pk: int, meeting_id: int) -> HttpResponse:
    """GET asks first (what cancelling does); POST cancels."""
    project = _project(request, pk)
    meeting = _meeting(project, meeting_id)
    _require_schedule(request, project)
    if request.method == "POST":
        try:
            meeting_cancel(meeting=meeting)
        except Conflict as conflict:
            messages.error(request, conflict.detail)
        else:
            messages.success(request, f"{meeting.title} is cancelled.")
        return redirect("meeting-list", pk=project.pk)
    return render(request, "projects/meeting_cancel.html", {"project": project, "meeting": meeting})
