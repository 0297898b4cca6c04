"""What every app's pages share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx sent the request (django-htmx's middleware sets ``request.htmx``): the
    page answers with the named partial it swaps, else with the whole page or a redirect."""
    return bool(getattr(request, "htmx", False))


def form_refusal(
    form: forms.BaseForm, error: ValidationError, *, aliases: dict[str, str] | None = None
) -> None:
    """A service's refusal beside the field it names (``aliases`` maps a service's name to
    the form's), or above the form when it names none the form has."""
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        field = aliases.get(name, name)
        form.add_error(field if field in form.fields else None, errors)
