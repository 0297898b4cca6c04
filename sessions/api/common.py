"""What the parts of the sessions API share: PDF responses and who sees pay."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse

from projects.permissions import projects_showing_pay


def pdf_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def money_projects(user: Any) -> set[int]:
    """Ids of the projects on which the user sees what people are paid (projects.permissions.
    sees_pay), as a set for checking many rows against."""
    return set(projects_showing_pay(user).values_list("pk", flat=True))
