"""Every write with a business rule on the ground floor, one transaction each."""

from studio.services.bookings import (
    booking_cancel,
    booking_challenge,
    booking_confirm,
    booking_create,
    booking_release,
    booking_update,
    holds_expire,
)
from studio.services.feeds import feed_token_create, feed_token_revoke, feed_token_rotate
from studio.services.projects import (
    membership_add,
    membership_change_role,
    membership_notify,
    membership_notify_sweep,
    membership_remove,
    person_card_save,
    person_create,
    person_delete,
    person_update,
    project_create,
    project_update,
)
from studio.services.studios import (
    gear_create,
    gear_update,
    room_create,
    room_update,
    studio_create,
    studio_update,
)

__all__ = [
    "booking_cancel",
    "booking_challenge",
    "booking_confirm",
    "booking_create",
    "booking_release",
    "booking_update",
    "feed_token_create",
    "feed_token_revoke",
    "feed_token_rotate",
    "holds_expire",
    "membership_add",
    "membership_change_role",
    "membership_notify",
    "membership_notify_sweep",
    "membership_remove",
    "person_card_save",
    "person_create",
    "person_delete",
    "person_update",
    "gear_create",
    "gear_update",
    "project_create",
    "project_update",
    "room_create",
    "room_update",
    "studio_create",
    "studio_update",
]
