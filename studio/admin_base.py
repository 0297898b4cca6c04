"""What every app's admin shares: deleting through the model's service."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from studio.errors import Conflict


def _refusal(error: ValidationError | Conflict) -> str:
    return error.detail if isinstance(error, Conflict) else " ".join(error.messages)


class ServiceDeleteAdmin(admin.ModelAdmin):
    """Deletes go through ``delete_with_service``, the same service as the API's and the
    pages', so the admin keeps their rules (what may go, what goes with it, files removed
    after the commit). A refusal is shown as an error message and nothing is deleted: the
    confirmation page's deletion and the "delete selected" action each run in one
    transaction, their log entries included."""

    def delete_with_service(self, request: HttpRequest, obj: Any) -> None:
        raise NotImplementedError

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete_with_service(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # One transaction: a refused row undoes the rows deleted before it.
        with transaction.atomic():
            for obj in queryset:
                self.delete_with_service(request, obj)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Django runs a POST here in a transaction: the refusal leaves it, rolled back.
        try:
            return super().delete_view(request, object_id, extra_context)
        except (ValidationError, Conflict) as error:
            self.message_user(request, _refusal(error), messages.ERROR)
            name = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
            return HttpResponseRedirect(reverse(name, args=[quote(object_id)]))

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method != "POST":
            return super().changelist_view(request, extra_context)
        # "Delete selected" logs the deletions before it deletes: one transaction for both,
        # so a refusal leaves no entry saying rows went that are still there.
        try:
            with transaction.atomic():
                return super().changelist_view(request, extra_context)
        except (ValidationError, Conflict) as error:
            self.message_user(request, _refusal(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
