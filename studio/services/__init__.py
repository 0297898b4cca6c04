"""Every write with a business rule on studios, rooms, gear, bookings and feeds, one
transaction each."""

from studio.services.bookings import (
    booking_cancel,
    booking_challenge,
    booking_confirm,
    booking_create,
    booking_people_changed,
    booking_release,
    booking_update,
    holds_expire,
)
from studio.services.feeds import feed_token_create, feed_token_revoke, feed_token_rotate
from studio.services.studios import (
    gear_create,
    gear_delete,
    gear_update,
    room_create,
    room_delete,
    room_update,
    studio_create,
    studio_delete,
    studio_update,
)

__all__ = [
    "booking_cancel",
    "booking_challenge",
    "booking_confirm",
    "booking_create",
    "booking_people_changed",
    "booking_release",
    "booking_update",
    "feed_token_create",
    "feed_token_revoke",
    "feed_token_rotate",
    "gear_create",
    "gear_delete",
    "gear_update",
    "holds_expire",
    "room_create",
    "room_delete",
    "room_update",
    "studio_create",
    "studio_delete",
    "studio_update",
]
