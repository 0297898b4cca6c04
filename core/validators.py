"""Text that may be stored: no control characters.

XML 1.0 (the DDEX message), audio tags, PDFs and calendar feeds cannot carry C0 controls
(NUL, BEL, ESC...), DEL or the C1 controls (U+0080-U+009F, NEL among them), and PostgreSQL
refuses NUL outright. Nobody types them on purpose: they come from pasted terminal output or
from an attack on whatever reads the text later. One validator refuses them for every text
field of every app:

- every CharField and TextField of our models gets it (`guard_model_text_fields`, run once the
  models are loaded), so `full_clean()`, ModelForms, the admin and DRF's ModelSerializers
  (which copy a model field's validators) all refuse them, each naming the field;
- the text fields DRF serializers declare by hand get it too (`guard_serializer_text_fields`);
- plain Django forms use `TextGuardFormMixin`.
"""

from __future__ import annotations

import re
import zoneinfo
from functools import cache
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible

# C0 controls, DEL and C1 controls. Tab, newline and carriage return are the only ones a
# person types, and only in multi-line text.
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINE_BREAKS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

MESSAGE = "Remove the control characters from this text (such as {found})."


def control_characters(value: str, *, multiline: bool = False) -> list[str]:
    """The control characters in the text, as U+XXXX, each once in order of appearance."""
    pattern = _CONTROL_BUT_LINE_BREAKS if multiline else _ANY_CONTROL
    return list(dict.fromkeys(f"U+{ord(c):04X}" for c in pattern.findall(value)))


@deconstructible
class NoControlCharacters:
    """Refuses text with control characters; `multiline` text may keep tabs and line breaks."""

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        if not isinstance(value, str):
            return
        found = control_characters(value, multiline=self.multiline)
        if found:
            raise ValidationError(
                MESSAGE.format(found=", ".join(found[:3])),
                code="control_characters",
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoControlCharacters) and other.multiline == self.multiline

    def __hash__(self) -> int:
        return hash(("NoControlCharacters", self.multiline))


# A single-line field (CharField) takes no control character at all.
no_control_characters = NoControlCharacters()
# Multi-line text (TextField, a textarea) may keep tabs and line breaks.
no_control_characters_multiline = NoControlCharacters(multiline=True)


def validator_for(field: models.Field[Any, Any] | forms.Field) -> NoControlCharacters:
    multiline = isinstance(field, models.TextField) or isinstance(
        getattr(field, "widget", None), forms.Textarea
    )
    return no_control_characters_multiline if multiline else no_control_characters


def guard_model_text_fields(models_: Any) -> None:
    """Give every CharField and TextField of these models the validator.

    Appended to the field's `validators` list (as Django's CharField appends its
    MaxLengthValidator), not passed as a field argument: migrations stay as they are."""
    for model in models_:
        for field in model._meta.get_fields():
            if isinstance(field, models.CharField | models.TextField):
                validator = validator_for(field)
                if validator not in field.validators:
                    field.validators.append(validator)


class _SerializerText:
    """For serializer fields declared by hand: the model field behind them says whether line
    breaks are allowed (and refuses them on `full_clean()`), so here only the controls no text
    ever carries are refused."""

    def __call__(self, value: Any) -> None:
        no_control_characters_multiline(value)


def guard_serializer_text_fields() -> None:
    """Every DRF CharField (and its subclasses) declared without its own validators refuses
    control characters; ModelSerializer's fields carry the model field's validators instead."""
    from rest_framework import fields

    defaults: list[Any] = list(getattr(fields.CharField, "default_validators", []))
    if not any(isinstance(v, _SerializerText) for v in defaults):
        fields.CharField.default_validators = [*defaults, _SerializerText()]  # type: ignore[misc]


class TextGuardFormMixin:
    """For Django forms: every text field refuses control characters (a textarea may keep tabs
    and line breaks), the error beside the field."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                validator = validator_for(field)
                if validator not in field.validators:
                    field.validators.append(validator)


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in _zone_names():
        raise ValidationError(
            "%(value)s is not an IANA time zone (for example Europe/Berlin).",
            code="invalid_time_zone",
            params={"value": value},
        )
