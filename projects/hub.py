"""The project hub's panels: a registry the apps fill in.

Why a registry: the hub (``/projects/<id>/``) shows bookings and sessions, the budget headline,
open payments and invoices, and release readiness, but ``projects`` imports none of the apps
above it (docs/architecture.md, "The direction of imports"). Moving the hub's view into a top
app (budgets) would make a production's main page depend on the money app and tie the releases
panel to budgets too. Instead each app registers its own panel from its ``AppConfig.ready()``
(one import line: ``from budgets import hub``), and the hub view in ``projects.views.projects``
renders whatever is registered, in ``order``, for the roles each panel names. Each panel reads
through its own app's selectors, in a fixed number of queries whatever the number of rows (tests
pin the hub's count with 1 and 20 of everything).

A panel's ``template`` is included with the panel's context under ``panel``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.users import AnyUser
from projects.models import Project
from projects.permissions import Capability


@dataclass(frozen=True)
class HubPanel:
    key: str
    title: str
    template: str
    order: int
    # What the panel shows: called with the project and the viewing user, only for a role
    # holding ``capability``.
    read: Callable[[Project, AnyUser], dict[str, Any]]
    capability: Capability = Capability.PROJECT_VIEW


@dataclass
class RenderedPanel:
    panel: HubPanel
    context: dict[str, Any] = field(default_factory=dict)


_PANELS: dict[str, HubPanel] = {}


def register_panel(panel: HubPanel) -> None:
    """Add (or, on a second ready(), replace) a panel by its key."""
    _PANELS[panel.key] = panel


def hub_panels(
    *, project: Project, user: AnyUser, capabilities: set[Capability]
) -> list[RenderedPanel]:
    """The panels this user's role sees on ``project``, in order, each with what it read."""
    shown = sorted(
        (p for p in _PANELS.values() if p.capability in capabilities), key=lambda p: p.order
    )
    return [RenderedPanel(panel, panel.read(project, user)) for panel in shown]
