"""What every app's admin shares: deleting and saving through the model's service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.forms import BaseModelFormSet, ModelForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from core.errors import Conflict


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


# Where a save's refusal waits on its request for the form shown again (see ServiceSaveAdmin).
_REFUSAL = "_service_save_refusal"


def _as_validation_error(error: ValidationError | Conflict) -> ValidationError:
    return ValidationError(error.detail) if isinstance(error, Conflict) else error


def copy_saved(obj: Model, saved: Model) -> None:
    """Make the admin's instance the row the service saved: the admin logs it and redirects to
    it after ``save_model``."""
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False


def saved_through(
    formset: BaseModelFormSet, save: Callable[[Any, ModelForm], Model | None]
) -> None:
    """Save an inline's changed rows with ``save(row, form)`` (row None for a new one), the
    service, instead of ``formset.save()``; and note them as ``formset.save()`` does, for the
    admin's change message."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for form in formset.forms:
        if not form.has_changed():
            continue
        row = form.instance if form.instance.pk else None
        saved = save(row, form)
        if row is None:
            formset.new_objects.append(saved)
        else:
            formset.changed_objects.append((saved, form.changed_data))


class ServiceFormAdmin(ServiceDeleteAdmin):
    """An admin whose saves (``save_model``, or an inline's rows in ``save_formset``) call
    services. A service's refusal undoes the whole save (Django runs it in one transaction)
    and the page comes back as typed, with the service's messages beside their fields (or
    above the form), nothing saved."""

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        refusal: ValidationError | None = getattr(request, _REFUSAL, None)
        if refusal is None:
            return form
        error: ValidationError = refusal

        class Refused(form):  # type: ignore[valid-type,misc]
            def clean(self) -> Any:
                cleaned = super().clean()
                messages = error.message_dict if hasattr(error, "error_dict") else {}
                for field, texts in messages.items():
                    self.add_error(field if field in self.fields else None, texts)
                if not messages:
                    self.add_error(None, error)
                return cleaned

        return Refused

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        try:
            # Django saves in one transaction: a refusal leaves it rolled back.
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ValidationError, Conflict) as error:
            # The same POST once more, its form refused with the service's words: shown
            # again as typed, with the errors, and not saved.
            setattr(request, _REFUSAL, _as_validation_error(error))
            return super().changeform_view(request, object_id, form_url, extra_context)


class ServiceSaveAdmin(ServiceFormAdmin):
    """Adds and edits go through ``save_with_service``, the service the API and the pages use,
    so the admin keeps their rules and what they compute (fees, payments, invoices)."""

    def save_with_service(
        self, request: HttpRequest, obj: Any, form: ModelForm, change: bool
    ) -> Model:
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        copy_saved(obj, self.save_with_service(request, obj, form, change))


class StoredFilesAdmin(admin.ModelAdmin):
    """Media are private: a kept file is shown as a link to this admin's own view of it (which
    asks the admin's view permission), never as its /media/ URL, which answers 404. Files change
    only through the services that check them, so they are not form fields here."""

    file_fields: tuple[str, ...] = ()

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*(super().get_exclude(request, obj) or []), *self.file_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), "files"]

    def get_urls(self) -> list[URLPattern]:
        name = f"{self.opts.app_label}_{self.opts.model_name}_file"
        view = self.admin_site.admin_view(self.file_view)
        return [path("<path:object_id>/file/<str:field>/", view, name=name), *super().get_urls()]

    def file_view(self, request: HttpRequest, object_id: str, field: str) -> FileResponse:
        obj = self.get_object(request, object_id)
        if obj is None or field not in self.file_fields:
            raise Http404("No such file.")
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        stored = getattr(obj, field)
        if not stored:
            raise Http404("No such file.")
        return FileResponse(
            stored.open("rb"), as_attachment=True, filename=stored.name.rsplit("/", 1)[-1]
        )

    @admin.display(description="Files")
    def files(self, obj: Model) -> str:
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_file"
        links = [
            (reverse(name, args=[obj.pk, field]), getattr(obj, field).name.rsplit("/", 1)[-1])
            for field in self.file_fields
            if obj.pk and getattr(obj, field)
        ]
        return format_html_join(mark_safe("<br>"), '<a href="{}">{}</a>', links) or "—"
