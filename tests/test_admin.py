"""Every model of ours is in the admin, and its pages open."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.db.models import Model
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.factories import (
    GearFactory,
    MembershipFactory,
    PersonFactory,
    RoomFactory,
    UserFactory,
)

OUR_APPS = {"projects", "studio", "songs", "recording", "budgets", "releases"}


def our_models() -> list[type[Model]]:
    return [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]


def test_every_model_is_registered() -> None:
    missing = [m.__name__ for m in our_models() if m not in admin.site._registry]
    assert missing == []


@pytest.mark.django_db
def test_admin_pages_open() -> None:
    superuser = UserFactory.create(username="root", is_staff=True, is_superuser=True)
    objects = [
        PersonFactory.create(),
        MembershipFactory.create(),
        RoomFactory.create(),
        GearFactory.create(),
    ]
    client = Client()
    client.force_login(superuser)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    for model in our_models():
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        # Some rows are made only by their service (masters, deliverables): no add page.
        addable = admin.site._registry[model].has_add_permission(request)
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
        assert client.get(url).status_code == (200 if addable else 403), url
    for obj in objects:
        meta = obj._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
        assert client.get(url).status_code == 200, url
