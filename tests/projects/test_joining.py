"""Joining a production by invitation: the hub's form, the mail, the link's page, sign-up
from it, accepting with an account, resending and withdrawing, and the refusals."""

import datetime
import re
from typing import Any
from urllib.parse import quote

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.utils import timezone

from projects.models import Invitation, Membership, Person, PersonCard, Project, Role
from projects.services import invitation_accept, invitation_create
from tests.factories import PASSWORD, MembershipFactory, PersonFactory, UserFactory

# Committed for real: the mails go out once the invitation's row commits.
pytestmark = pytest.mark.django_db(transaction=True)

LINK = re.compile(r"http://\S+/invitations/(\S+)/")


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def invite(
    client: Client, project: Project, email: str, role: str = "engineer", **extra: Any
) -> Any:
    return client.post(
        f"/projects/{project.pk}/invitations/", {"email": email, "role": role, **extra}
    )


def link_in(message: Any) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return f"/invitations/{found.group(1)}/"


def sign_up(client: Client, email: str, name: str = "Ada Reel") -> Any:
    return client.post(
        "/accounts/signup/",
        {
            "name": name,
            "email": email,
            "password1": "tape-hiss-1979",
            "password2": "tape-hiss-1979",
        },
    )


def test_a_producer_invites_and_the_engineer_signs_up_from_the_mail(
    owner: Any, project: Project
) -> None:
    response = invite(signed_in(owner), project, "Ada@Example.com")
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/#members"
    invitation = Invitation.objects.get(project=project)
    assert invitation.email == "ada@example.com"
    assert invitation.state == Invitation.State.PENDING
    assert invitation.sent_at is not None and invitation.send_count == 1
    (message,) = mail.outbox
    assert message.to == ["ada@example.com"]
    assert "owner invites you to The Test Echoes: Low Tide" in message.subject
    assert "as engineer" in message.body

    newcomer = Client()
    page = newcomer.get(link_in(message))
    assert page.status_code == 200
    assert b"Make an account" in page.content and b"Sign in to accept" in page.content
    form = newcomer.get("/accounts/signup/")
    assert form.status_code == 200
    assert b'value="ada@example.com"' in form.content

    response = sign_up(newcomer, "ada@example.com")
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/"
    membership = Membership.objects.get(project=project, user__email="ada@example.com")
    assert membership.role == Role.ENGINEER
    user = membership.user
    assert user.first_name == "Ada Reel"
    assert Person.objects.get(user=user).name == "Ada Reel"
    assert PersonCard.objects.get(person__user=user, project=project).email == "ada@example.com"
    # The invitation's link came to that address: it counts as verified, no mail to confirm.
    assert EmailAddress.objects.get(user=user).verified
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.ACCEPTED and invitation.accepted_by == user
    assert newcomer.get(f"/projects/{project.pk}/").status_code == 200
    # Who invited hears that the engineer joined.
    told = mail.outbox[1]
    assert told.to == ["owner@example.com"]
    assert told.subject == "Ada Reel joined The Test Echoes: Low Tide as engineer"
    assert f"/projects/{project.pk}/" in told.body
    assert len(mail.outbox) == 2


def test_an_address_typed_at_sign_up_is_verified_before_use(owner: Any, project: Project) -> None:
    invite(signed_in(owner), project, "ada@example.com")
    newcomer = Client()
    newcomer.get(link_in(mail.outbox[0]))
    response = sign_up(newcomer, "ada.other@example.com")
    # Joined: the link proved the invited mailbox, which is the account's address; the one
    # typed instead waits for its own mail's link before anything is sent to it.
    assert response["Location"] == f"/projects/{project.pk}/"
    user = Membership.objects.get(project=project, role=Role.ENGINEER).user
    addresses = {a.email: (a.verified, a.primary) for a in EmailAddress.objects.filter(user=user)}
    assert addresses == {
        "ada@example.com": (True, True),
        "ada.other@example.com": (False, False),
    }
    assert user.email == "ada@example.com"
    # Nothing went to the typed address: the invitation, then the inviter's news.
    assert [m.to for m in mail.outbox] == [["ada@example.com"], ["owner@example.com"]]


def test_without_an_invitation_an_open_sign_up_waits_for_the_address(
    settings: Any, project: Project
) -> None:
    settings.SIGNUP = "open"
    client = Client()
    response = sign_up(client, "walk.in@example.com")
    assert response["Location"] == "/accounts/confirm-email/"
    assert client.get("/").status_code == 302
    (message,) = mail.outbox
    confirm = re.search(r"http://\S+/accounts/confirm-email/\S+/", str(message.body))
    assert confirm, message.body
    client.post(confirm.group(0).split("testserver")[-1])
    assert client.get("/").status_code == 200
    assert Person.objects.get(user__email="walk.in@example.com").name == "Ada Reel"
    assert not Membership.objects.filter(user__email="walk.in@example.com").exists()


def test_someone_with_an_account_signs_in_and_accepts(owner: Any, project: Project) -> None:
    engineer = UserFactory.create(username="engineer")
    invite(signed_in(owner), project, "someone.else@example.com", role="artist")
    link = link_in(mail.outbox[0])
    anonymous = Client()
    assert anonymous.post(link)["Location"] == f"/accounts/login/?next={link}"
    client = Client()
    login = client.post(
        f"/accounts/login/?next={link}", {"login": "engineer", "password": PASSWORD}
    )
    assert login["Location"] == link
    page = client.get(link)
    assert b"You are signed in as <strong>engineer</strong>" in page.content
    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == f"/projects/{project.pk}/"
    assert Membership.objects.get(project=project, user=engineer).role == Role.ARTIST
    # Used up: the same link again says so and changes nothing.
    again = client.post(link)
    assert again.status_code == 410
    assert b"already accepted" in again.content


def test_a_member_already_keeps_their_role(owner: Any, collaborator: Any, project: Project) -> None:
    invitation = invitation_create(
        project=project, email="c@example.com", role=Role.ENGINEER, by=owner
    )
    membership = invitation_accept(invitation=invitation, user=collaborator)
    assert membership.role == Role.VIEWER
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.ACCEPTED


def test_the_answer_is_the_same_for_known_and_unknown_addresses(
    owner: Any, project: Project
) -> None:
    UserFactory.create(username="known", email="known@example.com")
    client = signed_in(owner)
    known = invite(client, project, "known@example.com")
    unknown = invite(client, project, "nobody@example.com")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    first, second = mail.outbox
    assert LINK.sub("", str(first.body)).replace("known@", "X@") == LINK.sub(
        "", str(second.body)
    ).replace("nobody@", "X@")
    assert first.subject == second.subject
    # The link's pages read the same too: both offer to make an account or sign in.
    pages = []
    for message in (first, second):
        link = link_in(message)
        page = Client().get(link).content.replace(quote(link, safe="/").encode(), b"LINK")
        pages.append(re.sub(rb'"X-CSRFToken": "[^"]+"', b"", page))
    assert pages[0].replace(b"known@", b"X@") == pages[1].replace(b"nobody@", b"X@")


def test_a_manager_cannot_invite_a_producer(project: Project) -> None:
    manager = UserFactory.create(username="manager")
    MembershipFactory.create(project=project, user=manager, role=Role.MANAGER)
    response = invite(signed_in(manager), project, "boss@example.com", role="producer")
    assert response.status_code == 400
    assert b"may not make a producer" in response.content
    assert not Invitation.objects.exists() and not mail.outbox
    assert invite(signed_in(manager), project, "eng@example.com").status_code == 302


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "not-an-address", "role": "engineer"}, "email", b"Enter a valid email"),
        ({"email": "", "role": "engineer"}, "email", b"This field is required"),
        ({"email": "a@example.com", "role": "overlord"}, "role", b"Select a valid choice"),
    ],
)
def test_bad_input_is_refused_beside_its_field(
    owner: Any, project: Project, data: dict[str, str], field: str, message: bytes
) -> None:
    response = signed_in(owner).post(f"/projects/{project.pk}/invitations/", data)
    assert response.status_code == 400
    assert message in response.content
    assert f'id="invite-{field}-error"'.encode() in response.content
    assert not Invitation.objects.exists() and not mail.outbox


def test_a_contact_from_another_project_is_refused(owner: Any, project: Project) -> None:
    stranger = PersonFactory.create(name="Elsewhere Person")
    response = invite(signed_in(owner), project, "e@example.com", person=stranger.pk)
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_outsiders_get_404_and_viewers_403(
    owner: Any, collaborator: Any, outsider: Any, project: Project
) -> None:
    invitation = invitation_create(project=project, email="x@example.com", role="viewer", by=owner)
    base = f"/projects/{project.pk}/invitations/"
    for path in (base, f"{base}{invitation.pk}/resend/", f"{base}{invitation.pk}/revoke/"):
        assert (
            signed_in(outsider).post(path, {"email": "y@example.com", "role": "viewer"}).status_code
            == 404
        )
        assert signed_in(collaborator).post(
            path, {"email": "y@example.com", "role": "viewer"}
        ).status_code in (400, 403)
    invitation.refresh_from_db()
    assert invitation.revoked_at is None and Invitation.objects.count() == 1
    # A viewer sees neither the invitations nor their addresses on the hub.
    assert b"x@example.com" not in signed_in(collaborator).get(f"/projects/{project.pk}/").content
    assert b"x@example.com" in signed_in(owner).get(f"/projects/{project.pk}/").content


def test_a_withdrawn_invitation_says_so(owner: Any, project: Project) -> None:
    client = signed_in(owner)
    invite(client, project, "ada@example.com")
    invitation = Invitation.objects.get()
    link = link_in(mail.outbox[0])
    response = client.post(f"/projects/{project.pk}/invitations/{invitation.pk}/revoke/")
    assert response.status_code == 302
    page = Client().get(link)
    assert page.status_code == 410
    assert b"This invitation was withdrawn" in page.content
    newcomer = Client()
    newcomer.get(link)
    # Sign-up stays closed to the browser that holds a withdrawn link.
    assert b"Make an account" not in newcomer.get("/accounts/signup/").content
    sign_up(newcomer, "ada@example.com")
    assert not Membership.objects.filter(project=project, user__email="ada@example.com").exists()


def test_an_expired_invitation_says_so_and_a_resend_gives_a_new_link(
    owner: Any, project: Project, time_machine: time_machine.TimeMachineFixture, settings: Any
) -> None:
    settings.INVITATION_DAYS = 2
    client = signed_in(owner)
    invite(client, project, "ada@example.com")
    old_link = link_in(mail.outbox[0])
    time_machine.move_to(timezone.now() + datetime.timedelta(days=3))
    page = Client().get(old_link)
    assert page.status_code == 410 and b"This invitation expired on" in page.content
    invitation = Invitation.objects.get()
    assert b"Expired" in client.get(f"/projects/{project.pk}/").content
    client.post(f"/projects/{project.pk}/invitations/{invitation.pk}/resend/")
    new_link = link_in(mail.outbox[1])
    assert new_link != old_link
    assert Client().get(old_link).status_code == 404
    assert Client().get(new_link).status_code == 200
    invitation.refresh_from_db()
    assert invitation.send_count == 2 and invitation.state == Invitation.State.PENDING


def test_inviting_an_address_again_renews_the_open_invitation(owner: Any, project: Project) -> None:
    client = signed_in(owner)
    invite(client, project, "ada@example.com", role="viewer")
    invite(client, project, "ADA@example.com", role="engineer")
    invitation = Invitation.objects.get()
    assert invitation.role == Role.ENGINEER
    assert Client().get(link_in(mail.outbox[0])).status_code == 404
    assert Client().get(link_in(mail.outbox[1])).status_code == 200


def test_an_invitation_from_someone_since_demoted_no_longer_holds(
    owner: Any, project: Project
) -> None:
    manager = UserFactory.create(username="manager")
    membership = MembershipFactory.create(project=project, user=manager, role=Role.MANAGER)
    invite(signed_in(manager), project, "ada@example.com", role="manager")
    membership.role = Role.VIEWER
    membership.save()
    page = Client().get(link_in(mail.outbox[0]))
    assert page.status_code == 410 and b"no longer holds" in page.content


def test_a_link_the_site_did_not_make_is_404(project: Project) -> None:
    assert Client().get("/invitations/not-a-token/").status_code == 404
    assert Client().get("/invitations/WzEsImFiYyJd:1abc:forged/").status_code == 404


def test_a_contact_card_invites_its_person(owner: Any, project: Project) -> None:
    contact = PersonFactory.create(name="Juniper Test")
    PersonCard.objects.create(person=contact, project=project, email="juniper@example.com")
    client = signed_in(owner)
    people = client.get("/people/")
    assert f"/projects/{project.pk}/?invite={contact.pk}#invite".encode() in people.content
    hub = client.get(f"/projects/{project.pk}/?invite={contact.pk}")
    assert b'value="juniper@example.com"' in hub.content
    invite(client, project, "juniper@example.com", role="artist", person=contact.pk)
    newcomer = Client()
    newcomer.get(link_in(mail.outbox[0]))
    sign_up(newcomer, "juniper@example.com", name="Juniper T.")
    contact.refresh_from_db()
    # The account is that contact now: their cards, sessions and pay follow them.
    assert contact.user is not None and contact.user.email == "juniper@example.com"
    assert Person.objects.filter(name="Juniper T.").count() == 0


def test_the_mail_is_sent_once_per_link(owner: Any, project: Project) -> None:
    from projects.services import invitation_send, invitation_sweep

    invitation = invitation_create(project=project, email="a@example.com", role="viewer", by=owner)
    assert len(mail.outbox) == 1
    assert invitation_send(invitation_id=invitation.pk) is False
    Invitation.objects.filter(pk=invitation.pk).update(
        sent_at=None, updated_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert invitation_sweep() == 1
    assert len(mail.outbox) == 2
