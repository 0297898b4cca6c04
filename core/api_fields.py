"""Serializer fields the API modules share."""

import datetime

from rest_framework import serializers

from core.filters import aware_instant


class AwareDateTimeField(serializers.DateTimeField):
    """An instant: a time without a UTC offset is refused, never guessed."""

    def enforce_timezone(self, value: datetime.datetime) -> datetime.datetime:
        try:
            return aware_instant(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from error
