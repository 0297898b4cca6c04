"""HTML pages of sessions: the session sheet and a project's pay summary."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from sessions.models import Session
from sessions.selectors import pay_summary, session_sheet
from studio.permissions import Capability, has_capability, projects_visible


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(
        Session.objects.filter(project__in=projects_visible(request.user)).select_related(
            "project", "room__studio", "booking"
        ),
        pk=pk,
    )
    zone = session.zone
    context = {
        "sheet": session_sheet(session=session),
        "session": session,
        "start": session.start.astimezone(zone),
        "end": session.end.astimezone(zone),
        # Money is need-to-know: running the session does not show its pay.
        "sees_pay": has_capability(request.user, session.project, Capability.BUDGET_VIEW),
    }
    return render(request, "sessions/session_detail.html", context)


@login_required
def project_sessions(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(projects_visible(request.user), pk=pk)
    sessions = (
        Session.objects.filter(project=project)
        .select_related("room__studio")
        .annotate(
            player_count=Count("engagements", distinct=True),
            take_count=Count("takes", distinct=True),
        )
        .order_by("-start")
    )
    return render(
        request, "sessions/project_sessions.html", {"project": project, "sessions": sessions}
    )


@login_required
def project_pay(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(projects_visible(request.user), pk=pk)
    if not has_capability(request.user, project, Capability.BUDGET_VIEW):
        raise PermissionDenied("Your role on this project does not see pay.")
    sessions = Session.objects.filter(project=project).order_by("-start")[:50]
    context = {"project": project, "rows": pay_summary(project=project), "sessions": sessions}
    return render(request, "sessions/project_pay.html", context)
