"""How fast anyone may guess: sign-in lockouts (pages, admin) and API throttles.

The clock is time-machine's, stopped: the cool-off and the throttle windows pass by moving it,
and a stopped clock makes every Retry-After exact.
"""

import datetime
import re
import secrets
from typing import Any

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.mfa.utils import decrypt
from axes.models import AccessAttempt
from django.conf import LazySettings
from django.core.cache import cache
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config import settings as configured
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
GUESSER = "203.0.113.7"
ELSEWHERE = "198.51.100.20"
PROJECTS = "/api/v1/projects/"


@pytest.fixture(autouse=True)
def _lockouts_and_throttles_on(settings: LazySettings) -> None:
    """tests/conftest.py turns both off for every other test; here they run as configured."""
    settings.AXES_ENABLED = True
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, **configured.REST_FRAMEWORK}


@pytest.fixture
def clock(time_machine: time_machine.TimeMachineFixture) -> time_machine.TimeMachineFixture:
    time_machine.move_to(START, tick=False)
    return time_machine


def browser(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def log_in(client: Client, username: str, password: str, url: str = "/accounts/login/") -> Any:
    return client.post(url, {"login": username, "password": password})


def second_factor(client: Client, user: Any) -> Any:
    """The code of the user's authenticator app, on the page that asks for it."""
    secret = decrypt(Authenticator.objects.get(user=user, type="totp").data["secret"])
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    return client.post("/accounts/2fa/authenticate/", {"code": code})


def signed_in(client: Client) -> bool:
    return client.get("/").status_code == 200


def test_settings_are_the_documented_defaults() -> None:
    # The other tests count to these; the README's Production table names them.
    assert configured.SIGNIN_FAILURE_LIMIT == 5
    assert configured.SIGNIN_ADDRESS_FAILURE_LIMIT == 20
    assert configured.SIGNIN_COOLOFF_MINUTES == 15
    assert configured.PROXY_COUNT == 0  # without HTTPS=true: no proxy header is trusted
    assert configured.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {
        "user": "2000/hour",
        "anon": "100/hour",
        "token_failure": "20/hour",
    }


def test_right_password_signs_in_on_the_site_and_the_admin(owner: Any) -> None:
    """Axes sits in front of the session login without getting in its way."""
    client = browser(GUESSER)
    response = log_in(client, "owner", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in(client)

    root = UserFactory.create(username="root", is_staff=True, is_superuser=True)
    admin = browser(GUESSER)
    # The admin signs in through the site's form, then asks for the second factor.
    assert admin.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    assert (
        admin.get("/admin/login/?next=/admin/")["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    )
    response = log_in(admin, "root", PASSWORD, url="/accounts/login/?next=/admin/")
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert admin.get("/admin/").status_code == 302
    response = second_factor(admin, root)
    assert response["Location"] == "/admin/"
    assert admin.get("/admin/").status_code == 200


def test_account_is_locked_after_five_wrong_passwords(
    owner: Any, collaborator: Any, clock: Any
) -> None:
    client = browser(GUESSER)
    for _ in range(4):
        response = log_in(client, "owner", "wrong-guess")
        assert response.status_code == 200
        assert "username and/or password you specified are not correct" in response.content.decode()

    fifth = log_in(client, "owner", "wrong-guess")
    assert fifth.status_code == 429

    refused = log_in(client, "owner", PASSWORD)
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(15 * 60 + 1)  # the lock holds through 09:15:00
    page = refused.content.decode()
    assert "Too many sign-in attempts" in page
    assert "09:15 UTC" in page
    assert "in 15 minutes" in page
    assert not signed_in(client)

    # The lock is on this username from this address: another account here, and this account
    # from elsewhere, still sign in.
    colleague = browser(GUESSER)
    assert log_in(colleague, "collaborator", PASSWORD).status_code == 302
    away = browser(ELSEWHERE)
    assert log_in(away, "owner", PASSWORD).status_code == 302
    assert signed_in(away)


def test_lock_lifts_after_the_cool_off(owner: Any, clock: Any) -> None:
    """Retrying during the lock neither extends it nor moves the time the page gives."""
    client = browser(GUESSER)
    for _ in range(5):
        log_in(client, "owner", "wrong-guess")

    stored = list(AccessAttempt.objects.values_list("failures_since_start", "post_data"))

    clock.shift(datetime.timedelta(minutes=10))
    for _ in range(3):
        refused = log_in(client, "owner", PASSWORD)
        assert refused.status_code == 429
        assert refused["Retry-After"] == str(5 * 60 + 1)
        assert "09:15 UTC" in refused.content.decode()
        assert "in 5 minutes" in refused.content.decode()

    # Hammering a lock is not recorded: no count, no row grows.
    assert list(AccessAttempt.objects.values_list("failures_since_start", "post_data")) == stored

    clock.shift(datetime.timedelta(minutes=4, seconds=59))
    last_second = log_in(client, "owner", PASSWORD)
    assert last_second.status_code == 429
    assert last_second["Retry-After"] == "2"
    clock.shift(datetime.timedelta(seconds=1))
    # The lock holds through 09:15:00 itself.
    assert log_in(client, "owner", PASSWORD).status_code == 429

    clock.shift(datetime.timedelta(seconds=1))
    response = log_in(client, "owner", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_an_address_guessing_across_usernames_is_locked(owner: Any, clock: Any) -> None:
    """Twenty wrong passwords from one address, never more than one per username, lock the
    address: even a right password from it is refused, while other addresses sign in."""
    client = browser(GUESSER)
    for n in range(19):
        response = log_in(client, f"guess{n}", "wrong-guess")
        assert response.status_code == 200, n
    assert log_in(client, "guess19", "wrong-guess").status_code == 429

    assert log_in(browser(GUESSER), "owner", PASSWORD).status_code == 429
    assert log_in(browser(ELSEWHERE), "owner", PASSWORD).status_code == 302

    clock.shift(datetime.timedelta(minutes=16))
    assert log_in(browser(GUESSER), "owner", PASSWORD).status_code == 302


def test_the_admins_sign_in_is_locked_too(clock: Any) -> None:
    """The admin has no password form of its own: it sends to the site's, and its lock."""
    UserFactory.create(username="root", is_staff=True, is_superuser=True)
    client = browser(GUESSER)
    assert client.post("/admin/login/", {"username": "root", "password": "x"}).status_code == 302
    url = "/accounts/login/?next=/admin/"
    for _ in range(4):
        assert log_in(client, "root", "wrong-guess", url=url).status_code == 200
    assert log_in(client, "root", "wrong-guess", url=url).status_code == 429

    refused = log_in(client, "root", PASSWORD, url=url)
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(15 * 60 + 1)  # the lock holds through 09:15:00
    assert client.get("/admin/").status_code == 302
    assert not AccessAttempt.objects.filter(username="x").exists()


def test_signing_in_by_address_counts_against_the_same_lock(owner: Any, clock: Any) -> None:
    """The form takes a username or an e-mail address: guesses by address are counted and
    locked as by username, and the lock page is the same."""
    client = browser(GUESSER)
    for _ in range(4):
        assert log_in(client, "owner@example.com", "wrong-guess").status_code == 200
    locked = log_in(client, "owner@example.com", "wrong-guess")
    assert locked.status_code == 429
    assert b"Too many sign-in attempts" in locked.content
    assert log_in(client, "owner@example.com", PASSWORD).status_code == 429
    # Unknown and known addresses get the same refusal before the lock.
    fresh = browser(ELSEWHERE)
    known = log_in(fresh, "owner@example.com", "wrong-guess").content
    unknown = log_in(fresh, "nobody@example.com", "wrong-guess").content
    strip = re.compile(rb'(value=|"X-CSRFToken": )"[^"]*"')
    assert strip.sub(b"", known).replace(b"owner@", b"X@") == strip.sub(b"", unknown).replace(
        b"nobody@", b"X@"
    )


def test_behind_a_proxy_each_caller_is_counted_on_its_own(
    owner: Any, settings: LazySettings, clock: Any
) -> None:
    """With PROXY_COUNT=1 the caller is the address the proxy appended to X-Forwarded-For:
    callers behind one proxy are told apart, and writing addresses in front of one's own
    changes nothing."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = "10.0.0.2"
    guesser = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=GUESSER)
    for _ in range(5):
        log_in(guesser, "owner", "wrong-guess")
    assert log_in(guesser, "owner", PASSWORD).status_code == 429
    forged = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.99, {GUESSER}")
    assert log_in(forged, "owner", PASSWORD).status_code == 429
    colleague = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=ELSEWHERE)
    assert log_in(colleague, "owner", PASSWORD).status_code == 302


def api_client(address: str, token: str | None = None) -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    if token is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_anonymous_api_requests_are_throttled_per_address(clock: Any) -> None:
    client = api_client(GUESSER)
    for n in range(100):
        assert client.get(PROJECTS).status_code == 401, n
    response = client.get(PROJECTS)
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert "throttled" in response.json()["detail"]

    assert api_client(ELSEWHERE).get(PROJECTS).status_code == 401

    clock.shift(datetime.timedelta(hours=1))
    assert client.get(PROJECTS).status_code == 401


def test_token_guessing_is_throttled_per_address(owner: Any, clock: Any) -> None:
    real = Token.objects.create(user=owner).key
    for n in range(20):
        response = api_client(GUESSER, secrets.token_hex(20)).get(PROJECTS)
        assert response.status_code == 401, n
    guess = api_client(GUESSER, secrets.token_hex(20)).get(PROJECTS)
    assert guess.status_code == 429
    assert guess["Retry-After"] == "3600"

    # Refused before the lookup, the right token too: a guesser learns nothing while waiting.
    assert api_client(GUESSER, real).get(PROJECTS).status_code == 429
    assert api_client(ELSEWHERE, real).get(PROJECTS).status_code == 200

    clock.shift(datetime.timedelta(minutes=30))
    waiting = api_client(GUESSER, real).get(PROJECTS)
    assert waiting.status_code == 429
    assert waiting["Retry-After"] == "1800"

    clock.shift(datetime.timedelta(minutes=30))
    assert api_client(GUESSER, real).get(PROJECTS).status_code == 200


def test_a_users_normal_api_use_is_not_throttled(owner: Any, project: Any, clock: Any) -> None:
    """A script with a token makes more requests than an anonymous address may, from the
    address that has just used up its anonymous budget, and is never slowed."""
    token = Token.objects.create(user=owner).key
    anonymous = api_client(GUESSER)
    for _ in range(100):
        anonymous.get(PROJECTS)
    assert anonymous.get(PROJECTS).status_code == 429

    script = api_client(GUESSER, token)
    for n in range(150):
        response = script.get(PROJECTS)
        assert response.status_code == 200, n
    assert response.json()["count"] == 1

    browser_session = APIClient(REMOTE_ADDR=GUESSER)
    browser_session.force_login(owner)
    assert browser_session.get(PROJECTS).status_code == 200


def test_each_user_has_a_budget_of_their_own(
    owner: Any, collaborator: Any, settings: LazySettings, clock: Any
) -> None:
    rates = configured.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "user": "3/minute"},
    }
    script = api_client(GUESSER, Token.objects.create(user=owner).key)
    for _ in range(3):
        assert script.get(PROJECTS).status_code == 200
    response = script.get(PROJECTS)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"

    colleague = api_client(GUESSER, Token.objects.create(user=collaborator).key)
    assert colleague.get(PROJECTS).status_code == 200


def test_building_the_schema_spends_no_ones_budget() -> None:
    """drf-spectacular authenticates a made-up request per view while it builds the schema;
    none of them may count against an address."""
    SchemaGenerator().get_schema(request=None, public=True)
    assert cache.get("throttle_anon_127.0.0.1") is None
    assert APIClient().get(PROJECTS).status_code == 401
