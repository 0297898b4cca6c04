"""What the apps above projects add to a production: the things it is linked to (the studios
it uses), what a new project starts with (its parts), what a deleted one takes along, and
whose clock a user's Today and a new meeting follow.

Why a registry: studios, songs and what hangs off them stand above ``projects``, which
imports none of them (docs/architecture.md). Each app registers its part from its
``AppConfig.ready()``, as the hub's panels do (projects/hub.py).

- A *link* is a many-to-many another app declares to ``Project`` with ``related_name`` set
  to the link's name (``Studio.projects``, read as ``project.studios``). The project form, the
  API's project and ``project_create`` / ``project_update`` offer and set it; ``choices()``
  gives what may be picked, ``label(row)`` how a choice reads on the form.
- A *start watcher* runs inside ``project_create``'s transaction once the project exists.
- A *leaving watcher* runs inside ``project_delete``'s transaction before the rows go.
- A *zone finder* answers the IANA zone a user's or a project's day is read in, or None.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet

    from core.users import AnyUser
    from projects.models import Project


@dataclass(frozen=True)
class ProjectLink:
    name: str
    choices: Callable[[], QuerySet[Any]]
    label: Callable[[Any], str]
    help_text: str = ""


ProjectWatcher = Callable[["Project"], None]
UserZone = Callable[["AnyUser"], "str | None"]
ProjectZone = Callable[["Project"], "str | None"]

_LINKS: dict[str, ProjectLink] = {}
_START_WATCHERS: dict[str, ProjectWatcher] = {}
_LEAVING_WATCHERS: dict[str, ProjectWatcher] = {}
_USER_ZONES: dict[str, UserZone] = {}
_PROJECT_ZONES: dict[str, ProjectZone] = {}


def register_link(link: ProjectLink) -> None:
    """Add (or, on a second ready(), replace) a link by its name."""
    _LINKS[link.name] = link


def register_start_watcher(key: str, watcher: ProjectWatcher) -> None:
    _START_WATCHERS[key] = watcher


def register_leaving_watcher(key: str, watcher: ProjectWatcher) -> None:
    _LEAVING_WATCHERS[key] = watcher


def register_zones(key: str, *, user: UserZone, project: ProjectZone) -> None:
    _USER_ZONES[key] = user
    _PROJECT_ZONES[key] = project


def links() -> list[ProjectLink]:
    return list(_LINKS.values())


def links_set(project: Project, chosen: dict[str, list[Model]]) -> None:
    """Set each link named in ``chosen`` to its rows; links not named stay as they are."""
    for name, rows in chosen.items():
        if name in _LINKS:
            getattr(project, name).set(rows)


def project_started(project: Project) -> None:
    for watcher in _START_WATCHERS.values():
        watcher(project)


def project_leaving(project: Project) -> None:
    for watcher in _LEAVING_WATCHERS.values():
        watcher(project)


def _first(answers: Any) -> str | None:
    return next((name for name in answers if name), None)


def user_zone_name(user: AnyUser) -> str | None:
    """The zone of the first place the user works (their first studio's), or None."""
    return _first(find(user) for find in _USER_ZONES.values())


def user_zone(user: AnyUser) -> zoneinfo.ZoneInfo:
    """Whose "today": users have no zone of their own, so the zone a finder gives, else the
    site's."""
    return zoneinfo.ZoneInfo(user_zone_name(user) or settings.TIME_ZONE)


def project_zone_name(project: Project) -> str | None:
    """The zone of the project's first place (its first studio's), or None."""
    return _first(find(project) for find in _PROJECT_ZONES.values())
