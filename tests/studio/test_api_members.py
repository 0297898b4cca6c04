import re
from typing import Any

import pytest
from django.core import mail
from rest_framework.test import APIClient

from projects.models import Membership, Project, Role
from tests.conftest import api_client_for
from tests.factories import MembershipFactory, PersonFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def coworker_of(user: Any) -> Any:
    """A new user who shares another production with ``user``: someone they may add."""
    other = ProjectFactory.create()
    MembershipFactory.create(project=other, user=user, role=Role.PRODUCER)
    return MembershipFactory.create(project=other, role=Role.VIEWER).user


def members_url(project: Project) -> str:
    return f"/api/v1/projects/{project.pk}/members/"


def member_url(membership: Membership) -> str:
    return f"/api/v1/projects/{membership.project_id}/members/{membership.pk}/"


def test_list_members_with_names(
    as_owner: APIClient, project: Project, owner: Any, django_assert_num_queries: Any
) -> None:
    PersonFactory.create(name="Owen Producer", user=owner)
    for _ in range(5):
        MembershipFactory.create(project=project, role=Role.ENGINEER)
    # project lookup, count, page with users and people joined
    with django_assert_num_queries(3):
        response = as_owner.get(members_url(project))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 7
    assert {"user": "owner", "name": "Owen Producer", "role": "producer"}.items() <= next(
        row for row in rows if row["user"] == "owner"
    ).items()


def test_outsider_gets_404(as_outsider: APIClient, project: Project) -> None:
    membership = project.memberships.first()
    assert membership is not None
    assert as_outsider.get(members_url(project)).status_code == 404
    assert (
        as_outsider.post(members_url(project), {"user": "outsider", "role": "producer"}).status_code
        == 404
    )
    assert as_outsider.delete(member_url(membership)).status_code == 404
    assert not project.memberships.filter(user__username="outsider").exists()


def test_collaborator_may_read_not_add(
    as_collaborator: APIClient, project: Project, outsider: Any
) -> None:
    assert as_collaborator.get(members_url(project)).status_code == 200
    response = as_collaborator.post(members_url(project), {"user": "outsider", "role": "viewer"})
    assert response.status_code == 403
    assert not project.memberships.filter(user=outsider).exists()


def test_add_member_emails_them_once_after_commit(
    as_owner: APIClient,
    project: Project,
    owner: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    outsider = coworker_of(owner)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = as_owner.post(
            members_url(project), {"user": outsider.username, "role": "engineer"}
        )
    assert response.status_code == 201, response.json()
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [outsider.email]
    assert "engineer on The Test Echoes: Low Tide" in mail.outbox[0].body
    membership = project.memberships.get(user=outsider)
    assert membership.notified_at is not None

    # The task is idempotent: a second delivery sends nothing.
    from projects.tasks import membership_notify

    assert membership_notify.delay(membership.pk).get() is False
    assert len(mail.outbox) == 1

    # And the new member now sees the project.
    assert api_client_for(outsider).get(f"/api/v1/projects/{project.pk}/").status_code == 200


def test_duplicate_member_is_a_400(as_owner: APIClient, project: Project) -> None:
    response = as_owner.post(members_url(project), {"user": "collaborator", "role": "engineer"})
    assert response.status_code == 400
    assert "already a member" in response.json()["user"][0]
    assert project.memberships.get(user__username="collaborator").role == Role.VIEWER


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"user": "nobody", "role": "viewer"}, "user"),
        ({"user": "outsider", "role": "boss"}, "role"),
        ({"user": "outsider"}, "role"),
        ({"user": 12, "role": "viewer"}, "user"),
    ],
)
def test_bad_member_input(
    as_owner: APIClient, project: Project, outsider: Any, payload: dict[str, Any], field: str
) -> None:
    response = as_owner.post(members_url(project), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert project.memberships.count() == 2


def test_change_role_and_keep_a_producer(as_owner: APIClient, project: Project) -> None:
    viewer = project.memberships.get(role=Role.VIEWER)
    response = as_owner.patch(member_url(viewer), {"role": "accountant"})
    assert response.status_code == 200
    assert response.json()["role"] == "accountant"

    # The last producer cannot leave; changing their own role is refused before that (403).
    producer = project.memberships.get(role=Role.PRODUCER)
    response = as_owner.delete(member_url(producer))
    assert response.status_code == 400
    assert "at least one producer" in response.json()["role"][0]
    producer.refresh_from_db()
    assert producer.role == Role.PRODUCER


def test_user_of_a_membership_cannot_change(as_owner: APIClient, project: Project) -> None:
    viewer = project.memberships.get(role=Role.VIEWER)
    response = as_owner.put(member_url(viewer), {"user": "owner", "role": "viewer"})
    assert response.status_code == 400
    assert "user" in response.json()


def test_second_producer_may_leave(as_owner: APIClient, project: Project) -> None:
    other = UserFactory.create()
    second = MembershipFactory.create(project=project, user=other, role=Role.PRODUCER)
    assert as_owner.delete(member_url(second)).status_code == 204
    assert not project.memberships.filter(user=other).exists()


def test_membership_of_another_project_is_404(as_owner: APIClient, project: Project) -> None:
    foreign = MembershipFactory.create()
    url = f"/api/v1/projects/{project.pk}/members/{foreign.pk}/"
    assert as_owner.get(url).status_code == 404
    assert as_owner.delete(url).status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


# --- roles cannot be climbed ------------------------------------------------------------------


@pytest.fixture
def manager(project: Project) -> Membership:
    return MembershipFactory.create(project=project, user=UserFactory.create(), role=Role.MANAGER)


def test_manager_cannot_promote_themselves(project: Project, manager: Membership) -> None:
    response = api_client_for(manager.user).patch(member_url(manager), {"role": "producer"})
    assert response.status_code == 403
    assert "own role" in response.json()["detail"]
    manager.refresh_from_db()
    assert manager.role == Role.MANAGER


def test_manager_cannot_make_or_unmake_a_producer(
    project: Project, manager: Membership, owner: Any
) -> None:
    as_manager = api_client_for(manager.user)
    producer = project.memberships.get(user=owner)
    response = as_manager.patch(member_url(producer), {"role": "viewer"})
    assert response.status_code == 403
    assert "may not change or remove a producer" in response.json()["detail"]
    assert as_manager.delete(member_url(producer)).status_code == 403
    viewer = project.memberships.get(role=Role.VIEWER)
    response = as_manager.patch(member_url(viewer), {"role": "producer"})
    assert response.status_code == 403
    assert "may not make a producer" in response.json()["detail"]
    newcomer = coworker_of(manager.user)
    response = as_manager.post(
        members_url(project), {"user": newcomer.username, "role": "producer"}
    )
    assert response.status_code == 403
    producer.refresh_from_db()
    viewer.refresh_from_db()
    assert (producer.role, viewer.role) == (Role.PRODUCER, Role.VIEWER)
    assert not project.memberships.filter(user=newcomer).exists()


def test_manager_may_grant_up_to_manager(project: Project, manager: Membership) -> None:
    """Same rank is allowed: a manager may make another manager, or an engineer."""
    as_manager = api_client_for(manager.user)
    viewer = project.memberships.get(role=Role.VIEWER)
    response = as_manager.patch(member_url(viewer), {"role": "manager"})
    assert response.status_code == 200
    newcomer = coworker_of(manager.user)
    response = as_manager.post(
        members_url(project), {"user": newcomer.username, "role": "engineer"}
    )
    assert response.status_code == 201
    assert project.memberships.get(user=newcomer).role == Role.ENGINEER


def test_producer_cannot_change_their_own_role(as_owner: APIClient, project: Project) -> None:
    second = MembershipFactory.create(project=project, role=Role.PRODUCER)
    mine = project.memberships.get(user__username="owner")
    response = as_owner.patch(member_url(mine), {"role": "manager"})
    assert response.status_code == 403
    assert "own role" in response.json()["detail"]
    # Another producer may make that change, and unmake a producer.
    response = api_client_for(second.user).patch(member_url(mine), {"role": "manager"})
    assert response.status_code == 200
    mine.refresh_from_db()
    assert mine.role == Role.MANAGER


# --- the member endpoint is no directory of usernames -------------------------------------------


def test_a_stranger_and_a_missing_username_get_the_same_answer(
    as_owner: APIClient, project: Project, owner: Any, outsider: Any
) -> None:
    """Only someone who already shares a production with the adder can be added; for anyone
    else the answer is word for word the one for a username that does not exist."""
    stranger = as_owner.post(members_url(project), {"user": "outsider", "role": "viewer"})
    missing = as_owner.post(members_url(project), {"user": "nobody", "role": "viewer"})
    assert (stranger.status_code, missing.status_code) == (400, 400)
    assert stranger.json() == {"user": ["No one you work with has the username outsider."]}
    assert missing.json() == {"user": ["No one you work with has the username nobody."]}
    assert not project.memberships.filter(user=outsider).exists()

    # Once they share a production, the same request adds them.
    MembershipFactory.create(project=ProjectFactory.create(), user=outsider, role=Role.PRODUCER)
    MembershipFactory.create(project=outsider.memberships.get().project, user=owner)
    response = as_owner.post(members_url(project), {"user": "outsider", "role": "viewer"})
    assert response.status_code == 201, response.json()
    assert project.memberships.get(user=outsider).role == Role.VIEWER


def test_an_inactive_coworker_is_as_unknown_as_a_missing_name(
    as_owner: APIClient, project: Project, owner: Any
) -> None:
    gone = coworker_of(owner)
    gone.is_active = False
    gone.save()
    response = as_owner.post(members_url(project), {"user": gone.username, "role": "viewer"})
    assert response.status_code == 400
    assert response.json() == {"user": [f"No one you work with has the username {gone.username}."]}


def test_the_project_page_form_answers_the_same(project: Project, owner: Any) -> None:
    from django.test import Client

    UserFactory.create(username="stranger")
    browser = Client()
    browser.force_login(owner)
    answers = {
        name: browser.post(f"/projects/{project.pk}/", {"user": name, "role": "viewer"})
        for name in ("stranger", "nobody")
    }
    assert {answer.status_code for answer in answers.values()} == {400}
    # The pages differ in their CSRF token only: compare what the form says.
    errors = {
        name: re.findall(
            r'<p class="error" id="member-user-error">.*?</p>', answer.content.decode()
        )
        for name, answer in answers.items()
    }
    assert errors["stranger"] == [e.replace("nobody", "stranger") for e in errors["nobody"]]
    assert "No one you work with has the username nobody." in errors["nobody"][0]
    assert not project.memberships.filter(user__username="stranger").exists()
