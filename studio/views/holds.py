"""A hold confirmed or released from Today (projects.views.agenda).

The buttons ask first. With htmx the browser asks (``hx-confirm``) and the answer comes with the
POST; without JavaScript the POST has no answer yet, so the question is a page whose form
carries it. Either way the write goes through the booking services, as the calendar's and the
API's do, and their refusals (a double booking, a lapsed hold) are shown, not swallowed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.pages import is_htmx
from projects.agenda import agenda_section, agenda_sections
from projects.permissions import Capability, has_capability
from projects.views.agenda import agenda_moment
from studio.models import Booking
from studio.permissions import bookings_visible
from studio.services.bookings import booking_confirm, booking_release

VERBS = {"confirm": "Confirm", "release": "Release"}


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
        today, now = agenda_moment(request)
        [rendered] = agenda_sections(
            user=request.user, today=today, now=now, keys={section.key}, keep_empty=True
        )
        context = {"rendered": rendered, "error": error, "done": "" if error else done}
        return render(request, "projects/agenda.html#section", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("dashboard")
