"""The API answers what its OpenAPI schema says: schemathesis runs every operation in-process.

Each operation (one test item per operation, so xdist spreads them) gets a bounded run with a
fixed seed (the same cases on every CI run) against the demo's data, as its producer with a
token. Every answer is checked: no server error (5xx), a documented status code, a documented
content type, a body that fits the documented schema. Part of `make test`.

A deeper run: `SCHEMATHESIS_MAX_EXAMPLES=200 .venv/bin/pytest -n 2 tests/test_schemathesis.py`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.conf import LazySettings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from budgets.models import (
    BillingMilestone,
    BillingPlan,
    Budget,
    BudgetLine,
    Cost,
    Invoice,
    InvoiceLine,
)
from config.wsgi import application
from projects.management.commands.demo import DEMO_USERNAME
from projects.models import Membership, Person, Project
from releases.models import Credit, Release, Track
from sessions.models import Engagement, GearCheck, Payment, RateRule, Session, Take
from studio.models import Booking, Gear, Room, Studio

# The schema view is behind login; it is read here, at collection, before any user exists.
with override_settings(API_DOCS_PUBLIC=True):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
# A fixed seed: each operation draws the same cases on every run and every xdist worker.
schema.config.seed = 20261126

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# Generated cases per operation, besides schemathesis' boundary cases. 25 keeps the 172
# operations near three minutes of one core (90 s of `make test` on two): 100 took four
# times that.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25"))

# Body fields that name a row, and the resource whose row the demo has for them.
BODY_FIELDS = {
    "project": "projects",
    "studio": "studios",
    "room": "rooms",
    "gear": "gear",
    "booking": "bookings",
    "session": "sessions",
    "person": "people",
    "person_id": "people",
    "rate_rule": "rate-rules",
    "budget": "budgets",
    "line": "budget-lines",
    "invoice": "invoices",
    "plan": "billing-plans",
    "release": "releases",
    "track": "tracks",
}


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(scope="module")
def demo(
    django_db_setup: None, django_db_blocker: Any, demo_media: Path
) -> Iterator[dict[str, int]]:
    """`manage.py demo` (a studio, rooms, two productions with bookings, a session with
    players, a budget, an invoice, a release with mastered tracks), loaded once per module
    inside a transaction rolled back at its end, so no other test sees it. Each test's own
    transaction (pytest-django) nests in it as a savepoint. Yields the ids to aim at."""
    # Requests go through the WSGI handler, which closes the connection after each one (and
    # with it the open transaction); Django's test client unhooks that the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            fast_passwords = ["django.contrib.auth.hashers.MD5PasswordHasher"]
            with override_settings(MEDIA_ROOT=demo_media, PASSWORD_HASHERS=fast_passwords):
                call_command("demo", stdout=StringIO())
            yield _targets()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


def _targets() -> dict[str, int]:
    """For each resource (and body field naming one), a row of the demo producer's."""
    producer = get_user_model().objects.get(username=DEMO_USERNAME)
    project = Project.objects.filter(memberships__user=producer).order_by("pk")[0]
    targets = {
        "projects": project.pk,
        "members": Membership.objects.filter(project=project).order_by("pk")[0].pk,
        "people": Person.objects.order_by("pk")[0].pk,
        "studios": Studio.objects.order_by("pk")[0].pk,
        "rooms": Room.objects.order_by("pk")[0].pk,
        "gear": Gear.objects.order_by("pk")[0].pk,
        "bookings": Booking.objects.filter(project=project).order_by("pk")[0].pk,
        "sessions": Session.objects.order_by("pk")[0].pk,
        "engagements": Engagement.objects.order_by("pk")[0].pk,
        "rate-rules": RateRule.objects.exclude(project=None).order_by("pk")[0].pk,
        "takes": Take.objects.order_by("pk")[0].pk,
        "gear-checks": GearCheck.objects.order_by("pk")[0].pk,
        "payments": Payment.objects.order_by("pk")[0].pk,
        "budgets": Budget.objects.order_by("pk")[0].pk,
        "budget-lines": BudgetLine.objects.order_by("pk")[0].pk,
        "costs": Cost.objects.order_by("pk")[0].pk,
        "invoices": Invoice.objects.order_by("pk")[0].pk,
        "invoice-lines": InvoiceLine.objects.order_by("pk")[0].pk,
        "billing-plans": BillingPlan.objects.order_by("pk")[0].pk,
        "billing-milestones": BillingMilestone.objects.order_by("pk")[0].pk,
        "releases": Release.objects.order_by("pk")[0].pk,
        "tracks": Track.objects.order_by("pk")[0].pk,
        "credits": Credit.objects.order_by("pk")[0].pk,
    }
    return {**targets, **{field: targets[resource] for field, resource in BODY_FIELDS.items()}}


@pytest.fixture(autouse=True)
def _demo_settings(_test_settings: None, settings: LazySettings, demo_media: Path) -> None:
    # After tests/conftest.py's settings, which give each test an empty media folder: the
    # demo's files (masters, cover, invoice PDF) are in the module's.
    settings.MEDIA_ROOT = demo_media
    # Thousands of requests from one address with one token: no rate limit or sign-in
    # lockout may answer 429 instead of the endpoint (tests/conftest.py has them off too).
    settings.AXES_ENABLED = False
    throttles = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(throttles),
    }


@pytest.fixture
def producer_token(demo: dict[str, int], db: None) -> str:
    producer = get_user_model().objects.get(username=DEMO_USERNAME)
    return Token.objects.get_or_create(user=producer)[0].key


def aim(case: schemathesis.Case, targets: dict[str, int]) -> None:
    """Point even ids at the demo's rows, so most cases reach an object and not a 404; odd
    ids stay the fuzzer's, and prove that a miss is a documented 404 or 400."""
    path = case.operation.path
    resource = path.removeprefix("/api/v1/").split("/")[0]
    for name, value in list((case.path_parameters or {}).items()):
        if not isinstance(value, int) or value % 2:
            continue
        if name == "project_pk":
            case.path_parameters[name] = targets["projects"]
        elif path.startswith("/api/v1/projects/{project_pk}/members/"):
            case.path_parameters[name] = targets["members"]
        elif resource in targets:
            case.path_parameters[name] = targets[resource]
    if isinstance(case.body, dict):
        for field, value in list(case.body.items()):
            if field in BODY_FIELDS and isinstance(value, int) and not value % 2:
                case.body[field] = targets[field]


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_what_the_schema_says(
    case: schemathesis.Case, demo: dict[str, int], producer_token: str
) -> None:
    aim(case, demo)
    # Each case in a savepoint rolled back after it: a DELETE or an approval leaves the demo
    # as the next case expects it.
    with transaction.atomic():
        response = case.call(headers={"Authorization": f"Token {producer_token}"})
        transaction.set_rollback(True)
    case.validate_response(response, checks=CHECKS)
