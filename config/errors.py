"""Error answers: JSON under /api/ (scripts parse them), a page saying why everywhere else.

DRF already answers its own views' errors in JSON (core.api.exception_handler); these
handlers cover what happens outside them: an address no route matches, an exception DRF passes
on (a 500), a body too large, a refused CSRF token.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader

from core.errors import as_unavailable
from core.middleware import unavailable_page


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def api_error(detail: str, *, code: str, status: int) -> JsonResponse:
    """The shape DRF gives its own errors, with a code a script can branch on."""
    return JsonResponse({"detail": detail, "code": code}, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400, or 413 when the refusal was a body over DATA_UPLOAD_MAX_MEMORY_SIZE."""
    too_large = isinstance(exception, RequestDataTooBig)
    status = 413 if too_large else 400
    if is_api_request(request):
        if too_large:
            return api_error(
                "The request's form fields are larger than this server accepts.",
                code="request_too_large",
                status=status,
            )
        return api_error("The request could not be read.", code="bad_request", status=status)
    return render(request, "400.html", {"too_large": too_large}, status=status)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    reason = str(exception) if exception.args else ""
    if is_api_request(request):
        detail = reason or "You do not have permission to perform this action."
        return api_error(detail, code="permission_denied", status=403)
    return render(request, "403.html", {"reason": reason}, status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return api_error("No API resource at this address.", code="not_found", status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """No context and no base template: whatever failed (the database, a template tag) must
    not fail again while the error is being reported. An error that stands for a 503 (the
    database not answering, a missing file or tool) raised where neither DRF's handler nor
    the page middleware sees it (in a middleware, say) still answers 503."""
    missing = as_unavailable(sys.exc_info()[1] or Exception())
    if missing is not None:
        if not is_api_request(request):
            return unavailable_page(request, missing)
        response = api_error(missing.detail, code="unavailable", status=503)
        if missing.retry_after:
            response["Retry-After"] = str(missing.retry_after)
        return response
    if is_api_request(request):
        return api_error(
            "The server failed to answer this request; the error is logged.",
            code="server_error",
            status=500,
        )
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's own CSRF page carries an inline stylesheet the Content-Security-Policy blocks;
    say the likely cause in the site's own page instead."""
    return render(
        request,
        "403.html",
        {
            "reason": "The form's security token was missing or out of date (the page may have "
            "been open for a long time, or cookies are blocked). Reload the page and try again."
        },
        status=403,
    )


def login_unless_docs_public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The API's schema and Swagger UI list every endpoint and field: signed-in users only,
    unless ``API_DOCS_PUBLIC`` opens them. A browser is sent to the login page; a script
    asking for the schema gets DRF's 401 from the schema view's own permission."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.API_DOCS_PUBLIC and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped
