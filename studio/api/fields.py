"""Serializer fields the API modules share."""

import datetime

from rest_framework import serializers

from studio.intervals import OFFSET_NEEDED


class AwareDateTimeField(serializers.DateTimeField):
    """An instant: a time without a UTC offset is refused, never guessed."""

    def enforce_timezone(self, value: datetime.datetime) -> datetime.datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise serializers.ValidationError(OFFSET_NEEDED)
        return value.astimezone(datetime.UTC)
