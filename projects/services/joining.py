"""Invitations to a production by e-mail: made, sent, resent, revoked and accepted.

The mail's link is ``/invitations/<token>/``, the token the invitation's id and nonce signed
with the site's key (``django.core.signing``). Who may invite, and to which role, is who may
add a member (projects.permissions.membership_change_refusal); the invitation is checked again
when accepted, so one sent by someone who has since lost that right no longer works. Nothing
here looks up whether an address has an account: the answers are the same either way.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from core.queue import SWEEP_AFTER_MINUTES, send_on_commit
from projects.models import (
    Invitation,
    Membership,
    Notice,
    NoticeKind,
    Person,
    PersonCard,
    Project,
    Role,
)
from projects.notices import Letter, notice_tell, notice_writer_register
from projects.permissions import membership_change_refusal

SALT = "projects.invitation"


def _nonce() -> str:
    return secrets.token_urlsafe(32)


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps([invitation.pk, invitation.nonce], salt=SALT)


def invitation_link(invitation: Invitation) -> str:
    path = reverse("invitation-open", args=[invitation_token(invitation)])
    return f"{settings.SITE_URL}{path}"


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a link names, in whatever state; None for a link the site did not make
    or one replaced by a resend."""
    try:
        pk, nonce = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    invitation = (
        Invitation.objects.select_related("project", "invited_by__person").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if invitation is None or not constant_time_compare(str(nonce), invitation.nonce):
        return None
    return invitation


def inviter_name(invitation: Invitation) -> str:
    """How the invitation names who sent it: their person's name, else their account's."""
    inviter = invitation.invited_by
    if inviter is None:
        return "Someone"
    person = Person.objects.filter(user=inviter).first()
    return person.name if person else inviter.get_full_name() or inviter.get_username()


def _role_of(user: User | None, project: Project) -> Role | None:
    if user is None:
        return None
    role = (
        Membership.objects.filter(project=project, user=user).values_list("role", flat=True).first()
    )
    return Role(role) if role else None


def _check_may_invite(*, project: Project, by: User, role: Role | str) -> None:
    refusal = membership_change_refusal(
        by_role=_role_of(by, project), by_self=False, current=None, wanted=Role(role)
    )
    if refusal is not None:
        raise PermissionDenied(refusal)


def _expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=settings.INVITATION_DAYS)


def _queue_send(invitation: Invitation) -> None:
    from projects.tasks import invitation_send

    send_on_commit(
        lambda: invitation_send.delay(invitation.pk), what=f"invitation {invitation.pk} email"
    )


def _renew(invitation: Invitation) -> None:
    """A new link (the old one stops working), its days from now, its mail still to send."""
    invitation.nonce = _nonce()
    invitation.expires_at = _expiry()
    invitation.sent_at = None


@transaction.atomic
def invitation_create(
    *, project: Project, email: str, role: Role | str, by: User, person: Person | None = None
) -> Invitation:
    """Invite an address to the project with a role no higher than the caller's; the mail goes
    out once the row is committed. Inviting an address that has an open invitation renews
    that one (new link, new role, its days from now)."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": "Enter an e-mail address, like name@example.com."}
        ) from None
    if role not in Role.values:
        raise ValidationError({"role": f"{role} is not a role."})
    Project.objects.select_for_update().filter(pk=project.pk).first()
    _check_may_invite(project=project, by=by, role=role)
    if (
        person is not None
        and not PersonCard.objects.filter(person=person, project=project).exists()
    ):
        raise ValidationError({"person": "That contact is not on this project."})
    invitation = (
        Invitation.objects.select_for_update()
        .filter(project=project, email__iexact=email, accepted_at=None, revoked_at=None)
        .first()
    )
    if invitation is None:
        invitation = Invitation(project=project, email=email)
    invitation.role = role
    invitation.invited_by = by
    invitation.person = person or invitation.person
    _renew(invitation)
    invitation.save()
    _queue_send(invitation)
    return invitation


def _locked(invitation: Invitation) -> Invitation:
    Project.objects.select_for_update().filter(pk=invitation.project_id).first()
    return Invitation.objects.select_for_update().select_related("project").get(pk=invitation.pk)


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by: User) -> Invitation:
    """Send an open invitation again with a new link, its days counted from now (an expired
    one too); an accepted or revoked one is not sent again."""
    invitation = _locked(invitation)
    _check_may_invite(project=invitation.project, by=by, role=invitation.role)
    if invitation.state in (Invitation.State.ACCEPTED, Invitation.State.REVOKED):
        raise ValidationError(
            {"invitation": f"This invitation was {invitation.state.label.lower()}."}
        )
    _renew(invitation)
    invitation.save(update_fields=["nonce", "expires_at", "sent_at", "updated_at"])
    _queue_send(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    """Withdraw an invitation: its link answers that it was withdrawn. Once accepted, the
    member is removed from the members' list instead."""
    invitation = _locked(invitation)
    _check_may_invite(project=invitation.project, by=by, role=invitation.role)
    if invitation.accepted_at is not None:
        raise ValidationError(
            {"invitation": "This invitation was accepted: remove the member instead."}
        )
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
    return invitation


def refusal_of(invitation: Invitation) -> str | None:
    """Why the invitation cannot be accepted now, in the words its page shows; None if it can."""
    state = invitation.state
    if state == Invitation.State.ACCEPTED:
        return "This invitation was already accepted. Sign in to open the production."
    if state == Invitation.State.REVOKED:
        return "This invitation was withdrawn. Ask who invited you if you think that is a mistake."
    if state == Invitation.State.EXPIRED:
        return (
            f"This invitation expired on {invitation.expires_at:%d %b %Y}. "
            "Ask who invited you to send it again."
        )
    inviter_role = _role_of(invitation.invited_by, invitation.project)
    if membership_change_refusal(
        by_role=inviter_role, by_self=False, current=None, wanted=Role(invitation.role)
    ):
        return (
            "This invitation no longer holds: who sent it may no longer add members with "
            "this role. Ask the production's producer for a new one."
        )
    return None


def _person_for(*, user: User, invitation: Invitation) -> Person:
    """The user's person; without one, the contact the invitation was sent from (if nobody
    signs in as them yet), or a new person named as the account is."""
    person = Person.objects.filter(user=user).first()
    if person is not None:
        return person
    contact = invitation.person
    if contact is not None and contact.user_id is None:
        contact.user = user
        contact.save(update_fields=["user"])
        return contact
    name = user.get_full_name() or user.get_username()
    return Person.objects.create(name=name[:200], user=user)


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Make the user a member with the invitation's role; the invitation is used up. Someone
    who is a member already keeps their role. Refused (ValidationError) for an invitation that
    was accepted, withdrawn, has expired, or whose sender may no longer grant the role."""
    from projects.accounts import ask_two_factor

    invitation = _locked(invitation)
    refusal = refusal_of(invitation)
    if refusal is not None:
        raise ValidationError({"invitation": refusal}, code=invitation.state.value)
    project = invitation.project
    now = timezone.now()
    membership = Membership.objects.filter(project=project, user=user).first()
    if membership is None:
        # Who accepted is told on the page; no "you were added" mail follows.
        membership = Membership.objects.create(
            project=project, user=user, role=invitation.role, notified_at=now
        )
    person = _person_for(user=user, invitation=invitation)
    card, _ = PersonCard.objects.get_or_create(person=person, project=project)
    if not card.email:
        card.email = invitation.email
        card.save(update_fields=["email", "updated_at"])
    invitation.accepted_at = now
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    if invitation.invited_by is not None and invitation.invited_by != user:
        notice_tell(
            kind=NoticeKind.INVITATION_ACCEPTED,
            key=f"joined:{invitation.pk}",
            subject=f"{person.name} joined {project} as {invitation.get_role_display().lower()}",
            project=project,
            users=[invitation.invited_by],
        )
    if project.require_two_factor:
        transaction.on_commit(lambda: ask_two_factor([user]))
    return membership


def invitation_send(*, invitation_id: int) -> bool:
    """Mail the invitation's current link, once per link (a resend draws a new one). The row
    is locked while the mail goes out, so two deliveries of the task send it once."""
    with transaction.atomic():
        # Only the invitation's row is locked: PostgreSQL locks no row on the nullable side of
        # the join (who invited, since deleted).
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("project", "invited_by")
            .filter(pk=invitation_id, sent_at=None, accepted_at=None, revoked_at=None)
            .first()
        )
        if invitation is None or invitation.state != Invitation.State.PENDING:
            return False
        inviter = inviter_name(invitation)
        context = {
            "invitation": invitation,
            "inviter": inviter,
            "role": invitation.get_role_display().lower(),
            "link": invitation_link(invitation),
        }
        send_mail(
            subject=f"{inviter} invites you to {invitation.project} on Tracksheet",
            message=render_to_string("projects/notices/project_invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
        invitation.sent_at = timezone.now()
        invitation.send_count += 1
        invitation.save(update_fields=["sent_at", "send_count"])
    return True


def invitation_sweep(*, now: datetime.datetime | None = None) -> int:
    """Queue again the invitation mails that never reached a worker: open invitations whose
    current link was made over SWEEP_AFTER_MINUTES ago and is not sent yet."""
    from projects.tasks import invitation_send as task

    now = now or timezone.now()
    waiting = list(
        Invitation.objects.filter(
            sent_at=None,
            accepted_at=None,
            revoked_at=None,
            expires_at__gt=now,
            updated_at__lt=now - datetime.timedelta(minutes=SWEEP_AFTER_MINUTES),
        ).values_list("pk", flat=True)
    )
    for invitation_id in waiting:
        task.delay(invitation_id)
    return len(waiting)


def _joined_letter(*, event: str, notice: Notice) -> Letter | None:
    """The inviter's mail: who joined, as what, and the production's page."""
    invitation = (
        Invitation.objects.select_related("project", "accepted_by")
        .filter(pk=int(event.split(":")[1]), accepted_at__isnull=False)
        .first()
    )
    if invitation is None:
        return None
    path = reverse("project-detail", args=[invitation.project_id])
    body = (
        f"{notice.subject}.\n\n"
        f"They accepted the invitation you sent to {invitation.email} on "
        f"{invitation.accepted_at:%d %b %Y at %H:%M} UTC.\n\n"
        f"The production: {settings.SITE_URL}{path}\n"
    )
    return Letter(subject=notice.subject, body=body)


notice_writer_register("joined", _joined_letter)
