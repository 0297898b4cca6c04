"""Who may read and write what: the one place that decides.

A user sees a project when they are a member of it, with any role. What they may change
depends on their role there, through ``ROLE_MATRIX``. Everything hanging off a project
(bookings, sessions, budgets, releases) is scoped through ``projects_visible``; an object of a
project the user is not on is a 404, a write their role does not allow is a 403.

Studios are shared by the projects that use them: a studio's ``managers`` change it, its rooms
and its gear; members of a project that uses the studio see it.
"""

from enum import StrEnum
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from core.users import AnyUser
from projects.models import Membership, Person, PersonCard, Project, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class Capability(StrEnum):
    PROJECT_VIEW = "project.view"
    PROJECT_CHANGE = "project.change"
    PROJECT_DELETE = "project.delete"
    MEMBERS_MANAGE = "members.manage"
    PEOPLE_MANAGE = "people.manage"
    SCHEDULE_MANAGE = "schedule.manage"
    SESSIONS_MANAGE = "sessions.manage"
    BUDGET_VIEW = "budget.view"
    BUDGET_MANAGE = "budget.manage"
    INVOICES_MANAGE = "invoices.manage"
    RELEASES_MANAGE = "releases.manage"
    SONGS_MANAGE = "songs.manage"
    VERSIONS_UPLOAD = "versions.upload"
    VERSIONS_NOTE = "versions.note"
    VERSIONS_APPROVE = "versions.approve"
    VERSIONS_SHARE = "versions.share"


_ALL = frozenset(Role)

ROLE_MATRIX: dict[Capability, frozenset[Role]] = {
    Capability.PROJECT_VIEW: _ALL,
    Capability.PROJECT_CHANGE: frozenset({Role.PRODUCER, Role.MANAGER}),
    Capability.PROJECT_DELETE: frozenset({Role.PRODUCER}),
    Capability.MEMBERS_MANAGE: frozenset({Role.PRODUCER, Role.MANAGER}),
    Capability.PEOPLE_MANAGE: frozenset({Role.PRODUCER, Role.MANAGER, Role.ENGINEER}),
    Capability.SCHEDULE_MANAGE: frozenset({Role.PRODUCER, Role.MANAGER, Role.ENGINEER}),
    Capability.SESSIONS_MANAGE: frozenset({Role.PRODUCER, Role.ENGINEER}),
    # Money is need-to-know: artists, engineers and viewers do not see budgets or pay.
    Capability.BUDGET_VIEW: frozenset({Role.PRODUCER, Role.MANAGER, Role.ACCOUNTANT}),
    Capability.BUDGET_MANAGE: frozenset({Role.PRODUCER, Role.MANAGER, Role.ACCOUNTANT}),
    Capability.INVOICES_MANAGE: frozenset({Role.PRODUCER, Role.ACCOUNTANT}),
    Capability.RELEASES_MANAGE: frozenset({Role.PRODUCER, Role.MANAGER, Role.ARTIST}),
    # The board is everyone's who works on the music: the engineer moves a song to editing,
    # the artist adds a new one, the manager chases a due date. Accountants and viewers look.
    Capability.SONGS_MANAGE: frozenset({Role.PRODUCER, Role.ENGINEER, Role.MANAGER, Role.ARTIST}),
    # Versions: whoever makes the audio uploads it (the mixer is an engineer, the artist sends
    # a rough); everyone on the music writes notes; only the artist and the producer approve,
    # because an approved master goes into the package. Listen links leave the project: the
    # people who deal with outsiders (mastering engineer, label) send them.
    Capability.VERSIONS_UPLOAD: frozenset({Role.PRODUCER, Role.ENGINEER, Role.ARTIST}),
    Capability.VERSIONS_NOTE: frozenset({Role.PRODUCER, Role.ENGINEER, Role.MANAGER, Role.ARTIST}),
    Capability.VERSIONS_APPROVE: frozenset({Role.PRODUCER, Role.ARTIST}),
    Capability.VERSIONS_SHARE: frozenset({Role.PRODUCER, Role.ENGINEER, Role.MANAGER}),
}

CAPABILITY_LABELS: dict[Capability, str] = {
    Capability.PROJECT_VIEW: "See the project, its people, schedule, sessions and releases",
    Capability.PROJECT_CHANGE: "Change the project's details",
    Capability.PROJECT_DELETE: "Delete the project",
    Capability.MEMBERS_MANAGE: "Add, remove and change members",
    Capability.PEOPLE_MANAGE: "Add and edit the project's contacts",
    Capability.SCHEDULE_MANAGE: "Hold, book, confirm and cancel studio days",
    Capability.SESSIONS_MANAGE: "Run sessions: players, takes, gear checks",
    Capability.BUDGET_VIEW: "See budgets, costs and payments",
    Capability.BUDGET_MANAGE: "Edit budgets and costs, approve and pay",
    Capability.INVOICES_MANAGE: "Draft, issue and credit invoices",
    Capability.RELEASES_MANAGE: "Edit releases, tracks, credits, art; render",
    Capability.SONGS_MANAGE: "Add, edit and move songs on the board",
    Capability.VERSIONS_UPLOAD: "Upload rough, mix and master versions; resolve notes",
    Capability.VERSIONS_NOTE: "Write notes at a time in a version",
    Capability.VERSIONS_APPROVE: "Approve a version (an approved master becomes the track's)",
    Capability.VERSIONS_SHARE: "Send, revoke and follow listen links",
}


def roles_with(capability: Capability) -> frozenset[Role]:
    return ROLE_MATRIX[capability]


# Who may hand out which role. A producer holds every capability; a manager runs the project
# but not its sessions or invoices; the specialist roles each hold one area; a viewer only
# looks. A member manager may give or take away roles up to their own rank and never above it,
# so a manager cannot make a producer (or themselves one) nor touch one.
ROLE_RANK: dict[Role, int] = {
    Role.PRODUCER: 3,
    Role.MANAGER: 2,
    Role.ENGINEER: 1,
    Role.ACCOUNTANT: 1,
    Role.ARTIST: 1,
    Role.VIEWER: 0,
}


def membership_change_refusal(
    *,
    by_role: Role | None,
    by_self: bool,
    current: Role | None,
    wanted: Role | None,
) -> str | None:
    """Why a member manager of role ``by_role`` may not make this change, or None if they may.

    ``current`` is the member's role now (None when adding them), ``wanted`` the role they are
    to have (None when removing them); ``by_self`` says whether the member is the caller.
    """
    if by_role is None or by_role not in roles_with(Capability.MEMBERS_MANAGE):
        return f"Your role on this project ({by_role}) may not manage members."
    if by_self and wanted is not None:
        return "Nobody changes their own role; ask another producer."
    rank = ROLE_RANK[by_role]
    for role in (current, wanted):
        if role is not None and ROLE_RANK[Role(role)] > rank:
            verb = "make" if role == wanted else "change or remove"
            return (
                f"As {Role(by_role).label.lower()} you may not {verb} a "
                f"{Role(role).label.lower()}: only a role of that rank or above may."
            )
    return None


def projects_visible(user: AnyUser) -> QuerySet[Project]:
    """The projects the user is a member of, in any role."""
    return projects_with(user, Capability.PROJECT_VIEW)


def projects_with(user: AnyUser, capability: Capability) -> QuerySet[Project]:
    """The projects on which the user's role grants ``capability``."""
    if not user.is_authenticated:
        return Project.objects.none()
    # A subquery, not a join: the membership is unique per user, but a subquery keeps the
    # outer query free of duplicates whatever is joined onto it later.
    member_of = Membership.objects.filter(user=user, role__in=roles_with(capability)).values(
        "project_id"
    )
    return Project.objects.filter(id__in=member_of)


def role_on(user: AnyUser, project: Project) -> Role | None:
    if not user.is_authenticated:
        return None
    role = (
        Membership.objects.filter(user=user, project=project).values_list("role", flat=True).first()
    )
    return Role(role) if role else None


def has_capability(user: AnyUser, project: Project, capability: Capability) -> bool:
    role = role_on(user, project)
    return role is not None and role in roles_with(capability)


# Money is need-to-know: what people are paid (fees, payments, statements) shows only to roles
# that see budgets. Running a session does not show its players' pay.
def sees_pay(role: Role | None) -> bool:
    """Whether ``role`` (a user's on one project, None off it) sees what people are paid."""
    return role in roles_with(Capability.BUDGET_VIEW)


def projects_showing_pay(user: AnyUser) -> QuerySet[Project]:
    """The user's projects where they see what people are paid (``sees_pay``)."""
    return projects_with(user, Capability.BUDGET_VIEW)


def people_visible(user: AnyUser) -> QuerySet[Person]:
    """The contacts on the user's projects, and the user's own person."""
    if not user.is_authenticated:
        return Person.objects.none()
    on_mine = Project.objects.filter(memberships__user=user).values("people")
    return Person.objects.filter(Q(id__in=on_mine) | Q(user=user))


def person_cards_visible(user: AnyUser) -> QuerySet[PersonCard]:
    """The cards of the user's projects: what those productions know about their people.

    A card of another production is never here, even for a person the user sees through one
    of their own projects."""
    return PersonCard.objects.filter(project__in=projects_visible(user))


def coworkers_of(user: AnyUser) -> "QuerySet[User]":
    """Active users who share a production with ``user`` (``user`` included): the only ones
    ``user`` may add to a project, so that the member form tells nobody which usernames exist
    elsewhere."""
    users = get_user_model().objects.filter(is_active=True)
    if not user.is_authenticated:
        return users.none()
    shared = Membership.objects.filter(
        project__in=Membership.objects.filter(user=user).values("project_id")
    ).values("user_id")
    return users.filter(id__in=shared)
