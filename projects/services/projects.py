"""Writes with rules: projects and their members, studios, people."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from core.errors import Conflict
from core.queue import SWEEP_AFTER_MINUTES, send_on_commit
from projects.accounts import ask_two_factor
from projects.hooks import links_set, project_leaving, project_started
from projects.models import Membership, Person, PersonCard, Project, Role
from projects.permissions import (
    Capability,
    coworkers_of,
    has_capability,
    membership_change_refusal,
    role_on,
)


def _check_dates(*, start_date: datetime.date | None, due_date: datetime.date | None) -> None:
    if start_date and due_date and due_date < start_date:
        raise ValidationError({"due_date": "The due date is before the start."})


@transaction.atomic
def project_create(
    *,
    by: User,
    title: str,
    artist: str,
    client: str = "",
    currency: str = "EUR",
    status: str = Project.Status.PLANNING,
    start_date: datetime.date | None = None,
    due_date: datetime.date | None = None,
    notes: str = "",
    links: Mapping[str, Iterable[Model]] | None = None,
    require_two_factor: bool = False,
) -> Project:
    """Create a project with its creator as producer, so that every project has one. Its
    links (``projects.hooks``: the studios it uses, from the install's directory) are set,
    and the apps above give it what a project starts with (its parts)."""
    _check_dates(start_date=start_date, due_date=due_date)
    project = Project(
        title=title,
        artist=artist,
        client=client,
        currency=currency,
        status=status,
        start_date=start_date,
        due_date=due_date,
        notes=notes,
        require_two_factor=require_two_factor,
    )
    project.full_clean()
    project.save()
    links_set(project, {name: list(rows) for name, rows in (links or {}).items()})
    project_started(project)
    if require_two_factor:
        transaction.on_commit(lambda: ask_two_factor([by]))
    # Whoever makes the project knows: no welcome email is owed (the sweep looks for those).
    Membership.objects.create(
        project=project, user=by, role=Role.PRODUCER, notified_at=timezone.now()
    )
    person = Person.objects.filter(user=by).first()
    if person is not None:
        _card_add(person=person, project=project)
    return project


@transaction.atomic
def project_update(
    *,
    project: Project,
    by: User,
    title: str,
    artist: str,
    client: str,
    currency: str,
    status: str,
    start_date: datetime.date | None,
    due_date: datetime.date | None,
    notes: str,
    links: Mapping[str, Iterable[Model]] | None = None,
    require_two_factor: bool | None = None,
) -> Project:
    """Change a project's details (roles with ``project.change``). Every field is given: a
    caller changing one passes the others as they are.

    The links named in ``links`` are set (``projects.hooks``; the others stay): a studio the
    project uses, picked from the install's directory, becomes visible to its members.
    Whether members must sign in with a second factor is the producers' to change (None
    keeps it); turned on, members without one are asked to set it up at their next page."""
    if not has_capability(by, project, Capability.PROJECT_CHANGE):
        raise PermissionDenied("Your role may not change this project.")
    _check_dates(start_date=start_date, due_date=due_date)
    project = Project.objects.select_for_update().get(pk=project.pk)
    turned_on = False
    if require_two_factor is not None and require_two_factor != project.require_two_factor:
        if role_on(by, project) != Role.PRODUCER:
            raise PermissionDenied(
                "Only a producer may change whether members need two-factor sign-in."
            )
        project.require_two_factor = require_two_factor
        turned_on = require_two_factor
    project.title, project.artist, project.client = title, artist, client
    project.currency, project.status, project.notes = currency, status, notes
    project.start_date, project.due_date = start_date, due_date
    project.full_clean()
    project.save()
    links_set(project, {name: list(rows) for name, rows in (links or {}).items()})
    if turned_on:
        members = list(project.members.all())
        transaction.on_commit(lambda: ask_two_factor(members))
    return project


@transaction.atomic
def project_delete(*, project: Project, by: User) -> None:
    """Delete a project (its producers only) with what cascades from it: songs, parts, cards,
    members. What other apps stored for it goes too (``projects.hooks``: its songs' versions'
    files, after the commit). Rows that protect it (bookings, budgets, invoices,
    releases) keep it: the database refuses."""
    if not has_capability(by, project, Capability.PROJECT_DELETE):
        raise PermissionDenied("Your role may not delete this project.")
    project = Project.objects.select_for_update().get(pk=project.pk)
    project_leaving(project)
    project.delete()


def _card_add(*, person: Person, project: Project) -> PersonCard:
    """Put a person on a project with a blank card: the project learns nothing another
    production wrote about them."""
    card, _ = PersonCard.objects.get_or_create(person=person, project=project)
    return card


def unknown_coworker_message(username: object) -> str:
    """The one answer for a username that does not exist and for a user the caller shares no
    production with: the member form must not tell which usernames exist."""
    return f"No one you work with has the username {username}."


def _ensure_a_producer_remains(*, project: Project, leaving: Membership) -> None:
    others = project.memberships.filter(role=Role.PRODUCER).exclude(pk=leaving.pk)
    if leaving.role == Role.PRODUCER and not others.exists():
        raise ValidationError({"role": "A project keeps at least one producer."})


def _check_may_change(
    *, project: Project, by: User, member: User, current: Role | None, wanted: Role | None
) -> None:
    """Refuse (403) a membership change the caller's role does not reach.

    Called with the project row locked, so the caller's role is read as it stands when the
    change is written: a producer demoting a manager at the same moment as that manager acts
    leaves the manager acting on their new role.
    """
    by_role = (
        Membership.objects.filter(project=project, user=by).values_list("role", flat=True).first()
    )
    refusal = membership_change_refusal(
        by_role=Role(by_role) if by_role else None,
        by_self=member.pk == by.pk,
        current=current,
        wanted=wanted,
    )
    if refusal is not None:
        raise PermissionDenied(refusal)


@transaction.atomic
def membership_add(*, project: Project, user: User, role: Role | str, by: User) -> Membership:
    """Add a member with a role no higher than the caller's; tell them by email once the row is
    committed.

    Only someone who already shares a production with the caller can be added; anyone else gets
    the answer a missing username gets, so the endpoint is no directory of usernames, and
    nobody is pulled into a stranger's project (with their person) uninvited."""
    from projects.tasks import membership_notify

    if not coworkers_of(by).filter(pk=user.pk).exists():
        raise ValidationError({"user": unknown_coworker_message(user.get_username())})
    # Lock the project row so that two concurrent adds of one user meet the unique
    # constraint one after the other and the loser gets a clear message, not an IntegrityError.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    if Membership.objects.filter(project=project, user=user).exists():
        raise ValidationError({"user": f"{user} is already a member of this project."})
    _check_may_change(project=project, by=by, member=user, current=None, wanted=Role(role))
    membership = Membership.objects.create(project=project, user=user, role=role)
    person = Person.objects.filter(user=user).first()
    if person is not None:
        _card_add(person=person, project=project)
    if project.require_two_factor:
        transaction.on_commit(lambda: ask_two_factor([user]))
    send_on_commit(
        lambda: membership_notify.delay(membership.pk), what=f"membership {membership.pk} email"
    )
    return membership


@transaction.atomic
def membership_change_role(*, membership: Membership, role: Role | str, by: User) -> Membership:
    """Change another member's role, within the caller's rank; nobody changes their own."""
    project = Project.objects.select_for_update().get(pk=membership.project_id)
    membership = Membership.objects.select_related("user").get(pk=membership.pk)
    if role == membership.role:
        return membership
    _check_may_change(
        project=project,
        by=by,
        member=membership.user,
        current=Role(membership.role),
        wanted=Role(role),
    )
    if role != Role.PRODUCER:
        _ensure_a_producer_remains(project=project, leaving=membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    """Remove a member within the caller's rank, or leave the project oneself; a project keeps
    at least one producer."""
    project = Project.objects.select_for_update().get(pk=membership.project_id)
    membership = Membership.objects.select_related("user").get(pk=membership.pk)
    if membership.user_id != by.pk:
        _check_may_change(
            project=project,
            by=by,
            member=membership.user,
            current=Role(membership.role),
            wanted=None,
        )
    _ensure_a_producer_remains(project=project, leaving=membership)
    membership.delete()


def _check_people_projects(*, by: User, projects: Iterable[Project]) -> None:
    refused = [p for p in projects if not has_capability(by, p, Capability.PEOPLE_MANAGE)]
    if refused:
        names = ", ".join(str(p) for p in refused)
        raise ValidationError({"project": f"You may not add contacts to: {names}."})


@transaction.atomic
def person_create(
    *,
    by: User,
    name: str,
    projects: list[Project],
    email: str = "",
    phone: str = "",
    instruments: str = "",
    notes: str = "",
) -> Person:
    """Create a contact on one or more of the caller's projects, with a card on each that
    holds the details given."""
    if not projects:
        raise ValidationError({"project": "Name at least one project for this contact."})
    _check_people_projects(by=by, projects=projects)
    person = Person(name=name)
    person.full_clean()
    person.save()
    for project in dict.fromkeys(projects):
        card = PersonCard(
            person=person,
            project=project,
            email=email,
            phone=phone,
            instruments=instruments,
            notes=notes,
        )
        card.full_clean()
        card.save()
    return person


@transaction.atomic
def person_card_save(
    *,
    person: Person,
    project: Project,
    by: User,
    email: str | None = None,
    phone: str | None = None,
    instruments: str | None = None,
    notes: str | None = None,
) -> PersonCard:
    """Write what ``project`` knows about ``person`` (None keeps a detail as it is). Makes the
    card, and so puts the person on the project, when there is none yet.

    Only the project's contact managers write its cards; the person's cards on other
    productions are neither read nor touched."""
    if not has_capability(by, project, Capability.PEOPLE_MANAGE):
        raise PermissionDenied(f"Your role on {project} may not edit its contacts.")
    # Locked so that two edits of one card in flight do not each keep half of the other.
    card = (
        PersonCard.objects.select_for_update().filter(person=person, project=project).first()
    ) or PersonCard(person=person, project=project)
    for field, value in (
        ("email", email),
        ("phone", phone),
        ("instruments", instruments),
        ("notes", notes),
    ):
        if value is not None:
            setattr(card, field, value)
    card.full_clean()
    card.save()
    return card


def _check_may_rename(*, person: Person, by: User) -> None:
    """The name is the one thing every production shares: the person may change it, and
    otherwise only someone who manages the contacts of every production the person is on."""
    if person.user_id == by.pk:
        return
    theirs = list(person.projects.all())
    if not theirs or not all(has_capability(by, p, Capability.PEOPLE_MANAGE) for p in theirs):
        raise PermissionDenied(
            f"{person}'s name is shared with productions whose contacts you do not manage; "
            "only they, or the person, may change it."
        )


@transaction.atomic
def person_update(
    *,
    person: Person,
    by: User,
    project: Project | None = None,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    instruments: str | None = None,
    notes: str | None = None,
    projects: list[Project] | None = None,
) -> Person:
    """Change a contact: the name (shared), the details on ``project``'s card, and with
    ``projects`` which of the caller's projects they are on.

    ``projects`` replaces only the projects the caller manages contacts on; the person's other
    productions, which the caller may not even see, are kept, and so are their cards."""
    details = {"email": email, "phone": phone, "instruments": instruments, "notes": notes}
    if project is None and any(value is not None for value in details.values()):
        raise ValidationError(
            {"project": "Say which of your projects' card to change: details are per project."}
        )
    if name is not None and name != person.name:
        _check_may_rename(person=person, by=by)
        person.name = name
        person.full_clean()
        person.save(update_fields=["name"])
    if projects is not None:
        current = set(person.projects.all())
        mine = {p for p in current if has_capability(by, p, Capability.PEOPLE_MANAGE)}
        wanted = set(projects)
        _check_people_projects(by=by, projects=wanted - current)
        if not (current - mine) | wanted:
            raise ValidationError({"project": "A contact stays on at least one project."})
        for added in wanted - current:
            _card_add(person=person, project=added)
        # Leaving one of the caller's projects takes that production's card with it.
        PersonCard.objects.filter(person=person, project__in=[p.pk for p in mine - wanted]).delete()
    if project is not None:
        person_card_save(person=person, project=project, by=by, **details)
    return person


@transaction.atomic
def person_delete(*, person: Person, by: User) -> None:
    """Delete a contact, only when every project they are on is one the caller manages."""
    others = [
        p for p in person.projects.all() if not has_capability(by, p, Capability.PEOPLE_MANAGE)
    ]
    if others:
        raise Conflict(
            f"{person} is also on projects you do not manage ({len(others)}); "
            "remove them from your projects instead.",
            code="shared_contact",
        )
    person.delete()


def membership_notify_sweep(*, now: datetime.datetime | None = None) -> int:
    """Send again the welcome emails that never reached a worker (the broker was down when
    the member was added): members added over SWEEP_AFTER_MINUTES and under a week ago, not
    told yet. Returns how many were sent to the queue."""
    from projects.tasks import membership_notify

    now = now or timezone.now()
    waiting = list(
        Membership.objects.filter(
            notified_at__isnull=True,
            created_at__lt=now - datetime.timedelta(minutes=SWEEP_AFTER_MINUTES),
            created_at__gte=now - datetime.timedelta(days=7),
        )
        .exclude(user__email="")
        .values_list("pk", flat=True)
    )
    for membership_id in waiting:
        membership_notify.delay(membership_id)
    return len(waiting)


def membership_notify(*, membership_id: int) -> bool:
    """Email a new member that they were added to a project; at most once per membership.

    The row is locked while the email goes out, so two deliveries of the same task (acks_late
    re-delivers after a worker crash) cannot both send it.
    """
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .select_related("project", "user")
            .filter(pk=membership_id, notified_at__isnull=True)
            .first()
        )
        if membership is None or not membership.user.email:
            return False
        project = membership.project
        send_mail(
            subject=f"You were added to {project}",
            message=(
                f"Hello {membership.user.get_username()},\n\n"
                f"you are now {membership.get_role_display().lower()} on {project} in Tracksheet.\n"
            ),
            from_email=None,
            recipient_list=[membership.user.email],
        )
        membership.notified_at = timezone.now()
        membership.save(update_fields=["notified_at"])
    return True
