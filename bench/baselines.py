"""Baselines: the least Django can do for the same answer, to measure our overhead against."""

from django.http import HttpRequest, JsonResponse
from rest_framework.authtoken.models import Token

from projects.permissions import projects_visible

PROJECT_FIELDS = [
    "id",
    "title",
    "artist",
    "client",
    "currency",
    "status",
    "start_date",
    "due_date",
    "notes",
    "created_at",
    "updated_at",
]


def bare_projects(request: HttpRequest) -> JsonResponse:
    """The first 100 of the caller's projects as JSON: same auth, same rows, no DRF."""
    key = request.headers.get("Authorization", "").removeprefix("Token ")
    token = Token.objects.select_related("user").get(key=key)
    rows = projects_visible(token.user).order_by("-created_at", "-id").values(*PROJECT_FIELDS)[:100]
    return JsonResponse({"results": list(rows)})
