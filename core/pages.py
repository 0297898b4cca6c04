"""What every app's pages share."""

from __future__ import annotations

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx sent the request (django-htmx's middleware sets ``request.htmx``): the
    page answers with the named partial it swaps, else with the whole page or a redirect."""
    return bool(getattr(request, "htmx", False))
