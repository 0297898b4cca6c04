"""HTML pages of sessions: the session sheet (run from here: players, takes, gear, pay) and a
project's sessions and pay summary.

Every write goes through the service the API uses and shows its refusal beside the field;
with htmx a form swaps its own part of the sheet, without it the form posts and redirects.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from core.api import request_user
from core.errors import Conflict
from core.pages import is_htmx
from projects.models import Project
from projects.permissions import (
    Capability,
    has_capability,
    projects_visible,
    role_on,
    roles_with,
    sees_pay,
)
from sessions import services
from sessions.forms import (
    EngagementForm,
    GearCheckForm,
    PayForm,
    SessionSongsForm,
    SessionStatusForm,
    TakeForm,
    show_refusal,
)
from sessions.models import Engagement, Payment, Session, Take
from sessions.selectors import next_take_number, pay_summary, session_sheet, take_pickers
from studio.models import Booking

SHEET = "sessions/session_detail.html"


def _session_for(request: HttpRequest, pk: int) -> Session:
    """A session of the user's projects (anyone else's is a 404)."""
    return get_object_or_404(
        Session.objects.filter(project__in=projects_visible(request.user)).select_related(
            "project", "room__studio", "booking__room"
        ),
        pk=pk,
    )


def _require(request: HttpRequest, project: Project, capability: Capability, why: str) -> None:
    if not has_capability(request.user, project, capability):
        raise PermissionDenied(why)


def _rights(request: HttpRequest, project: Project) -> dict[str, bool]:
    """What the role may do on the sheet; pay shows as in the API
    (projects.permissions.sees_pay)."""
    role = role_on(request.user, project)  # one query for the three answers
    return {
        "may_run": role in roles_with(Capability.SESSIONS_MANAGE),
        "sees_pay": sees_pay(role),
        "may_pay": role in roles_with(Capability.BUDGET_MANAGE),
    }


def _sheet_context(
    request: HttpRequest,
    session: Session,
    *,
    engagement_form: EngagementForm | None = None,
    take_form: TakeForm | None = None,
    gear_form: GearCheckForm | None = None,
    songs_form: SessionSongsForm | None = None,
    logged: Take | None = None,
) -> dict[str, Any]:
    sheet = session_sheet(session=session)
    zone = session.zone
    songs, parts = take_pickers(project=session.project, session=session)
    if take_form is None:
        last = max(sheet.takes, key=lambda take: take.pk, default=None)
        name = last.song_name if last else ""
        take_form = TakeForm(
            songs=songs,
            parts=parts,
            initial={
                "song": last.song_id if last else None,
                "song_name": "" if last and last.song_id else name,
                "part": last.part_id if last else None,
                "number": next_take_number(takes=sheet.takes, song_name=name),
            },
        )
    gear = sorted(
        [check.gear for check in sheet.checks] + sheet.unchecked, key=lambda item: item.name
    )
    return {
        "sheet": sheet,
        "session": session,
        "start": session.start.astimezone(zone),
        "end": session.end.astimezone(zone),
        "engagement_form": engagement_form or EngagementForm(session=session),
        "take_form": take_form,
        "songs": songs,
        "planned": [song for song in songs if getattr(song, "planned", False)],
        "songs_form": songs_form
        or SessionSongsForm(
            songs=songs,
            initial={"songs": [s.pk for s in songs if getattr(s, "planned", False)]},
        ),
        "gear_form": gear_form or GearCheckForm(gear=gear, checks=sheet.checks),
        "logged": logged,
        "status_form": SessionStatusForm(initial={"status": session.status}),
        **_rights(request, session.project),
    }


def _answer(
    request: HttpRequest, session: Session, partial: str, context: dict[str, Any]
) -> HttpResponse:
    """htmx gets the part of the sheet the form belongs to; a plain post the whole page."""
    if is_htmx(request):
        return render(request, f"{SHEET}#{partial}", context)
    return render(request, SHEET, context)


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for(request, pk)
    return render(request, SHEET, _sheet_context(request, session))


@login_required
@require_POST
def session_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Planned, in progress, completed or cancelled, through the API's session_update."""
    session = _session_for(request, pk)
    _require(
        request, session.project, Capability.SESSIONS_MANAGE, "Your role does not run sessions."
    )
    form = SessionStatusForm(request.POST)
    if form.is_valid():
        try:
            updated = services.session_update(session=session, status=form.cleaned_data["status"])
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"The session is {updated.get_status_display().lower()}.")
            return redirect("session-detail", pk=session.pk)
    context = _sheet_context(request, session)
    return render(request, SHEET, {**context, "status_form": form})


@login_required
@require_POST
def session_songs(request: HttpRequest, pk: int) -> HttpResponse:
    """The songs planned for the session (the board shows each song's next one)."""
    session = _session_for(request, pk)
    _require(
        request, session.project, Capability.SESSIONS_MANAGE, "Your role does not run sessions."
    )
    songs, _ = take_pickers(project=session.project)
    form = SessionSongsForm(request.POST, songs=songs)
    if form.is_valid():
        try:
            services.session_update(session=session, songs=form.picked())
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Saved the songs planned for this session.")
            return redirect(reverse("session-detail", args=[session.pk]) + "#planned")
    context = _sheet_context(request, session, songs_form=form)
    return render(request, SHEET, context, status=400)


# --- a session from a booking -----------------------------------------------------------------


def _booking_for(request: HttpRequest, pk: int) -> Booking:
    return get_object_or_404(
        Booking.objects.filter(project__in=projects_visible(request.user)).select_related(
            "project"
        ),
        pk=pk,
    )


def _session_of(booking: Booking) -> Session | None:
    return (
        Session.objects.filter(booking=booking)
        .exclude(status=Session.Status.CANCELLED)
        .order_by("pk")
        .first()
    )


@login_required
@require_http_methods(["GET", "POST"])
def booking_session(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the booking's session for the calendar's panel (its address, or where to start
    one when the role may). POST: start the session, through the API's service, and open it."""
    booking = _booking_for(request, pk)
    existing = _session_of(booking)
    may_run = has_capability(request.user, booking.project, Capability.SESSIONS_MANAGE)
    if request.method == "GET":
        return JsonResponse(
            {
                "session": reverse("session-detail", args=[existing.pk]) if existing else None,
                "start": reverse("booking-session", args=[booking.pk])
                if existing is None and may_run and booking.status != Booking.Status.CANCELLED
                else None,
            }
        )
    if not may_run:
        raise PermissionDenied("Your role on this project does not run sessions.")
    if existing is not None:
        return redirect("session-detail", pk=existing.pk)
    try:
        session = services.session_create(
            project=booking.project,
            booking=booking,
            title=booking.title or booking.project.title,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("project-sessions", args=[booking.project_id])
        return redirect(back)
    messages.success(request, "Session started: add the players, log the takes, check the gear.")
    return redirect("session-detail", pk=session.pk)


# --- players ----------------------------------------------------------------------------------


@login_required
@require_POST
def engagement_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for(request, pk)
    _require(
        request, session.project, Capability.SESSIONS_MANAGE, "Your role does not run sessions."
    )
    form = EngagementForm(request.POST, session=session)
    if form.is_valid():
        try:
            engagement = services.engagement_save(session=session, **form.work())
        except ValidationError as error:
            show_refusal(form, error)
        except Conflict as conflict:
            form.add_error(None, conflict.detail)
        else:
            if not is_htmx(request):
                messages.success(request, f"Added {engagement.person.name}.")
                return redirect(reverse("session-detail", args=[session.pk]) + "#players")
            context = _sheet_context(request, session)
            said = f"Added {engagement.person.name}."
            return _answer(request, session, "players", {**context, "player_said": said})
    context = _sheet_context(request, session, engagement_form=form)
    return _answer(request, session, "players", context)


@login_required
@require_POST
def engagement_quote(request: HttpRequest, pk: int) -> HttpResponse:
    """The fee of the player being added or changed, with its breakdown, from the quote the
    API's ``engagements/{id}/quote/`` gives: nothing is saved. Money roles only."""
    session = _session_for(request, pk)
    if not sees_pay(role_on(request.user, session.project)):
        raise PermissionDenied("Your role does not see pay.")
    form = EngagementForm(request.POST, session=session)
    fee = None
    if not all(request.POST.get(name) for name in ("person", "hours", "rate_rule")):
        # Still being filled in: the hint, not a list of what is missing.
        return render(request, f"{SHEET}#quote", {"fee": None, "quote_form": None})
    if form.is_valid():
        try:
            fee = services.engagement_quote(session=session, **form.work())
        except ValidationError as error:
            show_refusal(form, error)
    return render(request, f"{SHEET}#quote", {"fee": fee, "quote_form": form})


def _engagement_for(request: HttpRequest, pk: int) -> Engagement:
    return get_object_or_404(
        Engagement.objects.filter(
            session__project__in=projects_visible(request.user)
        ).select_related("session__project", "session__room__studio", "person", "payment"),
        pk=pk,
    )


def _fixed(engagement: Engagement) -> Payment | None:
    payment = getattr(engagement, "payment", None)
    return payment if payment is not None and payment.status != Payment.Status.PENDING else None


@login_required
@require_http_methods(["GET", "POST"])
def engagement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = _engagement_for(request, pk)
    session = engagement.session
    _require(
        request, session.project, Capability.SESSIONS_MANAGE, "Your role does not run sessions."
    )
    form = EngagementForm(
        request.POST or None, session=session, initial=EngagementForm.initial_from(engagement)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.engagement_save(session=session, engagement=engagement, **form.work())
        except ValidationError as error:
            show_refusal(form, error)
        except Conflict as conflict:
            form.add_error(None, conflict.detail)
        else:
            messages.success(request, f"Saved {engagement.person.name}.")
            return redirect(reverse("session-detail", args=[session.pk]) + "#players")
    context = {
        "engagement": engagement,
        "session": session,
        "form": form,
        "fixed": _fixed(engagement),
        **_rights(request, session.project),
    }
    return render(request, "sessions/engagement_form.html", context)


@login_required
@require_POST
def engagement_remove(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = _engagement_for(request, pk)
    session = engagement.session
    _require(
        request, session.project, Capability.SESSIONS_MANAGE, "Your role does not run sessions."
    )
    try:
        services.engagement_delete(engagement=engagement)
    except Conflict as conflict:
        messages.error(request, conflict.detail)
        return redirect("engagement-edit", pk=engagement.pk)
    messages.success(request, f"Removed {engagement.person.name} from the session.")
    return redirect(reverse("session-detail", args=[session.pk]) + "#players")


# --- payments ---------------------------------------------------------------------------------


def _payment_for(request: HttpRequest, pk: int) -> Payment:
    payment = get_object_or_404(
        Payment.objects.filter(project__in=projects_visible(request.user)).select_related(
            "person", "project", "engagement__session"
        ),
        pk=pk,
    )
    _require(
        request, payment.project, Capability.BUDGET_MANAGE, "Your role does not approve or pay."
    )
    return payment


@login_required
@require_http_methods(["GET", "POST"])
def payment_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks first (the amount is fixed from then on), then approves through the service."""
    payment = _payment_for(request, pk)
    error = ""
    if request.method == "POST":
        try:
            services.payment_approve(payment=payment, by=request_user(request))
        except Conflict as conflict:
            error = conflict.detail
        else:
            messages.success(
                request, f"Approved {payment.amount} {payment.currency} for {payment.person.name}."
            )
            return redirect(reverse("session-detail", args=[_session_pk(payment)]) + "#players")
    context = {"payment": payment, "verb": "approve", "error": error}
    return render(request, "sessions/payment_confirm.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def payment_pay(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks first ("Pay 380.00 EUR to …?") with the date, method and reference."""
    payment = _payment_for(request, pk)
    form = PayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_pay(payment=payment, **form.cleaned_data)
        except ValidationError as error:
            show_refusal(form, error)
        except Conflict as conflict:
            form.add_error(None, conflict.detail)
        else:
            messages.success(
                request,
                f"Paid {payment.amount} {payment.currency} to {payment.person.name} "
                f"on {form.cleaned_data['paid_on']:%d %b %Y}.",
            )
            return redirect(reverse("session-detail", args=[_session_pk(payment)]) + "#players")
    context = {"payment": payment, "verb": "pay", "form": form, "today": timezone.localdate()}
    return render(request, "sessions/payment_confirm.html", context)


def _session_pk(payment: Payment) -> int:
    return payment.engagement.session_id


# --- takes and gear ---------------------------------------------------------------------------


@login_required
@require_POST
def take_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Log a take; the form comes back ready for the next one (same song, next number)."""
    session = _session_for(request, pk)
    _require(
        request, session.project, Capability.SESSIONS_MANAGE, "Your role does not run sessions."
    )
    songs, parts = take_pickers(project=session.project)
    form = TakeForm(request.POST, songs=songs, parts=parts)
    if form.is_valid():
        try:
            take = services.take_create(
                session=session, by=request_user(request), **form.take_fields()
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            if not is_htmx(request):
                messages.success(request, f"Logged {take.song_name} take {take.number}.")
                return redirect(reverse("session-detail", args=[session.pk]) + "#takes")
            context = _sheet_context(request, session, logged=take)
            return _answer(request, session, "takes", context)
    context = _sheet_context(request, session, take_form=form)
    return _answer(request, session, "takes", context)


@login_required
@require_POST
def gear_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the whole checklist through the gear-check service; a fault sends the item to
    service. One refusal and nothing is saved (the refusal beside that item's note)."""
    session = _session_for(request, pk)
    _require(
        request, session.project, Capability.SESSIONS_MANAGE, "Your role does not run sessions."
    )
    sheet = session_sheet(session=session)
    gear = sorted(
        [check.gear for check in sheet.checks] + sheet.unchecked, key=lambda item: item.name
    )
    form = GearCheckForm(request.POST, gear=gear, checks=sheet.checks)
    if form.is_valid():
        try:
            checks = services.gear_checks_record(session=session, results=form.results())
        except ValidationError as error:
            form.show_refusal(error)
        else:
            faults = sum(1 for check in checks if check.result == "fault")
            said = f"Gear checked: {len(checks)} item{'s' if len(checks) != 1 else ''}" + (
                f", {faults} sent to service." if faults else ", all OK."
            )
            if not is_htmx(request):
                messages.success(request, said)
                return redirect(reverse("session-detail", args=[session.pk]) + "#gear")
            context = _sheet_context(request, session)
            return _answer(request, session, "gear", {**context, "gear_said": said})
    context = _sheet_context(request, session, gear_form=form)
    return _answer(request, session, "gear", context)


# --- a project's sessions and pay -------------------------------------------------------------


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
    # Studio days that have no session yet, from a week ago on: where a session starts.
    open_bookings = (
        Booking.objects.filter(
            project=project,
            status__in=Booking.ACTIVE,
            end__gt=timezone.now() - datetime.timedelta(days=7),
            sessions__isnull=True,
        )
        .select_related("room__studio")
        .order_by("start")[:20]
    )
    context = {
        "project": project,
        "sessions": sessions,
        "open_bookings": open_bookings,
        "may_run": has_capability(request.user, project, Capability.SESSIONS_MANAGE),
    }
    return render(request, "sessions/project_sessions.html", context)


@login_required
def project_pay(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(projects_visible(request.user), pk=pk)
    if not sees_pay(role_on(request.user, project)):
        raise PermissionDenied("Your role on this project does not see pay.")
    sessions = Session.objects.filter(project=project).order_by("-start")[:50]
    context = {"project": project, "rows": pay_summary(project=project), "sessions": sessions}
    return render(request, "sessions/project_pay.html", context)
