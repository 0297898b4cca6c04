"""Today, the day agenda: a registry of sections the apps fill in.

Why a registry: Today shows meetings (projects), studio days and holds (studio), song deadlines
and notes waiting for an answer (songs), payments to approve (sessions), overdue invoices
(budgets) and failed renders (releases). ``projects`` imports none of the apps above it
(docs/architecture.md, "The direction of imports"), so, as with the hub's panels
(``projects.hub``), each app registers its sections from its ``AppConfig.ready()`` (one import
line: ``from budgets import agenda``) and the agenda view in ``projects.views.agenda`` renders
whatever is registered, in ``order``.

A section's ``read(user, today, now)`` returns the context its template needs; ``today`` is the
date in the user's zone (the agenda starts from today, not tomorrow) and ``now`` the instant of
the request, so a section never reads the clock on its own and tests can pin both. Each section
reads in a fixed number of queries whatever the number of rows (the agenda's test pins the
whole page's count with 1 and 50 songs).

A section's ``template`` is included with the section's context under ``section`` (and the
section itself under ``section.section``). ``count`` names the context key holding the rows the
section is about: when it is empty the section says ``empty`` (or hides if ``hide_empty``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sized
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from core.users import AnyUser
from projects.hub import HubPanel, register_panel
from projects.models import Meeting, Membership, Project
from projects.permissions import Capability, projects_visible, roles_with


@dataclass(frozen=True)
class AgendaSection:
    key: str
    title: str
    template: str
    order: int
    # What the section shows for ``user`` on ``today`` (their local date) at ``now``.
    read: Callable[[AnyUser, datetime.date, datetime.datetime], dict[str, Any]]
    # The context key of the rows; an empty sequence there makes the section "empty".
    count: str = "rows"
    empty: str = "Nothing here."
    hide_empty: bool = False


@dataclass
class RenderedSection:
    section: AgendaSection
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        rows = self.context.get(self.section.count)
        return not rows or (isinstance(rows, Sized) and len(rows) == 0)

    @property
    def shown(self) -> bool:
        return not (self.is_empty and self.section.hide_empty)


_SECTIONS: dict[str, AgendaSection] = {}


def register_section(section: AgendaSection) -> None:
    """Add (or, on a second ready(), replace) a section by its key."""
    _SECTIONS[section.key] = section


def agenda_sections(
    *,
    user: AnyUser,
    today: datetime.date,
    now: datetime.datetime,
    keys: set[str] | None = None,
    keep_empty: bool = False,
) -> list[RenderedSection]:
    """The registered sections in order, each with what it read for ``user``.

    ``keys`` limits the reading to some sections (an htmx swap of one section reads only it);
    ``keep_empty`` keeps sections that would hide when empty (a swapped section must come
    back, saying it is now empty, or the page would keep the old one)."""
    shown = sorted(
        (s for s in _SECTIONS.values() if keys is None or s.key in keys), key=lambda s: s.order
    )
    rendered = [RenderedSection(s, s.read(user, today, now)) for s in shown]
    return [r for r in rendered if keep_empty or r.shown]


def agenda_section(key: str) -> AgendaSection | None:
    return _SECTIONS.get(key)


# --- what the apps' sections share --------------------------------------------------------

WEEK = datetime.timedelta(days=7)


def day_start(day: datetime.date, zone: datetime.tzinfo) -> datetime.datetime:
    """Midnight of ``day`` in ``zone``, as an aware instant."""
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)


def may(user: AnyUser, capability: Capability) -> Exists:
    """Per row: whether the user's role on the row's project grants ``capability``."""
    return Exists(
        Membership.objects.filter(
            project=OuterRef("project_id"), user=user.pk, role__in=roles_with(capability)
        )
    )


# --- meetings: Today's section and the hub's panel --------------------------------------------


def meetings_for(
    *, user: AnyUser, since: datetime.datetime, until: datetime.datetime
) -> QuerySet[Meeting]:
    """Meetings in [since, until) on the user's projects, or that invite them (their person)."""
    invited = Meeting.objects.filter(people__user=user.pk).values("pk")
    return (
        Meeting.objects.filter(
            Q(project__in=projects_visible(user)) | Q(pk__in=invited),
            end__gt=since,
            start__lt=until,
        )
        .select_related("project")
        .prefetch_related("people")
        .order_by("start", "pk")
    )


def read_meetings(user: AnyUser, today: datetime.date, now: datetime.datetime) -> dict[str, Any]:
    """Two queries: the meetings and their people."""
    since = day_start(today, now.tzinfo or datetime.UTC)
    return {"rows": list(meetings_for(user=user, since=since, until=since + WEEK))}


HUB_SHOWN = 5


def meetings_panel(project: Project, user: AnyUser) -> dict[str, Any]:
    """The project's next meetings, in one query (and one for their people when there are
    any). Changing them is on the meetings page, which asks the role."""
    now = timezone.now()
    meetings = list(
        Meeting.objects.filter(project=project, end__gt=now, cancelled_at__isnull=True)
        .prefetch_related("people")
        .order_by("start", "pk")[:HUB_SHOWN]
    )
    return {"meetings": meetings}


register_section(
    AgendaSection(
        key="meetings",
        title="Meetings this week",
        template="projects/partials/agenda_meetings.html",
        order=20,
        read=read_meetings,
        empty="No meetings this week.",
    )
)


register_panel(
    HubPanel(
        key="meetings",
        title="Meetings",
        template="projects/partials/hub_meetings.html",
        order=15,
        read=meetings_panel,
    )
)
