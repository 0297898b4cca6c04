"""REST API of studios: studios, rooms, gear, bookings and feed tokens."""

from studio.api.bookings import BookingViewSet
from studio.api.feeds import FeedTokenViewSet
from studio.api.studios import GearViewSet, RoomViewSet, StudioViewSet

__all__ = [
    "BookingViewSet",
    "FeedTokenViewSet",
    "GearViewSet",
    "RoomViewSet",
    "StudioViewSet",
]
