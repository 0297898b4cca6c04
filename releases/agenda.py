"""Today's failed renders: render jobs of the last 14 days that failed (registered from
ReleasesConfig.ready; see projects.agenda for why a registry)."""

from __future__ import annotations

import datetime
from typing import Any

from core.users import AnyUser
from projects.agenda import AgendaSection, register_section
from projects.permissions import projects_visible
from releases.models import RenderJob

FAILED_WITHIN = datetime.timedelta(days=14)


def read_failed_renders(
    user: AnyUser, today: datetime.date, now: datetime.datetime
) -> dict[str, Any]:
    """One query. A failed job that a later job of the same release has since fixed still
    shows: the producer sees it failed and that it was run again on the release page."""
    jobs = (
        RenderJob.objects.filter(
            release__project__in=projects_visible(user),
            status=RenderJob.Status.FAILED,
            created_at__gte=now - FAILED_WITHIN,
        )
        .select_related("release__project")
        .order_by("-created_at", "-pk")
    )
    return {"rows": list(jobs)}


register_section(
    AgendaSection(
        key="failed-renders",
        title="Failed renders",
        template="releases/partials/agenda_failed_renders.html",
        order=60,
        read=read_failed_renders,
        empty="No render failed in the last 14 days.",
        hide_empty=True,
    )
)
