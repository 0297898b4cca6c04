"""The call sheet page: what the mail will say and to whom, and the button that sends it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from projects.models import NoticeKind, NoticePreference
from projects.notices import addresses
from projects.permissions import Capability, has_capability, projects_visible
from sessions import call_sheets
from sessions.models import Session


@login_required
@require_http_methods(["GET", "POST"])
def call_sheet_page(request: HttpRequest, pk: int) -> HttpResponse:
    """GET shows the sheet and who gets it (and who cannot: no address, or turned off);
    POST sends it. A role that does not run sessions gets 403, another project's session 404."""
    session = get_object_or_404(
        Session.objects.filter(project__in=projects_visible(request.user)).select_related(
            "project", "room__studio", "booking__engineer"
        ),
        pk=pk,
    )
    if not has_capability(request.user, session.project, Capability.SESSIONS_MANAGE):
        raise PermissionDenied("Your role does not run sessions.")
    error = ""
    if request.method == "POST":
        try:
            sent = call_sheets.call_sheet_send(session=session)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(
                request,
                f"Call sheet sent to {sent} {'person' if sent == 1 else 'people'}."
                if sent
                else "Nobody new to send it to (sent a moment ago, or nobody has an address).",
            )
            return redirect("session-detail", pk=session.pk)
    people = call_sheets.call_sheet_people(session=session)
    emails = addresses(project=session.project, people=people)
    off = set(
        NoticePreference.objects.filter(
            person__in=[p.pk for p in people], kind=NoticeKind.CALL_SHEET, enabled=False
        ).values_list("person_id", flat=True)
    )
    recipients = [
        {
            "name": person.name,
            "email": emails.get(person.pk, ""),
            "off": person.pk in off,
        }
        for person in people
    ]
    context = {
        "session": session,
        "sheet": call_sheets.call_sheet(session=session),
        "recipients": recipients,
        "reachable": sum(1 for r in recipients if r["email"] and not r["off"]),
        "error": error,
    }
    return render(request, "sessions/call_sheet.html", context)
