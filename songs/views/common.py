"""What the songs' pages share: finding the project (404 for an outsider), refusing a role
that may not change songs (403), and telling htmx from a plain post."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from projects.models import Project
from projects.permissions import Capability, has_capability, projects_visible


def visible_project(request: HttpRequest, project_id: int) -> Project:
    return get_object_or_404(projects_visible(request.user), pk=project_id)


def managed_project(request: HttpRequest, project_id: int) -> Project:
    project = visible_project(request, project_id)
    if not has_capability(request.user, project, Capability.SONGS_MANAGE):
        raise PermissionDenied("Your role on this project may not change its songs.")
    return project


def may_manage(request: HttpRequest, project: Project) -> bool:
    return has_capability(request.user, project, Capability.SONGS_MANAGE)
