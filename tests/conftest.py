"""Shared fixtures: the owner / collaborator / outsider trio, API clients, test settings."""

import os
from typing import Any

import pytest
import time_machine
from django.conf import LazySettings
from django.core.cache import cache
from rest_framework.test import APIClient

from config.celery import app as celery_app
from projects.models import Project, Role
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

SERVICES = os.environ.get("TRACKSHEET_SERVICES") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if SERVICES:
        return
    skip = pytest.mark.skip(reason="needs the real services: run `make test-services`")
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _test_settings(settings: LazySettings, tmp_path: Any, request: pytest.FixtureRequest) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A test makes many requests from one address: sign-in lockouts and API throttles are off
    # except in the tests about them (tests/test_signin.py switches them back on).
    settings.AXES_ENABLED = False
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]),
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Tasks run in-process, except in the tests that prove the real worker round trip.
    eager = "services" not in request.keywords
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _frozen_clock(request: pytest.FixtureRequest) -> Any:
    """`tests.clock.freeze_at(instant)`: the test runs with the clock moved to `instant` (ISO 8601
    with an offset), ticking on from there unless `tick=False`. Autouse, so it is in place
    before the fixtures that build bookings and invoices read the clock."""
    marker = request.node.get_closest_marker("clock")
    if marker is None:
        yield None
        return
    with time_machine.travel(marker.args[0], tick=marker.kwargs.get("tick", True)) as traveller:
        yield traveller


@pytest.fixture
def admin_user(db: None) -> Any:
    """pytest-django's superuser (its ``admin_client`` signs in as them), made by the factory:
    staff have a second factor, as the admin requires (projects.accounts)."""
    return UserFactory.create(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def owner(db: None) -> Any:
    return UserFactory.create(username="owner")


@pytest.fixture
def collaborator(db: None) -> Any:
    return UserFactory.create(username="collaborator")


@pytest.fixture
def outsider(db: None) -> Any:
    return UserFactory.create(username="outsider")


@pytest.fixture
def project(owner: Any, collaborator: Any) -> Project:
    """A project the owner produces and the collaborator views."""
    project = ProjectFactory.create(title="Low Tide", artist="The Test Echoes")
    MembershipFactory.create(project=project, user=owner, role=Role.PRODUCER)
    MembershipFactory.create(project=project, user=collaborator, role=Role.VIEWER)
    return project


def api_client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def as_owner(owner: Any) -> APIClient:
    return api_client_for(owner)


@pytest.fixture
def as_collaborator(collaborator: Any) -> APIClient:
    return api_client_for(collaborator)


@pytest.fixture
def as_outsider(outsider: Any) -> APIClient:
    return api_client_for(outsider)
