"""The calendar page (rooms, studios, people or projects, with holds and bookings made, moved
and cancelled in place) and the calendar feeds it offers."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_POST

from core.api import request_user
from core.errors import Conflict
from core.filters import aware_instant
from core.intervals import ends_after_start
from projects.models import Person
from projects.permissions import (
    Capability,
    has_capability,
    people_visible,
    projects_visible,
    projects_with,
)
from studio import feeds, services
from studio.models import Booking, FeedToken, Room, Studio
from studio.permissions import calendar_targets, studios_visible
from studio.selectors import booking_cancellation_terms, calendar_bookings, shown_state
from studio.services.bookings import MoveNeedsConfirmation


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A calendar feed by its secret. A poll that names the current version (weakly, or `*`)
    gets a 304 before anything is built: two queries, the token and one aggregate. A full GET
    is served from the cache under the version's ETag, so a feed is built once per change even
    for clients that poll without If-None-Match (Google)."""
    subscription = feeds.feed_lookup(token)
    if subscription is None:
        raise Http404("No such feed.")
    bookings = feeds.feed_bookings(subscription)
    version = feeds.feed_version(subscription, bookings)
    response = get_conditional_response(
        request, etag=version.etag, last_modified=int(version.last_modified.timestamp())
    )
    if response is None:
        response = HttpResponse(
            feeds.feed_body(subscription, bookings, version),
            content_type="text/calendar; charset=utf-8",
        )
        response["Content-Disposition"] = 'inline; filename="tracksheet.ics"'
    response["ETag"] = version.etag
    response["Last-Modified"] = http_date(version.last_modified.timestamp())
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- calendar ---------------------------------------------------------------------------------
#
# FullCalendar without a time-zone plugin knows only UTC and the browser's zone. The calendar
# runs in "UTC" and is fed the studio's wall-clock times without an offset, so 10:00 in the
# studio shows as 10:00 wherever the browser is; what the page sends back is wall-clock time
# too, and the server turns it into an instant with the studio's IANA zone.

CALENDAR_WINDOW = datetime.timedelta(days=100)


def _calendar_scope(request: HttpRequest) -> tuple[str, Studio | Room | Person | None, ZoneInfo]:
    """What the calendar shows (?studio=, ?room=, ?person=; default the first studio) and in
    which zone. Anything the user cannot see is a 404."""
    targets = calendar_targets(request.user)
    studios = targets["studio"]
    target: Studio | Room | Person | None
    for kind in ("room", "studio", "person"):
        queryset = targets[kind]
        raw = request.GET.get(kind)
        if raw:
            if not (raw.isascii() and raw.isdigit()):
                raise Http404(f"No {kind} {raw}.")
            target = cast("Studio | Room | Person", get_object_or_404(queryset, pk=int(raw)))
            break
    else:
        kind, target = "studio", studios.first()
    if isinstance(target, Room):
        zone = target.studio.zone
    elif isinstance(target, Studio):
        zone = target.zone
    else:
        # A person works across studios; show their days in the first studio's zone.
        first = studios.first()
        zone = first.zone if first else ZoneInfo("UTC")
    return kind, target, zone


def _wall_clock(raw: object, zone: ZoneInfo, field: str) -> datetime.datetime:
    """A wall-clock time from the page (offset, if any, ignored) as an instant in ``zone``.

    A time the zone skips (the hour lost when clocks go forward) is refused, not shifted."""
    if not isinstance(raw, str):
        raise ValidationError({field: "A date and time such as 2027-03-02T10:00."})
    try:
        naive = datetime.datetime.fromisoformat(raw.replace("Z", "")).replace(tzinfo=None)
        value = naive.replace(tzinfo=zone)
        back = value.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None)
    except (ValueError, OverflowError) as error:
        raise ValidationError({field: f"Not a date and time: {raw!r}."}) from error
    try:
        # The same years the API takes (core.filters.aware_instant).
        aware_instant(value)
    except ValueError as error:
        raise ValidationError({field: str(error)}) from error
    if back != naive:
        raise ValidationError(
            {field: f"{naive:%Y-%m-%d %H:%M} does not exist in {zone.key}: the clocks change."}
        )
    return value


def _page_zone(body: dict[str, Any], default: ZoneInfo) -> ZoneInfo:
    """The zone the page showed its times in (the person calendar shows one zone for rooms
    in several); the booking's own studio zone when the page does not say."""
    name = body.get("zone")
    if name is None:
        return default
    try:
        if not isinstance(name, str):
            raise ValueError(name)
        return ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError) as error:
        raise ValidationError({"zone": "An IANA time zone such as Europe/Berlin."}) from error


def _event_json(booking: Booking, zone: ZoneInfo, may_schedule: set[int]) -> dict[str, object]:
    shown_status, _ = shown_state(booking)
    status = Booking.Status(shown_status)
    title = booking.title or booking.project.title
    return {
        "id": booking.pk,
        "title": f"{title} · {booking.room.name}",
        "start": booking.start.astimezone(zone).replace(tzinfo=None).isoformat(),
        "end": booking.end.astimezone(zone).replace(tzinfo=None).isoformat(),
        "classNames": [f"booking-{status.value}"],
        "editable": booking.project_id in may_schedule and status != Booking.Status.CANCELLED,
        "extendedProps": {
            "status": status.value,
            "statusLabel": status.label,
            "project": f"{booking.project.artist}: {booking.project.title}",
            "room": str(booking.room),
            "engineer": booking.engineer.name if booking.engineer else "",
            "quote": f"{booking.quoted_amount} {booking.room.studio.currency}"
            if booking.quoted_amount is not None
            else "",
            "fee": str(booking.cancellation_fee) if booking.cancellation_fee is not None else "",
            "expires": booking.expires_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            if booking.expires_at and status in Booking.HOLDS
            else "",
            "notes": booking.notes,
            "mayChange": booking.project_id in may_schedule,
        },
    }


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    kind, target, zone = _calendar_scope(request)
    user = request.user
    studios = studios_visible(user)
    tomorrow = timezone.now().astimezone(zone).date() + datetime.timedelta(days=1)
    feed = None
    if target is not None:
        feed = FeedToken.objects.filter(
            owner=request_user(request), kind=kind, revoked_at__isnull=True, **{kind: target}
        ).first()
    context = {
        "kind": kind,
        "target": target,
        "zone": str(zone),
        "studios": studios,
        "rooms": Room.objects.filter(studio__in=studios, is_active=True).select_related("studio"),
        "people": people_visible(user).filter(engineered__isnull=False).distinct(),
        "projects": projects_with(user, Capability.SCHEDULE_MANAGE),
        "feed_url": request.build_absolute_uri(reverse("feed", args=[feed.token])) if feed else "",
        "feed_id": feed.pk if feed else None,
        "engineers": people_visible(user).order_by("name"),
        # The keyboard form starts on tomorrow's usual day, in the zone the page shows.
        "default_start": f"{tomorrow:%Y-%m-%d}T10:00",
        "default_end": f"{tomorrow:%Y-%m-%d}T18:00",
    }
    return render(request, "studio/calendar.html", context)


@login_required
def calendar_events(request: HttpRequest) -> JsonResponse:
    """FullCalendar's event source: the bookings in view, in the studio's wall-clock time."""
    kind, target, zone = _calendar_scope(request)
    try:
        start = _wall_clock(request.GET.get("start"), zone, "start")
        end = _wall_clock(request.GET.get("end"), zone, "end")
    except ValidationError as error:
        return JsonResponse({"errors": error.message_dict}, status=400)
    if not ends_after_start(start=start, end=end) or end - start > CALENDAR_WINDOW:
        return JsonResponse(
            {"errors": {"end": ["The end must follow the start, at most 100 days later."]}},
            status=400,
        )
    if target is None:
        return JsonResponse([], safe=False)
    bookings = calendar_bookings(user=request.user, start=start, end=end, target=target)
    may_schedule = set(
        projects_with(request.user, Capability.SCHEDULE_MANAGE).values_list("pk", flat=True)
    )
    return JsonResponse([_event_json(b, zone, may_schedule) for b in bookings], safe=False)


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValidationError({"body": f"Not JSON: {error}."}) from error
    except RecursionError as error:
        # The standard library parses recursively: JSON nested deeper than the limit.
        raise ValidationError({"body": "Not JSON we take: nested too deeply."}) from error
    if not isinstance(body, dict):
        raise ValidationError({"body": "Send a JSON object."})
    return body


def _calendar_write(request: HttpRequest, write: Callable[[], Booking]) -> JsonResponse:
    """Run a booking write for the page: 400 with field messages, 409 naming the collision."""
    try:
        booking = write()
    except ValidationError as error:
        return JsonResponse({"errors": error.message_dict}, status=400)
    except MoveNeedsConfirmation as ask:
        # Nothing was moved: the page asks this question and sends the move again with
        # "confirm": true, or puts the booking back.
        return JsonResponse(
            {"confirm": ask.question, "errors": {"__all__": [ask.question]}}, status=409
        )
    except Conflict as conflict:
        return JsonResponse({"errors": {"__all__": [conflict.detail]}}, status=409)
    except PermissionDenied as denied:
        return JsonResponse({"errors": {"__all__": [str(denied)]}}, status=403)
    zone = booking.room.studio.zone
    may = set(projects_with(request.user, Capability.SCHEDULE_MANAGE).values_list("pk", flat=True))
    return JsonResponse(_event_json(booking, zone, may), status=200)


@login_required
@require_POST
def calendar_booking_create(request: HttpRequest) -> JsonResponse:
    """Hold or book from a selection on the calendar: times are the studio's wall clock."""

    def write() -> Booking:
        body = _json_body(request)
        rooms = Room.objects.filter(studio__in=studios_visible(request.user)).select_related(
            "studio"
        )
        room = rooms.filter(pk=_int(body.get("room"), "room")).first()
        if room is None:
            raise ValidationError({"room": "Pick a room you can see."})
        project = (
            projects_visible(request.user).filter(pk=_int(body.get("project"), "project")).first()
        )
        if project is None:
            raise ValidationError({"project": "Pick one of your projects."})
        if not has_capability(request.user, project, Capability.SCHEDULE_MANAGE):
            raise PermissionDenied("Your role on this project may not book studio time.")
        status = body.get("status") or None
        if status not in (None, Booking.Status.CONFIRMED):
            raise ValidationError({"status": "A hold or confirmed."})
        title = body.get("title") or ""
        if not isinstance(title, str) or len(title) > 200:
            raise ValidationError({"title": "Text of at most 200 characters."})
        engineer = None
        if body.get("engineer") not in (None, ""):
            engineer = (
                people_visible(request.user).filter(pk=_int(body["engineer"], "engineer")).first()
            )
            if engineer is None:
                raise ValidationError({"engineer": "Pick one of your contacts."})
        zone = _page_zone(body, room.studio.zone)
        [booking] = services.booking_create(
            by=request_user(request),
            room=room,
            project=project,
            start=_wall_clock(body.get("start"), zone, "start"),
            end=_wall_clock(body.get("end"), zone, "end"),
            status=status,
            title=title,
            engineer=engineer,
            past=body.get("past") is True,
        )
        return booking

    return _calendar_write(request, write)


@login_required
@require_POST
def calendar_booking_move(request: HttpRequest, pk: int) -> JsonResponse:
    """Move or resize by dragging: new wall-clock start and end in the booking's studio."""
    booking = get_object_or_404(
        Booking.objects.filter(project__in=projects_visible(request.user)).select_related(
            "room__studio", "project"
        ),
        pk=pk,
    )

    def write() -> Booking:
        if not has_capability(request.user, booking.project, Capability.SCHEDULE_MANAGE):
            raise PermissionDenied("Your role on this project may not move bookings.")
        body = _json_body(request)
        zone = _page_zone(body, booking.room.studio.zone)
        return services.booking_update(
            booking=booking,
            start=_wall_clock(body.get("start"), zone, "start"),
            end=_wall_clock(body.get("end"), zone, "end"),
            past=body.get("past") is True,
            # A drag is an easy slip: a confirmed day moves only once the user has said yes.
            confirm_move=body.get("confirm") is True,
        )

    return _calendar_write(request, write)


@login_required
def calendar_booking_cancel(request: HttpRequest, pk: int) -> JsonResponse:
    """GET: what cancelling would cost now ("Cancel: fee 190.00 EUR (50 % …)"), to ask with.
    POST ``{"fee": "190.00"}``: cancel (a hold: release) for the fee the user was shown;
    a fee that has changed since is a 409 naming the new one, and nothing is cancelled."""
    booking = get_object_or_404(
        Booking.objects.filter(project__in=projects_visible(request.user)).select_related(
            "room__studio", "project"
        ),
        pk=pk,
    )
    if request.method == "GET":
        terms = booking_cancellation_terms(booking=booking)
        return JsonResponse(
            {
                "fee": str(terms.fee) if terms.fee is not None else None,
                "currency": terms.currency,
                "summary": terms.summary,
                "hold": booking.is_hold,
            }
        )
    if request.method != "POST":
        return JsonResponse({"errors": {"__all__": ["GET or POST."]}}, status=405)

    def write() -> Booking:
        if not has_capability(request.user, booking.project, Capability.SCHEDULE_MANAGE):
            raise PermissionDenied("Your role on this project may not cancel bookings.")
        body = _json_body(request)
        raw = body.get("fee")
        if raw is None and not booking.is_hold:
            raise ValidationError({"fee": "Send the fee you were shown: cancelling costs money."})
        try:
            fee = Decimal(str(raw)) if raw is not None else None
        except ArithmeticError as error:
            raise ValidationError({"fee": "An amount such as 190.00."}) from error
        if fee is not None and not fee.is_finite():
            raise ValidationError({"fee": "An amount such as 190.00."})
        return services.booking_cancel(booking=booking, fee_shown=fee)

    return _calendar_write(request, write)


def _int(raw: object, field: str) -> int:
    text = str(raw)
    if isinstance(raw, bool) or not isinstance(raw, int | str) or not text.isascii():
        raise ValidationError({field: "Expected an id."})
    if not text.isdigit():  # ASCII digits only: "²" is a digit to str.isdigit, not to int()
        raise ValidationError({field: "Expected an id."})
    return int(text)
