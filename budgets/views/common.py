"""What the money pages share: who may see and write, and how a sum is said."""

from __future__ import annotations

from decimal import Decimal
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from projects.models import Project
from projects.permissions import Capability, has_capability, projects_visible, projects_with

CHART_WIDTH = 520  # px of the longest bar


def money_projects(request: HttpRequest) -> QuerySet[Project]:
    return projects_with(request.user, Capability.BUDGET_VIEW)


def grouped(amount: Decimal) -> str:
    """2340.00 as 2,340.00: how a confirmation says a sum."""
    return f"{amount:,}"


M = TypeVar("M", bound=Model)


def object_for_write(
    request: HttpRequest, queryset: QuerySet[M], pk: int, project_path: str, capability: Capability
) -> M:
    """The object a write names: a 404 unless the user is on its project, a 403 unless their
    role there may ``capability``."""
    obj = get_object_or_404(
        queryset.filter(**{f"{project_path}__in": projects_visible(request.user)}), pk=pk
    )
    project = obj
    for name in project_path.split("__"):
        project = getattr(project, name)
    if not has_capability(request.user, project, capability):  # type: ignore[arg-type]
        raise PermissionDenied("Your role on this project may not do this.")
    return obj
