"""REST API of projects: people, projects, members and meetings."""

from projects.api.meetings import MeetingViewSet
from projects.api.projects import MembershipViewSet, PersonViewSet, ProjectViewSet

__all__ = [
    "MeetingViewSet",
    "MembershipViewSet",
    "PersonViewSet",
    "ProjectViewSet",
]
