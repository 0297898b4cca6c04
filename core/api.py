"""What every API module shares: pagination, error mapping, project-scoped permissions."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import Conflict, as_unavailable
from core.filters import aware_instant
from core.users import AnyUser

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This collides with an existing record."
    default_code = "conflict"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus the domain's errors: rule violations are 400s, collisions 409s."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    elif isinstance(exc, Conflict):
        exc = ConflictError(detail=exc.detail, code=exc.code)
    # ProtectedError is an IntegrityError: ask about it first.
    elif isinstance(exc, ProtectedError):
        names = ", ".join(sorted({str(obj) for obj in exc.protected_objects})[:5])
        exc = ConflictError(detail=f"Still in use by: {names}.", code="protected")
    elif isinstance(exc, IntegrityError):
        # The serializers check every constraint first; reaching here means a concurrent write
        # won the race. Say so rather than answer 500.
        logger.warning("IntegrityError answered as 409: %s", exc)
        exc = ConflictError(
            detail="This collides with a change made at the same time; reload and retry.",
            code="integrity",
        )
    elif (missing := as_unavailable(exc)) is not None:
        logger.error("503: %s", missing.detail, exc_info=exc)
        unavailable = Response(
            {"detail": missing.detail, "code": "unavailable"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
        if missing.retry_after:
            unavailable["Retry-After"] = str(missing.retry_after)
        return unavailable
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        # A ValidationError raised outside a serializer (DRF's search filter checking its
        # term, a view's own check) is a bare list: every 400 is an object, as documented.
        response.data = {api_settings.NON_FIELD_ERRORS_KEY: response.data}
    return response


# The answers every operation may give besides its own, documented once here rather than on
# every view (the schema must list each status the API answers, or clients and schemathesis
# treat it as a surprise). The bodies are the exception handler's above and config/errors.py's.
ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "Messages per field (a list; nested fields nest), `non_field_errors` for the whole "
        "object, or `detail` for a body or parameter that does not parse."
    ),
    "additionalProperties": {
        "anyOf": [{"type": "array", "items": {}}, {"type": "object"}, {"type": "string"}]
    },
}
ERROR_RESPONSES = {
    "401": "Not signed in, or the token is unknown.",
    "403": "Your role on this project may not do this.",
    # Also another project's object, a page past the last, and an address with no resource.
    "404": "No such object among your projects.",
    "429": "Too many requests: retry after the `Retry-After` header's seconds.",
    "503": "A service this needs (database, broker, ffmpeg, a stored file) is missing.",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def refused(description: str) -> OpenApiResponse:
    """The 400 of an operation that reads no input but refuses an object not ready for it
    (the hook adds 400 only where a body or query is read)."""
    return OpenApiResponse(
        response={"$ref": "#/components/schemas/ValidationError"}, description=description
    )


def schema_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: add the shared error answers to every operation.

    400 where a body or query parameters are read, 409 on writes (a collision or a row still
    in use), 415 where a body is read, the rest everywhere; an operation's own declaration of
    a status wins."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    schemas["ValidationError"] = VALIDATION_ERROR_SCHEMA

    def answer(description: str, component: str) -> dict[str, Any]:
        ref = {"$ref": f"#/components/schemas/{component}"}
        return {"description": description, "content": {"application/json": {"schema": ref}}}

    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in WRITE_METHODS | {"get"}:
                continue
            responses = operation.setdefault("responses", {})
            reads_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
            if method in WRITE_METHODS or reads_query:
                responses.setdefault("400", answer("Invalid input.", "ValidationError"))
            if method in WRITE_METHODS:
                conflict = "Collides with existing data, or the object is still in use."
                responses.setdefault("409", answer(conflict, "Error"))
            if "requestBody" in operation:
                unparsed = "The body's Content-Type is not one this operation reads."
                responses.setdefault("415", answer(unparsed, "Error"))
            for status_code, description in ERROR_RESPONSES.items():
                responses.setdefault(status_code, answer(description, "Error"))
    return result


class ScopedFileField(serializers.FileField):
    """A stored file shown as the URL of the view that serves it after checking who asks.

    Media are private (no /media/ URL works), so a file's own `url` is useless to a client:
    this names `view_name`, reversed with the owning object's `lookup` attribute as `pk`.
    Writes are a plain FileField's."""

    def __init__(self, *, view_name: str, lookup: str = "pk", **kwargs: Any) -> None:
        self.view_name, self.lookup = view_name, lookup
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str | None:
        if not value:
            return None
        url = reverse(self.view_name, kwargs={"pk": getattr(value.instance, self.lookup)})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


UserScope = Callable[[AnyUser], "QuerySet[Any]"]


class ScopedRelatedFieldMixin:
    """A related field that accepts only what the request's user may see.

    ``scope(user)`` gives the rows the caller may name; another project's row reads as "does
    not exist", as if it were not there. Without a request (a serializer used outside a view)
    the field's own ``queryset`` stands. Declared with ``scope=`` or, on a ModelSerializer
    with ``serializer_related_field`` set to one of these, through ``Meta.extra_kwargs`` (so
    the model still gives the field its label, help text and nullability)."""

    context: dict[str, Any]

    def __init__(self, *, scope: UserScope | None = None, **kwargs: Any) -> None:
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        request = self.context.get("request")
        if self.scope is not None and request is not None:
            return self.scope(request.user)
        return super().get_queryset()  # type: ignore[misc]


class ScopedPrimaryKeyRelatedField(ScopedRelatedFieldMixin, serializers.PrimaryKeyRelatedField):
    """A primary key among the rows ``scope(user)`` gives."""


class ScopedSlugRelatedField(ScopedRelatedFieldMixin, serializers.SlugRelatedField):
    """A slug among the rows ``scope(user)`` gives."""


def request_user(request: Request | HttpRequest) -> User:
    """The caller of a view that requires login (IsAuthenticated / login_required)."""
    return cast("User", request.user)


# A stored audio file as FileResponse types it, from its extension (audio/flac, audio/mpeg,
# audio/x-wav...); an extension Python does not know goes out as application/octet-stream.
AUDIO_FILE = {
    (200, "audio/*"): OpenApiTypes.BINARY,
    (200, "application/octet-stream"): OpenApiTypes.BINARY,
}


class AwareDateTimeField(serializers.DateTimeField):
    """An instant: a time without a UTC offset is refused, never guessed."""

    def enforce_timezone(self, value: datetime.datetime) -> datetime.datetime:
        try:
            return aware_instant(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from error
