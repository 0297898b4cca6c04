"""Who may write through the API: a project's role and what it grants (projects.permissions).
Reads are scoped by each viewset's queryset; writes check the capability, 404 for a project
the caller cannot see, 403 for a role that may not."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model
from rest_framework import exceptions, serializers
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from core.users import AnyUser
from projects.models import Project
from projects.permissions import Capability, has_capability, role_on

if TYPE_CHECKING:
    pass


def require_capability(user: AnyUser, project: Project, capability: Capability) -> None:
    """Refuse a write on ``project``: 404 if the user cannot see it, 403 if the role may not.

    Used where the project comes from the request body (a create), so that naming another
    project's id reveals no more than a 404 would.
    """
    role = role_on(user, project)
    if role is None:
        raise exceptions.NotFound("No project with that id.")
    if not has_capability(user, project, capability):
        raise exceptions.PermissionDenied(
            f"Your role on this project ({role}) may not do this ({capability})."
        )


ParentT = TypeVar("ParentT", bound=Model)


def require_write_on_parent(
    serializer: serializers.BaseSerializer[Any],
    parent: ParentT,
    *,
    field: str,
    project: Project,
    capability: Capability,
    stays: str = "",
) -> ParentT:
    """Validate the parent a child row names (a take's session, a line's budget...).

    An existing child stays with its parent: naming another is refused with ``stays`` (when
    given). Then the parent's ``project`` must be one the caller sees (404) where the role may
    ``capability`` (403), as ``require_capability``."""
    instance = serializer.instance
    if stays and instance is not None and parent != getattr(instance, field):
        raise serializers.ValidationError(stays)
    require_capability(serializer.context["request"].user, project, capability)
    return parent


class ProjectRolePermission(BasePermission):
    """Reads are scoped by the view's queryset; writes need the view's capability.

    A view sets ``write_capability`` (and may map actions to others in ``action_capabilities``)
    and implements ``project_of(obj)``.
    """

    def has_object_permission(self, request: Request, view: APIView, obj: Model) -> bool:
        if request.method in SAFE_METHODS:
            return True
        capability = view.action_capabilities.get(view.action, view.write_capability)  # type: ignore[attr-defined]
        project = view.project_of(obj)  # type: ignore[attr-defined]
        if has_capability(request.user, project, capability):
            return True
        self.message = f"Your role on this project may not do this ({capability})."
        return False
