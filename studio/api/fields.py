"""Serializer fields the API modules share."""

import datetime

from rest_framework import serializers


class AwareDateTimeField(serializers.DateTimeField):
    """An instant: a time without a UTC offset is refused, never guessed."""

    def enforce_timezone(self, value: datetime.datetime) -> datetime.datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise serializers.ValidationError(
                "Give the time with its UTC offset, e.g. 2026-12-01T10:00:00+01:00."
            )
        return value.astimezone(datetime.UTC)
