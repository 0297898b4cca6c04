"""Who may change a studio through the API: its managers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Model
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from core.api import request_user
from studio.models import Studio

if TYPE_CHECKING:
    pass


class StudioManagerPermission(BasePermission):
    """Studios, rooms and gear are seen by their projects' members, changed by their managers."""

    message = "Only the studio's managers may change it."

    def has_object_permission(self, request: Request, view: APIView, obj: Model) -> bool:
        if request.method in SAFE_METHODS:
            return True
        studio: Studio = view.studio_of(obj)  # type: ignore[attr-defined]
        return studio.managers.filter(pk=request_user(request).pk).exists()
