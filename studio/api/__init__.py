"""REST API of the ground floor, one module per area."""

from studio.api.bookings import BookingViewSet
from studio.api.feeds import FeedTokenViewSet
from studio.api.projects import (
    GearViewSet,
    MembershipViewSet,
    PersonViewSet,
    ProjectViewSet,
    RoomViewSet,
    StudioViewSet,
)
from studio.api.songs import SongViewSet

__all__ = [
    "BookingViewSet",
    "FeedTokenViewSet",
    "GearViewSet",
    "MembershipViewSet",
    "PersonViewSet",
    "ProjectViewSet",
    "RoomViewSet",
    "SongViewSet",
    "StudioViewSet",
]
