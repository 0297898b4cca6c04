"""What of the studios a user sees: the studios they manage and those their projects use,
their rooms and gear, their projects' bookings, and what a calendar page or a feed may show."""

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from core.users import AnyUser
from projects.models import Project
from projects.permissions import people_visible, projects_visible
from studio.models import Booking, Gear, Room, Studio

if TYPE_CHECKING:
    pass


def studios_visible(user: AnyUser) -> QuerySet[Studio]:
    """Studios the user manages, and studios used by a project the user is on."""
    if not user.is_authenticated:
        return Studio.objects.none()
    used_by_mine = Project.objects.filter(memberships__user=user).values("studios")
    return Studio.objects.filter(Q(id__in=used_by_mine) | Q(managers=user))


def rooms_visible(user: AnyUser) -> QuerySet[Room]:
    """The rooms of the studios the user sees."""
    return Room.objects.filter(studio__in=studios_visible(user))


def gear_visible(user: AnyUser) -> QuerySet[Gear]:
    """The gear of the studios the user sees."""
    return Gear.objects.filter(studio__in=studios_visible(user))


def bookings_visible(user: AnyUser) -> QuerySet[Booking]:
    """The bookings of the user's projects."""
    return Booking.objects.filter(project__in=projects_visible(user))


def studios_managed(user: AnyUser) -> QuerySet[Studio]:
    if not user.is_authenticated:
        return Studio.objects.none()
    return Studio.objects.filter(managers=user)


def calendar_targets(user: AnyUser) -> dict[str, QuerySet[Any]]:
    """What a calendar page or a feed may show, by kind, in the order the calendar page reads
    its query: rooms and studios the user sees, their people and their projects."""
    studios = studios_visible(user)
    return {
        "room": Room.objects.filter(studio__in=studios).select_related("studio"),
        "studio": studios,
        "person": people_visible(user),
        "project": projects_visible(user),
    }
