"""How studios join a production (``projects.hooks``): a project picks the studios it uses
from the install's directory, and its Today and its new meetings follow its first studio's
clock."""

from __future__ import annotations

import re

from core.users import AnyUser
from projects.hooks import ProjectLink, register_link, register_zones
from projects.models import Project
from studio.models import Studio
from studio.permissions import studios_visible
from studio.selectors import studio_directory


def studio_label(studio: Studio) -> str:
    """ "Sunset Sound · Los Angeles · America/Los_Angeles". The city is guessed from the address:
    its last line, or on one line "street, 20457 Hamburg, Germany" the part before the country,
    without the postcode."""
    lines = [line.strip() for line in studio.address.splitlines() if line.strip()]
    city = ""
    if lines:
        parts = [part.strip() for part in lines[-1].split(",") if part.strip()]
        city = parts[-2] if len(parts) >= 3 else parts[-1] if parts else ""
        city = re.sub(r"^[\d\s-]+(?=\D)", "", city)
    return " · ".join(part for part in (studio.name, city, studio.time_zone) if part)


def _user_zone(user: AnyUser) -> str | None:
    """The zone of the first studio the user works with (where their days are). One query."""
    return studios_visible(user).order_by("pk").values_list("time_zone", flat=True).first()


def _project_zone(project: Project) -> str | None:
    """The zone of the project's first studio, where its people mostly are. One query."""
    return project.studios.order_by("pk").values_list("time_zone", flat=True).first()


def register() -> None:
    register_link(
        ProjectLink(
            name="studios",
            choices=studio_directory,
            label=studio_label,
            help_text="Every studio of this install, with its city and time zone.",
        )
    )
    register_zones("studio.studios", user=_user_zone, project=_project_zone)
