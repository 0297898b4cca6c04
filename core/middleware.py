"""Page-side answers to what the API's exception handler maps (core.api)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from core.errors import Unavailable, as_unavailable

logger = logging.getLogger(__name__)


class UnavailableMiddleware:
    """A page whose tool, schema or stored file is missing answers 503 saying what to fix,
    not Django's bare "Server Error (500)"."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        missing = as_unavailable(exception)
        if missing is None:
            return None
        return unavailable_page(request, missing)


def unavailable_page(request: HttpRequest, missing: Unavailable) -> HttpResponse:
    """The 503 page; it reads nothing from the database, which may be what is missing."""
    logger.error("503 on %s: %s", request.path, missing.detail)
    body = render_to_string("503.html", {"detail": missing.detail})
    response = HttpResponse(body, status=503)
    if missing.retry_after:
        response["Retry-After"] = str(missing.retry_after)
    return response
