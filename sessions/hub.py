"""The project hub's schedule panel: next bookings, each with its sessions, and sessions to come
(registered from RecordingConfig.ready; see projects.hub for why a registry)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from core.users import AnyUser
from projects.hub import HubPanel, register_panel
from projects.models import Project
from projects.permissions import Capability, has_capability
from sessions.models import Session
from studio.models import Booking
from studio.selectors import live_bookings

SHOWN = 10


def schedule_panel(project: Project, user: AnyUser) -> dict[str, Any]:
    """Four queries whatever the number of rows: the bookings, their sessions, the sessions."""
    now = timezone.now()
    bookings = list(
        Booking.objects.filter(
            live_bookings(now), project=project, status__in=Booking.ACTIVE, end__gt=now
        )
        .select_related("room__studio", "engineer")
        .prefetch_related(
            Prefetch("sessions", queryset=Session.objects.order_by("start", "pk"), to_attr="shown")
        )
        .order_by("start", "pk")[:SHOWN]
    )
    rows = []
    for booking in bookings:
        zone = booking.room.studio.zone
        rows.append(
            {
                "booking": booking,
                "start": booking.start.astimezone(zone),
                "end": booking.end.astimezone(zone),
                "sessions": booking.shown,
            }
        )
    sessions = list(
        Session.objects.filter(project=project, end__gt=now)
        .exclude(status=Session.Status.CANCELLED)
        .select_related("room__studio")
        .order_by("start", "pk")[:SHOWN]
    )
    return {
        "bookings": rows,
        "sessions": sessions,
        "may_run_sessions": has_capability(user, project, Capability.SESSIONS_MANAGE),
    }


register_panel(
    HubPanel(
        key="schedule",
        title="Next bookings and sessions",
        template="sessions/partials/hub_schedule.html",
        order=10,
        read=schedule_panel,
    )
)
