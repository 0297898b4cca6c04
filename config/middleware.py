"""Response headers and request limits that hold for the whole site."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from config.errors import api_error, is_api_request


class PrivateCacheMiddleware:
    """``Cache-Control: private, no-store`` on every answer to a signed-in user and on every
    API answer, unless the view chose its own (the calendar feed's ``private, max-age=300``).

    Budgets, invoices and pay are in these pages: a shared proxy must never keep them, and a
    browser should not leave them on disk for the next person at the machine."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        if is_api_request(request) or (user is not None and user.is_authenticated):
            response["Cache-Control"] = "private, no-store"
        return response


class ApiBodyLimitMiddleware:
    """A JSON (or any non-multipart) API body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is a 413.

    Django applies that limit only when ``request.body`` or ``request.POST`` is read; DRF's
    parsers read the stream directly, so without this a client could make a worker buffer and
    parse any amount of JSON. Multipart bodies carry the uploads (masters up to
    RELEASES_MASTER_MAX_BYTES) and are left to Django's multipart parser, which applies the
    limit to their form fields only; that refusal becomes a 413 in ``config.errors``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if (
            limit is not None
            and is_api_request(request)
            and not (request.content_type or "").startswith("multipart/")
            and _content_length(request) > limit
        ):
            return api_error(
                f"The request body is larger than this server accepts ({limit} bytes).",
                code="request_too_large",
                status=413,
            )
        return self.get_response(request)


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
