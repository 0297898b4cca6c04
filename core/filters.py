"""Filters every API list shares: ids that reveal nothing, and times with their offset.

Outside the apps' ``api`` modules on purpose: REST_FRAMEWORK's DEFAULT_FILTER_BACKENDS names
the backend here, and DRF imports it while its own views module loads, before an ``api``
module (which imports the views) could be.

django-filter's default for a relation (``?project=5``) is a ModelChoiceFilter that checks the
id against every row of the table: another tenant's project is a valid choice (an empty list)
while a missing one is a 400, so an outsider could tell which ids exist. Here a relation is
filtered by its id as a plain number: the list is already scoped to what the caller may see, so
a foreign id and a missing id both give the same empty list.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db import models
from django.utils.dateparse import parse_datetime
from django_filters import rest_framework as filters
from rest_framework import filters as drf_filters
from rest_framework.exceptions import ValidationError

from core.intervals import OFFSET_NEEDED

# Instants the calendar takes: wide enough for any archive or plan, narrow enough that a
# studio's zone (or a week of a series) never carries one past year 1 or 9999, where Python's
# datetime overflows.
EARLIEST = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(3000, 1, 1, tzinfo=datetime.UTC)
# PostgreSQL takes UTC offsets up to 15:59 either way; no zone on Earth is past ±14:00.
LARGEST_OFFSET = datetime.timedelta(hours=15, minutes=59)


def aware_instant(value: datetime.datetime) -> datetime.datetime:
    """``value`` in UTC; ValueError with a message for the client when it is naive, has an
    offset no zone has, or lies outside the years the calendar takes."""
    offset = value.utcoffset() if value.tzinfo is not None else None
    if offset is None:
        raise ValueError(OFFSET_NEEDED)
    if abs(offset) > LARGEST_OFFSET:
        raise ValueError("A UTC offset lies between -15:59 and +15:59.")
    try:
        instant = value.astimezone(datetime.UTC)
    except OverflowError:
        instant = None
    if instant is None or not EARLIEST <= instant < LATEST:
        raise ValueError(f"Give a time between {EARLIEST.year} and {LATEST.year - 1}.")
    return instant


# The largest value a bigint primary key holds: past it the database errs instead of matching
# nothing, so such a number is refused as a 400, the same for everybody.
LARGEST_ID = 2**63 - 1


class IdFilter(filters.Filter):
    """A related object by its id, never checked against the table (see the module's doc)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", LARGEST_ID)
        super().__init__(*args, **kwargs)


def _id_filter(field: models.Field[Any, Any]) -> dict[str, Any]:
    return {}


_RELATIONS = (
    models.ForeignKey,
    models.OneToOneField,
    models.ManyToManyField,
    models.ManyToOneRel,
    models.OneToOneRel,
    models.ManyToManyRel,
)


class ScopedFilterSet(filters.FilterSet):
    """The base of every API filter set: relations filter by id (see the module's doc)."""

    FILTER_DEFAULTS = {
        **filters.FilterSet.FILTER_DEFAULTS,
        **{relation: {"filter_class": IdFilter, "extra": _id_filter} for relation in _RELATIONS},
    }


class FilterBackend(filters.DjangoFilterBackend):
    """DjangoFilterBackend building ``filterset_fields`` on ScopedFilterSet, so that every
    app's lists get the same answer for a foreign id and a missing one."""

    filterset_base = ScopedFilterSet


class AwareIsoDateTimeField(forms.Field):
    """The filter's form field: ISO 8601 with its offset, as the README promises. django-filter's
    own IsoDateTimeField reads a naive time in the server's zone; here it is a 400."""

    def to_python(self, value: object) -> datetime.datetime | None:
        if value in self.empty_values:
            return None
        try:
            parsed = parse_datetime(str(value))
        except ValueError:
            parsed = None
        if parsed is None:
            raise forms.ValidationError(
                "Not an ISO 8601 time, e.g. 2026-12-01T10:00:00+01:00.", code="invalid"
            )
        try:
            return aware_instant(parsed)
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from error


class AwareDateTimeFilter(filters.Filter):
    """An instant with its UTC offset; a naive time is a 400, as everywhere in the API."""

    field_class = AwareIsoDateTimeField


class SearchFilter(drf_filters.SearchFilter):
    """DRF's ``?search=``, its refusal (a NUL, say) named by the parameter: ``{"search": [...]}``
    like any field's, where DRF's bare list would come back as ``non_field_errors``."""

    def get_search_terms(self, request: Any) -> list[str]:
        try:
            return list(super().get_search_terms(request))
        except ValidationError as error:
            raise ValidationError({self.search_param: error.detail}) from error
