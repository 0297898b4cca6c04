"""People and their cards on each production, projects and who works on them, meetings
and notices. Other apps import from here, never from the parts."""

from projects.models.joining import Invitation
from projects.models.meetings import Meeting
from projects.models.notices import Notice, NoticeKind, NoticePreference
from projects.models.people import Membership, Person, PersonCard, Project, Role

__all__ = [
    "Invitation",
    "Meeting",
    "Membership",
    "Notice",
    "NoticeKind",
    "NoticePreference",
    "Person",
    "PersonCard",
    "Project",
    "Role",
]
