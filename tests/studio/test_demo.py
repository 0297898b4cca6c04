from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Model
from django.test import Client

from projects.management.commands.demo import DEMO_PASSWORD, DEMO_USERNAME
from projects.models import Membership, Person, Project
from studio.models import Gear, Room, Studio

pytestmark = pytest.mark.django_db

MODELS: list[type[Model]] = [get_user_model(), Person, Project, Membership, Studio, Room, Gear]


def snapshot() -> dict[str, list[tuple[object, ...]]]:
    return {m.__name__: list(m._default_manager.order_by("pk").values_list()) for m in MODELS}


def test_demo_loads_prints_login_and_is_idempotent() -> None:
    out = StringIO()
    call_command("demo", stdout=out)
    assert f"{DEMO_USERNAME} / {DEMO_PASSWORD}" in out.getvalue()
    assert Studio.objects.count() == 1
    assert Room.objects.count() == 2
    assert Project.objects.count() == 2
    assert Gear.objects.exists()
    first = snapshot()
    call_command("demo", stdout=StringIO())
    assert snapshot() == first


def test_demo_login_works_and_shows_the_projects() -> None:
    call_command("demo", stdout=StringIO())
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": DEMO_USERNAME, "password": DEMO_PASSWORD}, follow=True
    )
    page = response.content.decode()
    assert "Low Tide Sessions" in page
    assert "Paper Lanterns" in page
    # The demo login is staff: the admin asks for a second factor before it opens.
    assert client.get("/admin/login/?next=/admin/")["Location"] == "/accounts/2fa/"
    # A pending invitation shows on the hub.
    low_tide = Project.objects.get(title="Low Tide Sessions")
    hub = client.get(f"/projects/{low_tide.pk}/").content.decode()
    assert "mastering@example.com" in hub and "Pending" in hub
