"""Today (the dashboard, ``/``): the sections the apps register (``projects.agenda``), and the
confirm / release buttons of the holds about to lapse and of the challenged ones.

The buttons ask first. With htmx the browser asks (``hx-confirm``) and the answer comes with the
POST; without JavaScript the POST has no answer yet, so the question is a page whose form
carries it. Either way the write goes through the booking services, as the calendar's and the
API's do, and their refusals (a double booking, a lapsed hold) are shown, not swallowed.
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
        "has_studios": user_zone_name(request.user) is not None,
    }
    return render(request, "projects/agenda.html", context)
