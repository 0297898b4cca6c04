"""Today (the dashboard, ``/``): the sections the apps register (``studio.agenda``), and the
confirm / release buttons of the holds about to lapse and of the challenged ones.

The buttons ask first. With htmx the browser asks (``hx-confirm``) and the answer comes with the
POST; without JavaScript the POST has no answer yet, so the question is a page whose form
carries it. Either way the write goes through the booking services, as the calendar's and the
API's do, and their refusals (a double booking, a lapsed hold) are shown, not swallowed.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from studio.agenda import agenda_section, agenda_sections
from studio.errors import Conflict
from studio.models import Booking, Project
from studio.pages import is_htmx
from studio.permissions import Capability, bookings_visible, has_capability, studios_visible
from studio.selectors import project_list_for
from studio.services.bookings import booking_confirm, booking_release

VERBS = {"confirm": "Confirm", "release": "Release"}


def agenda_zone(request: HttpRequest) -> zoneinfo.ZoneInfo:
    """Whose "today": users have no zone of their own, so the zone of the first studio they
    work with (where their days are), else the site's. One query."""
    name = studios_visible(request.user).order_by("pk").values_list("time_zone", flat=True).first()
    return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)


def _moment(request: HttpRequest) -> tuple[datetime.date, datetime.datetime]:
    now = timezone.now().astimezone(agenda_zone(request))
    return now.date(), now


@login_required
def agenda(request: HttpRequest) -> HttpResponse:
    today, now = _moment(request)
    sections = agenda_sections(user=request.user, today=today, now=now)
    projects = project_list_for(user=request.user).exclude(status=Project.Status.ARCHIVED)[:12]
    studio_count = studios_visible(request.user).aggregate(n=Count("pk"))["n"]
    context = {
        "sections": sections,
        "today": today,
        "projects": projects,
        "has_studios": bool(studio_count),
    }
    return render(request, "studio/agenda.html", context)


def _question(booking: Booking, verb: str) -> str:
    zone = booking.room.studio.zone
    when = f"{booking.start.astimezone(zone):%a %d %b %H:%M}–{booking.end.astimezone(zone):%H:%M}"
    place = f"{booking.room.studio.name} {booking.room.name}"
    if verb == "confirm":
        return (
            f"Confirm {place}, {when}? It becomes a booking, quoted at today's rate card, "
            "and cancelling it later may cost a fee."
        )
    return f"Release the hold on {place}, {when}? The slot goes to whoever holds it next."


@login_required
@require_POST
def agenda_hold(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """Confirm or release a hold from Today; the section it sits in comes back (htmx), or the
    page (a plain POST)."""
    if verb not in VERBS:
        raise Http404("No such action.")
    booking = get_object_or_404(
        bookings_visible(request.user).select_related("room__studio", "project"), pk=pk
    )
    if not has_capability(request.user, booking.project, Capability.SCHEDULE_MANAGE):
        raise PermissionDenied("Your role on this project may not confirm or release holds.")
    key = request.POST.get("section", "holds")
    section = agenda_section(key)
    if request.POST.get("answer") != "yes":
        context = {"booking": booking, "verb": verb, "label": VERBS[verb], "section": key}
        context["question"] = _question(booking, verb)
        return render(request, "studio/agenda_hold_confirm.html", context)
    error = ""
    try:
        if verb == "confirm":
            booking_confirm(booking=booking)
        else:
            booking_release(booking=booking)
    except Conflict as conflict:
        error = conflict.detail
    done = (
        f"Confirmed {booking.title or booking.project.title}."
        if verb == "confirm"
        else f"Released the hold on {booking.title or booking.project.title}."
    )
    if is_htmx(request) and section is not None:
        today, now = _moment(request)
        [rendered] = agenda_sections(
            user=request.user, today=today, now=now, keys={section.key}, keep_empty=True
        )
        context = {"rendered": rendered, "error": error, "done": "" if error else done}
        return render(request, "studio/agenda.html#section", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("dashboard")
