"""Joining and signing in, as people do it in the browser: an invitation from the hub taken
up by a new engineer and by someone with an account, a withdrawn link, a forgotten password,
and two-factor sign-in set up and then asked for."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail
from playwright.sync_api import expect

from projects.models import Invitation, Membership, Project, Role
from projects.services import invitation_create
from projects.services.joining import invitation_link
from tests.browser.conftest import look
from tests.factories import PASSWORD, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NEW_PASSWORD = "lacquer-cut-33rpm"


def low_tide() -> Project:
    return Project.objects.get(title="Low Tide Sessions")


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def mailed_link(to: str, pattern: str) -> str:
    message = [m for m in mail.outbox if m.to == [to]][-1]
    found = re.search(pattern, str(message.body))
    assert found, message.body
    return path_of(found.group(0))


def sign_in(page: Any, login: str, password: str) -> None:
    page.get_by_label("Username or e-mail").fill(login)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_a_producer_invites_an_engineer_who_signs_up_from_the_mail(
    page_as: Any, anonymous_page: Any, demo: dict[str, Any]
) -> None:
    project = low_tide()
    page = page_as(demo["demo"])
    page.goto(f"/projects/{project.pk}/")
    invite = page.locator(f'form[action="/projects/{project.pk}/invitations/"]')
    invite.get_by_label("E-mail address").fill("ada.reel@example.com")
    invite.get_by_label("Role").select_option("engineer")
    invite.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to ada.reel@example.com")).to_be_visible()
    expect(page.locator("table.invitations")).to_contain_text("ada.reel@example.com")
    look(page, "hub-invitations")

    newcomer = anonymous_page
    newcomer.goto(mailed_link("ada.reel@example.com", r"http://\S+/invitations/\S+/"))
    expect(newcomer.get_by_role("heading", name="Join Low Tide Sessions")).to_be_visible()
    expect(newcomer.get_by_text("Robin Marsh invites you")).to_be_visible()
    look(newcomer, "invitation")
    newcomer.get_by_role("link", name="Make an account").click()
    expect(newcomer.get_by_label("Email")).to_have_value("ada.reel@example.com")
    look(newcomer, "signup")
    newcomer.get_by_label("Your name").fill("Ada Reel")
    newcomer.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    newcomer.get_by_label("Password (again)").fill(NEW_PASSWORD)
    newcomer.get_by_role("button", name="Sign Up").click()
    expect(newcomer.get_by_role("heading", level=1, name="Low Tide Sessions")).to_be_visible()
    expect(newcomer.locator(".facts")).to_contain_text("Engineer")
    member = Membership.objects.get(project=project, user__email="ada.reel@example.com")
    assert member.role == Role.ENGINEER


def test_someone_with_an_account_signs_in_and_accepts(
    anonymous_page: Any, demo: dict[str, Any]
) -> None:
    project = low_tide()
    UserFactory.create(username="ada", email="ada@example.com")
    invitation = invitation_create(
        project=project, email="ada.work@example.com", role=Role.ARTIST, by=demo["demo"]
    )
    page = anonymous_page
    page.goto(path_of(invitation_link(invitation)))
    page.get_by_role("link", name="Sign in to accept").click()
    look(page, "sign-in")
    sign_in(page, "ada", PASSWORD)
    expect(page.get_by_text("You are signed in as ada")).to_be_visible()
    page.get_by_role("button", name="Join as artist").click()
    expect(
        page.get_by_text("You joined The Marlow Echoes: Low Tide Sessions as artist")
    ).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("Artist")


def test_a_withdrawn_link_refuses(page_as: Any, anonymous_page: Any, demo: dict[str, Any]) -> None:
    project = low_tide()
    invitation = Invitation.objects.get(project=project, email="mastering@example.com")
    link = path_of(invitation_link(invitation))
    page = page_as(demo["demo"])
    page.goto(f"/projects/{project.pk}/")
    page.get_by_role("button", name="Withdraw the invitation to mastering@example.com").click()
    expect(page.get_by_text("Withdrew the invitation to mastering@example.com")).to_be_visible()
    expect(page.locator(f"#invitation-{invitation.pk}")).to_contain_text("Revoked")
    response = anonymous_page.goto(link)
    assert response is not None and response.status == 410
    expect(anonymous_page.get_by_text("This invitation was withdrawn")).to_be_visible()
    expect(anonymous_page.get_by_role("link", name="Make an account")).to_have_count(0)
    look(anonymous_page, "invitation-withdrawn")


def test_a_forgotten_password_is_reset(anonymous_page: Any, demo: dict[str, Any]) -> None:
    page = anonymous_page
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("robin.marsh@example.com")
    page.get_by_role("button", name="Reset My Password").click()
    expect(page.get_by_role("heading", name="Password Reset")).to_be_visible()
    page.goto(
        mailed_link("robin.marsh@example.com", r"http://\S+/accounts/password/reset/key/\S+/")
    )
    look(page, "password-reset")
    page.get_by_label("New Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New Password (again)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change Password").click()
    expect(page.get_by_text("Your password is now changed.")).to_be_visible()
    page.goto("/accounts/login/")
    sign_in(page, "robin.marsh@example.com", NEW_PASSWORD)
    expect(page.get_by_role("heading", name=re.compile(r"^Today"))).to_be_visible()


def test_two_factor_is_set_up_then_asked_for(
    page_as: Any, anonymous_page: Any, live_server: Any
) -> None:
    user = UserFactory.create(username="wren2", email="wren2@example.com")
    page = page_as(user)
    page.goto("/account/")
    look(page, "account")
    page.get_by_role("link", name="Two-factor sign-in").click()
    page.get_by_role("link", name="Activate").click()
    if page.get_by_role("heading", name="Confirm Access").is_visible():
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    secret = page.locator("#authenticator_secret").input_value()
    look(page, "totp-activate")
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    page.get_by_label("Authenticator code").fill(code)
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("Authenticator app activated.")).to_be_visible()
    page.goto("/account/")
    expect(page.locator("main")).to_contain_text("Two-factor sign-in: on")

    fresh = anonymous_page
    fresh.goto("/")
    sign_in(fresh, "wren2", PASSWORD)
    expect(fresh.get_by_label("Code", exact=True)).to_be_visible()
    look(fresh, "two-factor-code")
    # Codes are used once: the next window's, as the app would show it.
    counter = next(yield_hotp_counters_from_time())
    fresh.get_by_label("Code", exact=True).fill(format_hotp_value(hotp_value(secret, counter + 1)))
    fresh.get_by_role("button", name="Sign In").click()
    expect(fresh.get_by_role("heading", name=re.compile(r"^Today"))).to_be_visible()


def test_a_security_key_is_added_then_asked_for(anonymous_page: Any) -> None:
    """WebAuthn with Chromium's virtual authenticator (a security key that always says yes):
    added on the account's two-factor page, then used at the next sign-in."""
    UserFactory.create(username="keyholder", email="keyholder@example.com")
    page = anonymous_page
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    page.goto("/accounts/login/")
    sign_in(page, "keyholder", PASSWORD)
    page.goto("/accounts/2fa/webauthn/add/")
    if "reauthenticate" in page.url:
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    page.get_by_label("Name").fill("Studio key")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    look(page, "recovery-codes")
    page.goto("/account/")
    expect(page.locator("main")).to_contain_text("Two-factor sign-in: on")
    page.get_by_role("button", name="Sign out keyholder").click()

    page.goto("/accounts/login/")
    sign_in(page, "keyholder", PASSWORD)
    page.get_by_role("button", name="Use a security key").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Today"))).to_be_visible()
