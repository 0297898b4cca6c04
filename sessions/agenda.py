"""Today's sessions of the week and the payments waiting for approval (registered from
RecordingConfig.ready; see projects.agenda for why a registry)."""

from __future__ import annotations

import datetime
from typing import Any

from core.users import AnyUser
from projects.agenda import AgendaSection, day_start, register_section
from projects.permissions import Capability, projects_visible, projects_with
from sessions.models import Payment, Session
from studio.agenda import WEEK


def read_sessions(user: AnyUser, today: datetime.date, now: datetime.datetime) -> dict[str, Any]:
    """The week's sessions of the user's projects, from today on. One query."""
    since = day_start(today, now.tzinfo or datetime.UTC)
    sessions = (
        Session.objects.filter(
            project__in=projects_visible(user), end__gt=since, start__lt=since + WEEK
        )
        .exclude(status=Session.Status.CANCELLED)
        .select_related("project", "room__studio")
        .order_by("start", "pk")
    )
    return {"rows": list(sessions)}


def read_payments(user: AnyUser, today: datetime.date, now: datetime.datetime) -> dict[str, Any]:
    """Pending payments on projects where the user approves pay (budget.manage, as the
    payment pages ask). One query."""
    payments = (
        Payment.objects.filter(
            project__in=projects_with(user, Capability.BUDGET_MANAGE),
            status=Payment.Status.PENDING,
        )
        .select_related("person", "project", "engagement__session")
        .order_by("created_at", "pk")
    )
    return {"rows": list(payments)}


register_section(
    AgendaSection(
        key="sessions",
        title="Sessions this week",
        template="sessions/partials/agenda_sessions.html",
        order=12,
        read=read_sessions,
        empty="No session this week.",
        hide_empty=True,
    )
)
register_section(
    AgendaSection(
        key="payments",
        title="Payments to approve",
        template="sessions/partials/agenda_payments.html",
        order=40,
        read=read_payments,
        empty="No payment waits for approval.",
        hide_empty=True,
    )
)
