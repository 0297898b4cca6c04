"""What the parts of the sessions API share: PDF responses and who sees pay."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse

from studio.permissions import Capability, projects_with


def pdf_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def money_projects(user: Any) -> set[int]:
    """Projects on which the user may see what people are paid: money is need-to-know
    (studio/permissions.py), so running a session does not show its pay."""
    return set(projects_with(user, Capability.BUDGET_VIEW).values_list("pk", flat=True))
