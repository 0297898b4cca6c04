"""Links between studio days and their sessions, for pages studio renders (Today's studio
days): studio imports none of the apps above it, so the sessions side is read here, in
two queries whatever the number of rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django import template

from projects.permissions import Capability, projects_with
from sessions.models import Session
from studio.models import Booking

register = template.Library()


@dataclass
class SessionLinks:
    """The session of each booking (its first that is not cancelled) and the projects whose
    sessions the user runs."""

    sessions: dict[int, int] = field(default_factory=dict)
    runs: set[int] = field(default_factory=set)


@register.simple_tag(takes_context=True)
def session_links(context: dict[str, Any], days: Iterable[Any]) -> SessionLinks:
    """For the dashboard's days: ``[(day, [(start, end, booking), ...]), ...]``."""
    bookings: list[Booking] = [row[2] for _, rows in days for row in rows]
    if not bookings:
        return SessionLinks()
    links = SessionLinks()
    rows = (
        Session.objects.filter(booking__in=[b.pk for b in bookings])
        .exclude(status=Session.Status.CANCELLED)
        .order_by("-pk")
        .values_list("booking_id", "pk")
    )
    links.sessions = {booking_id: pk for booking_id, pk in rows}  # the first one wins
    user = context["request"].user
    links.runs = set(
        projects_with(user, Capability.SESSIONS_MANAGE)
        .filter(pk__in={b.project_id for b in bookings})
        .values_list("pk", flat=True)
    )
    return links


@register.filter
def session_of(links: SessionLinks, booking: Booking) -> int | None:
    return links.sessions.get(booking.pk)


@register.filter
def may_start(links: SessionLinks, booking: Booking) -> bool:
    return booking.project_id in links.runs and booking.pk not in links.sessions
