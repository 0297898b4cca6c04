"""Removing credits through credit_delete, from the API, the release page and the admin.

A credit has no rule against its removal: readiness then names a role a distributor wants
(a composer, a vocal track's lyricist) as missing, before delivery."""

import datetime
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from rest_framework.test import APIClient

from projects.models import Project
from releases import services
from releases.models import Credit, Release
from tests.clock import today
from tests.factories import UserFactory
from tests.releases.conftest import readiness_codes
from tests.releases.factories import CreditFactory, ReleaseFactory, TrackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def release(project: Project) -> Release:
    return ReleaseFactory.create(
        project=project, title="Paper Lanterns", release_date=today() + datetime.timedelta(days=60)
    )


@pytest.fixture
def credit(release: Release) -> Credit:
    track = TrackFactory.create(release=release, title="Low Tide")
    return CreditFactory.create(release=release, track=track, role="Composer")


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_credit_delete_through_the_api(
    as_owner: APIClient, release: Release, credit: Credit
) -> None:
    assert "missing_composer" not in readiness_codes(as_owner, release)

    with mock.patch.object(services, "credit_delete", wraps=services.credit_delete) as spy:
        response = as_owner.delete(f"/api/v1/credits/{credit.pk}/")

    assert response.status_code == 204
    assert spy.call_count == 1
    assert not Credit.objects.filter(pk=credit.pk).exists()
    # Nothing refuses it; readiness says what the release now lacks.
    assert "missing_composer" in readiness_codes(as_owner, release)


def test_who_may_delete_a_credit(
    as_collaborator: APIClient, as_outsider: APIClient, credit: Credit
) -> None:
    refused = as_collaborator.delete(f"/api/v1/credits/{credit.pk}/")
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "Your role on this project may not do this (releases.manage)."
    )
    assert as_outsider.delete(f"/api/v1/credits/{credit.pk}/").status_code == 404
    assert Credit.objects.filter(pk=credit.pk).exists()


def test_the_release_page_removes_a_credit_through_the_service(
    owner: Any, collaborator: Any, outsider: Any, release: Release, credit: Credit
) -> None:
    url = f"/releases/{release.pk}/credits/{credit.pk}/remove/"
    assert signed_in(outsider).post(url).status_code == 404
    assert signed_in(collaborator).post(url).status_code == 403
    assert Credit.objects.filter(pk=credit.pk).exists()

    with mock.patch.object(services, "credit_delete", wraps=services.credit_delete) as spy:
        response = signed_in(owner).post(url)

    assert response.status_code == 302
    assert spy.call_count == 1
    assert not Credit.objects.filter(pk=credit.pk).exists()


def test_the_admin_removes_a_credit_through_the_service(credit: Credit) -> None:
    admin = signed_in(UserFactory.create(username="root", is_staff=True, is_superuser=True))

    with mock.patch.object(services, "credit_delete", wraps=services.credit_delete) as spy:
        response = admin.post(f"/admin/releases/credit/{credit.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert spy.call_count == 1
    assert not Credit.objects.filter(pk=credit.pk).exists()
