"""REST API of projects: people, projects, members, invitations and meetings."""

from projects.api.joining import InvitationViewSet
from projects.api.meetings import MeetingViewSet
from projects.api.projects import MembershipViewSet, PersonViewSet, ProjectViewSet

__all__ = [
    "InvitationViewSet",
    "MeetingViewSet",
    "MembershipViewSet",
    "PersonViewSet",
    "ProjectViewSet",
]
