"""The invitations API: scoped like the pages, the same rules and refusals."""

from typing import Any

import pytest
from django.core import mail
from rest_framework.test import APIClient

from projects.models import Invitation, Project, Role
from tests.factories import MembershipFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def url(project: Project, rest: str = "") -> str:
    return f"/api/v1/projects/{project.pk}/invitations/{rest}"


def test_a_producer_invites_lists_resends_and_withdraws(
    as_owner: APIClient, project: Project
) -> None:
    made = as_owner.post(url(project), {"email": "Ada@Example.com", "role": "engineer"})
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["email"] == "ada@example.com"
    assert body["state"] == "pending" and body["invited_by"] == "owner"
    assert len(mail.outbox) == 1
    (listed,) = as_owner.get(url(project)).json()["results"]
    assert listed["id"] == body["id"] and listed["send_count"] == 1
    resent = as_owner.post(url(project, f"{body['id']}/resend/"))
    assert resent.status_code == 200 and resent.json()["send_count"] == 2
    assert len(mail.outbox) == 2
    withdrawn = as_owner.delete(url(project, f"{body['id']}/"))
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "revoked"
    again = as_owner.post(url(project, f"{body['id']}/resend/"))
    assert again.status_code == 400
    assert "revoked" in str(again.json())
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "nope", "role": "viewer"}, "email"),
        ({"role": "viewer"}, "email"),
        ({"email": "a@example.com", "role": "overlord"}, "role"),
        ({"email": "a@example.com", "role": "viewer", "person": 999999}, "person"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    as_owner: APIClient, project: Project, data: dict[str, Any], field: str
) -> None:
    response = as_owner.post(url(project), data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Invitation.objects.exists() and not mail.outbox


def test_a_contact_of_another_project_is_refused(as_owner: APIClient, project: Project) -> None:
    stranger = PersonFactory.create()
    response = as_owner.post(
        url(project), {"email": "a@example.com", "role": "viewer", "person": stranger.pk}
    )
    assert response.status_code == 400 and "person" in response.json()


def test_a_manager_may_not_invite_a_producer(project: Project) -> None:
    manager = UserFactory.create(username="manager")
    MembershipFactory.create(project=project, user=manager, role=Role.MANAGER)
    client = APIClient()
    client.force_authenticate(manager)
    response = client.post(url(project), {"email": "boss@example.com", "role": "producer"})
    assert response.status_code == 403
    assert "may not make a producer" in response.json()["detail"]
    assert not Invitation.objects.exists()


def test_outsiders_get_404_and_other_members_403(
    as_owner: APIClient, as_collaborator: APIClient, as_outsider: APIClient, project: Project
) -> None:
    made = as_owner.post(url(project), {"email": "a@example.com", "role": "viewer"}).json()
    detail = url(project, f"{made['id']}/")
    for client, expected in ((as_outsider, 404), (as_collaborator, 403)):
        assert client.get(url(project)).status_code == expected
        assert client.get(detail).status_code == expected
        assert client.delete(detail).status_code == expected
        assert client.post(url(project, f"{made['id']}/resend/")).status_code == expected
        response = client.post(url(project), {"email": "b@example.com", "role": "viewer"})
        assert response.status_code == expected
        assert "a@example.com" not in response.content.decode()
    assert Invitation.objects.get().revoked_at is None
    assert Invitation.objects.count() == 1
    other = Project.objects.create(title="Elsewhere", artist="Someone")
    assert as_owner.get(f"/api/v1/projects/{other.pk}/invitations/{made['id']}/").status_code == 404
