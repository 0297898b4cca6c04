"""REST API of the ground floor, one module per area."""

from studio.api.bookings import BookingViewSet
from studio.api.feeds import FeedTokenViewSet
from studio.api.meetings import MeetingViewSet
from studio.api.parts import PartViewSet, SongPartViewSet
from studio.api.projects import MembershipViewSet, PersonViewSet, ProjectViewSet
from studio.api.songs import SongStagesViewSet, SongViewSet
from studio.api.studios import GearViewSet, RoomViewSet, StudioViewSet

__all__ = [
    "BookingViewSet",
    "FeedTokenViewSet",
    "GearViewSet",
    "MeetingViewSet",
    "PartViewSet",
    "MembershipViewSet",
    "PersonViewSet",
    "ProjectViewSet",
    "RoomViewSet",
    "SongPartViewSet",
    "SongStagesViewSet",
    "SongViewSet",
    "StudioViewSet",
]
