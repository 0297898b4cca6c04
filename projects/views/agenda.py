"""Today (the dashboard, ``/``): the sections the apps register (``projects.agenda``) for the
user's day, read in the zone of the first studio they work with (``projects.hooks``). The
confirm / release buttons of the holds on it are studio's (``studio.views.holds``).
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from projects.agenda import agenda_sections
from projects.hooks import user_zone, user_zone_name
from projects.models import Project
from projects.selectors import project_list_for


def agenda_zone(request: HttpRequest) -> zoneinfo.ZoneInfo:
    """Whose "today": users have no zone of their own, so the zone of the first studio they
    work with (where their days are), else the site's. One query."""
    return user_zone(request.user)


def agenda_moment(request: HttpRequest) -> tuple[datetime.date, datetime.datetime]:
    now = timezone.now().astimezone(agenda_zone(request))
    return now.date(), now


@login_required
def agenda(request: HttpRequest) -> HttpResponse:
    today, now = agenda_moment(request)
    sections = agenda_sections(user=request.user, today=today, now=now)
    projects = project_list_for(user=request.user).exclude(status=Project.Status.ARCHIVED)[:12]
    context = {
        "sections": sections,
        "today": today,
        "projects": projects,
        # A zone is found where the user works with a studio (studio.links): without one, the
        # page points to the directory.
        "has_studios": user_zone_name(request.user) is not None,
    }
    return render(request, "projects/agenda.html", context)
