"""The ground floor: people, projects and who works on them, songs, studios, rooms, gear,
bookings, meetings and notices. Other apps import from here, never from the parts."""

from studio.models.base import ZERO, money_field, new_feed_secret, validate_time_zone
from studio.models.bookings import Booking, FeedToken
from studio.models.meetings import Meeting
from studio.models.notices import Notice, NoticeKind, NoticePreference
from studio.models.people import Membership, Person, PersonCard, Project, Role
from studio.models.songs import DEFAULT_PARTS, Part, PartStatus, Song, SongPart, SongStageChange
from studio.models.stages import SongStage
from studio.models.studios import (
    Gear,
    Room,
    Studio,
    default_cancellation_tiers,
    validate_cancellation_tiers,
)

__all__ = [
    "DEFAULT_PARTS",
    "ZERO",
    "Booking",
    "FeedToken",
    "Gear",
    "Meeting",
    "Membership",
    "Notice",
    "NoticeKind",
    "NoticePreference",
    "Part",
    "PartStatus",
    "Person",
    "PersonCard",
    "Project",
    "Role",
    "Room",
    "Song",
    "SongPart",
    "SongStage",
    "SongStageChange",
    "Studio",
    "default_cancellation_tiers",
    "money_field",
    "new_feed_secret",
    "validate_cancellation_tiers",
    "validate_time_zone",
]
