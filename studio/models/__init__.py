"""Studios, rooms with their rate cards, gear, bookings and holds, calendar feed tokens.
Other apps import from here, never from the parts."""

from studio.models.bookings import Booking, FeedToken, new_feed_secret
from studio.models.studios import (
    Gear,
    Room,
    Studio,
    default_cancellation_tiers,
    validate_cancellation_tiers,
)

__all__ = [
    "Booking",
    "FeedToken",
    "Gear",
    "Room",
    "Studio",
    "default_cancellation_tiers",
    "new_feed_secret",
    "validate_cancellation_tiers",
]
