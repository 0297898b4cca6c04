"""Accounts: who may sign up, password reset, signing out everywhere, and two-factor sign-in
required by a production or by the admin."""

import re
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.mfa.utils import decrypt
from allauth.usersessions.models import UserSession
from django.core import mail
from django.test import Client
from rest_framework.authtoken.models import Token

from projects.models import Project, Role
from projects.services import token_rotate
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(username: str, password: str = PASSWORD) -> Client:
    """A browser signed in through the form, as a person would (so the session is recorded)."""
    client = Client()
    response = client.post("/accounts/login/", {"login": username, "password": password})
    assert response.status_code == 302, response.content[:2000]
    return client


def code_for(user: Any) -> str:
    secret = decrypt(Authenticator.objects.get(user=user, type="totp").data["secret"])
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


@pytest.mark.parametrize(("mode", "opens"), [("open", True), ("invite", False), ("closed", False)])
def test_sign_up_follows_the_setting(settings: Any, mode: str, opens: bool) -> None:
    settings.SIGNUP = mode
    page = Client().get("/accounts/signup/").content.decode()
    assert ('name="password1"' in page) is opens
    assert ("Sign Up Closed" in page) is not opens
    Client().post(
        "/accounts/signup/",
        {
            "name": "X",
            "email": "x@example.com",
            "password1": "a-long-pass-99",
            "password2": "a-long-pass-99",
        },
    )
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.filter(email="x@example.com").exists() is opens


def test_sign_up_refuses_bad_input_beside_the_fields(settings: Any) -> None:
    settings.SIGNUP = "open"
    response = Client().post(
        "/accounts/signup/",
        {"name": "", "email": "not-an-address", "password1": "123", "password2": "456"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    for field in ("name", "email", "password1"):
        assert f'id="id_{field}-error"' in page, field
    bell = Client().post(
        "/accounts/signup/",
        {
            "name": "Bell\x07",
            "email": "bell@example.com",
            "password1": "a-long-pass-99",
            "password2": "a-long-pass-99",
        },
    )
    assert 'id="id_name-error"' in bell.content.decode()
    assert not mail.outbox
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.exists()


def test_password_reset_answers_the_same_and_resets(owner: Any) -> None:
    known = Client().post("/accounts/password/reset/", {"email": "owner@example.com"})
    unknown = Client().post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/accounts/password/reset/done/"
    reset = next(m for m in mail.outbox if m.to == ["owner@example.com"])
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", str(reset.body))
    assert link, reset.body
    client = Client()
    form = client.get(link.group(1))
    assert form.status_code == 302
    done = client.post(
        form["Location"], {"password1": "new-tape-hiss-2026", "password2": "new-tape-hiss-2026"}
    )
    assert done.status_code == 302
    sign_in("owner", "new-tape-hiss-2026")
    refused = Client().post("/accounts/login/", {"login": "owner", "password": PASSWORD})
    assert refused.status_code == 200


def test_sign_out_everywhere_ends_every_session_and_the_token(owner: Any) -> None:
    laptop, phone = sign_in("owner"), sign_in("owner")
    token_rotate(user=owner)
    assert UserSession.objects.filter(user=owner).count() == 2
    response = laptop.post("/account/sign-out-everywhere/")
    assert response["Location"] == "/accounts/login/"
    for client in (laptop, phone):
        assert client.get("/")["Location"].startswith("/accounts/login/")
    assert not Token.objects.filter(user=owner).exists()
    assert not UserSession.objects.filter(user=owner).exists()
    assert Client().get("/account/sign-out-everywhere/").status_code == 302


def test_a_production_that_requires_two_factor_sends_its_members_to_set_it_up(
    owner: Any, collaborator: Any, project: Project
) -> None:
    viewer = sign_in("collaborator")
    assert viewer.get("/").status_code == 200
    producer = sign_in("owner")
    form = producer.get(f"/projects/{project.pk}/edit/").content.decode()
    assert 'name="require_two_factor"' in form
    data = {
        "title": project.title,
        "artist": project.artist,
        "client": project.client,
        "currency": project.currency,
        "status": project.status,
        "require_two_factor": "on",
    }
    assert producer.post(f"/projects/{project.pk}/edit/", data).status_code == 302
    project.refresh_from_db()
    assert project.require_two_factor
    # The already signed-in member is sent to set it up at their next page; the API says so.
    response = viewer.get("/")
    assert response["Location"] == "/accounts/2fa/"
    assert viewer.get("/api/v1/projects/").status_code == 403
    assert viewer.get("/accounts/2fa/").status_code == 200
    TOTP.activate(collaborator, generate_totp_secret())
    # Set up (here straight into the table, as the setup page does): in once signed in again
    # with the code.
    again = Client()
    step = again.post("/accounts/login/", {"login": "collaborator", "password": PASSWORD})
    assert step["Location"] == "/accounts/2fa/authenticate/"
    assert again.get("/")["Location"].startswith("/accounts/login/")
    wrong = again.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert (
        again.post("/accounts/2fa/authenticate/", {"code": code_for(collaborator)})["Location"]
        == "/"
    )
    assert again.get("/").status_code == 200
    # While required, the last second factor stays.
    totp = Authenticator.objects.get(user=collaborator, type="totp")
    from allauth.mfa.adapter import get_adapter

    assert get_adapter().can_delete_authenticator(totp) is False


def test_only_a_producer_changes_the_requirement(owner: Any, project: Project) -> None:
    manager = UserFactory.create(username="manager")
    MembershipFactory.create(project=project, user=manager, role=Role.MANAGER)
    client = Client()
    client.force_login(manager)
    form = client.get(f"/projects/{project.pk}/edit/").content.decode()
    assert re.search(r'name="require_two_factor"[^>]*disabled', form)
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(manager)
    response = api.patch(f"/api/v1/projects/{project.pk}/", {"require_two_factor": True})
    assert response.status_code == 403
    project.refresh_from_db()
    assert not project.require_two_factor
    producer = APIClient()
    producer.force_authenticate(owner)
    response = producer.patch(f"/api/v1/projects/{project.pk}/", {"require_two_factor": True})
    assert response.status_code == 200 and response.json()["require_two_factor"] is True


def test_joining_a_production_that_requires_it_asks_at_once(owner: Any, project: Project) -> None:
    Project.objects.filter(pk=project.pk).update(require_two_factor=True)
    newcomer = UserFactory.create(username="newcomer")
    client = sign_in("newcomer")
    assert client.get("/").status_code == 200
    from projects.services import invitation_accept, invitation_create

    invitation = invitation_create(project=project, email="n@example.com", role="viewer", by=owner)
    invitation_accept(invitation=invitation, user=newcomer)
    assert client.get("/")["Location"] == "/accounts/2fa/"


def test_the_admin_requires_a_second_factor_of_staff() -> None:
    staff = UserFactory.create(username="staffer", is_staff=True, is_superuser=True)
    Authenticator.objects.filter(user=staff).delete()
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    assert client.get("/admin/login/?next=/admin/")["Location"] == "/accounts/2fa/"
    TOTP.activate(staff, generate_totp_secret())
    assert client.get("/admin/").status_code == 200
    totp = Authenticator.objects.get(user=staff)
    from allauth.mfa.adapter import get_adapter

    assert get_adapter().can_delete_authenticator(totp) is False
    # Not staff: refused, whatever factors they have.
    member = UserFactory.create(username="member")
    TOTP.activate(member, generate_totp_secret())
    other = Client()
    other.force_login(member)
    assert other.get("/admin/login/").status_code == 403


def test_totp_secrets_are_stored_encrypted() -> None:
    user = UserFactory.create(username="keyed")
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    stored = Authenticator.objects.get(user=user).data["secret"]
    assert secret not in stored
    assert decrypt(stored) == secret


def test_single_sign_on_shows_only_when_configured(settings: Any) -> None:
    assert "Single sign-on" not in Client().get("/accounts/login/").content.decode()
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "studio-sso",
                    "name": "Studio sign-on",
                    "client_id": "tracksheet",
                    "secret": "not-a-real-secret",
                    "settings": {"server_url": "https://id.example.com/realms/studio"},
                }
            ]
        }
    }
    page = Client().get("/accounts/login/").content.decode()
    assert "Studio sign-on" in page
    assert "/accounts/oidc/studio-sso/login/" in page


def test_set_up_in_another_browser_lifts_the_mark(
    owner: Any, collaborator: Any, project: Project
) -> None:
    laptop = sign_in("collaborator")
    Project.objects.filter(pk=project.pk).update(require_two_factor=True)
    from projects.accounts import ask_two_factor

    assert ask_two_factor([collaborator]) == 1
    assert laptop.get("/")["Location"] == "/accounts/2fa/"
    TOTP.activate(collaborator, generate_totp_secret())
    assert laptop.get("/").status_code == 200
    assert laptop.get("/api/v1/projects/").status_code == 200
