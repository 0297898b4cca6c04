"""Writes with rules: projects and their members, studios, people."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from studio.errors import Conflict
from studio.models import Membership, Person, Project, Role, Studio
from studio.permissions import Capability, has_capability, membership_change_refusal
from studio.queue import SWEEP_AFTER_MINUTES, send_on_commit


@transaction.atomic
def project_create(*, by: User, **fields: Any) -> Project:
    """Create a project with its creator as producer, so that every project has one."""
    studios = fields.pop("studios", [])
    project = Project(**fields)
    project.full_clean()
    project.save()
    project.studios.set(studios)
    # Whoever makes the project knows: no welcome email is owed (the sweep looks for those).
    Membership.objects.create(
        project=project, user=by, role=Role.PRODUCER, notified_at=timezone.now()
    )
    person = Person.objects.filter(user=by).first()
    if person is not None:
        person.projects.add(project)
    return project


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
    committed."""
    from studio.tasks import membership_notify

    # Lock the project row so that two concurrent adds of one user meet the unique
    # constraint one after the other and the loser gets a clear message, not an IntegrityError.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    if Membership.objects.filter(project=project, user=user).exists():
        raise ValidationError({"user": f"{user} is already a member of this project."})
    _check_may_change(project=project, by=by, member=user, current=None, wanted=Role(role))
    membership = Membership.objects.create(project=project, user=user, role=role)
    person = Person.objects.filter(user=user).first()
    if person is not None:
        person.projects.add(project)
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


@transaction.atomic
def studio_create(*, by: User, **fields: Any) -> Studio:
    """Create a studio managed by its creator."""
    studio = Studio(**fields)
    studio.full_clean()
    studio.save()
    studio.managers.add(by)
    return studio


def _check_people_projects(*, by: User, projects: Iterable[Project]) -> None:
    refused = [p for p in projects if not has_capability(by, p, Capability.PEOPLE_MANAGE)]
    if refused:
        names = ", ".join(str(p) for p in refused)
        raise ValidationError({"projects": f"You may not add contacts to: {names}."})


@transaction.atomic
def person_create(*, by: User, projects: list[Project], **fields: Any) -> Person:
    """Create a contact on one or more of the caller's projects."""
    if not projects:
        raise ValidationError({"projects": "Name at least one project for this contact."})
    _check_people_projects(by=by, projects=projects)
    person = Person(**fields)
    person.full_clean()
    person.save()
    person.projects.set(projects)
    return person


@transaction.atomic
def person_update(
    *, person: Person, by: User, projects: list[Project] | None = None, **fields: Any
) -> Person:
    """Change a contact. ``projects`` replaces only the projects the caller manages contacts on;
    the person's other productions, which the caller may not even see, are kept."""
    for name, value in fields.items():
        setattr(person, name, value)
    person.full_clean()
    person.save()
    if projects is not None:
        current = set(person.projects.all())
        mine = {p for p in current if has_capability(by, p, Capability.PEOPLE_MANAGE)}
        wanted = set(projects)
        _check_people_projects(by=by, projects=wanted - current)
        keep = (current - mine) | wanted
        if not keep:
            raise ValidationError({"projects": "A contact stays on at least one project."})
        person.projects.set(keep)
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
    from studio.tasks import membership_notify

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
