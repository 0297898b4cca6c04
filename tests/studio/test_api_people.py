from typing import Any

import pytest
from rest_framework.test import APIClient

from projects.models import Person, Project, Role
from tests.conftest import api_client_for
from tests.factories import MembershipFactory, PersonFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/people/"


def detail(person: Person) -> str:
    return f"/api/v1/people/{person.pk}/"


@pytest.fixture
def player(project: Project) -> Person:
    return PersonFactory.create(name="Juniper Bass", projects=[project])


def test_people_trio(
    as_owner: APIClient,
    as_collaborator: APIClient,
    as_outsider: APIClient,
    player: Person,
) -> None:
    assert as_owner.get(detail(player)).json()["name"] == "Juniper Bass"
    assert as_collaborator.get(detail(player)).status_code == 200
    assert as_outsider.get(detail(player)).status_code == 404
    assert as_outsider.get(LIST).json()["count"] == 0

    card = {"project": player.cards.get().project_id}
    assert as_collaborator.patch(detail(player), {**card, "phone": "1"}).status_code == 403
    assert as_outsider.patch(detail(player), {**card, "phone": "1"}).status_code == 404
    assert as_owner.patch(detail(player), {**card, "phone": "+49 40 1234"}).status_code == 200
    assert player.cards.get().phone == "+49 40 1234"


def test_people_list_query_count_and_hidden_projects(
    owner: Any, as_owner: APIClient, project: Project, django_assert_num_queries: Any
) -> None:
    hidden = ProjectFactory.create()
    for _ in range(10):
        PersonFactory.create(projects=[project, hidden])
    # visible project ids, count, page of cards with their people, prefetch of projects
    with django_assert_num_queries(4):
        response = as_owner.get(LIST)
    rows = response.json()["results"]
    assert len(rows) == 10
    # A project the caller is not on is never named, nor is its card a row.
    assert all(row["projects"] == [project.pk] for row in rows)
    assert all(row["project"] == project.pk for row in rows)


def test_create_needs_one_of_my_projects(
    as_owner: APIClient, as_collaborator: APIClient, project: Project
) -> None:
    payload = {"name": "Tobiah Drums", "instruments": "drums", "project_ids": [project.pk]}
    response = as_owner.post(LIST, payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["projects"] == [project.pk]
    assert response.json()["project"] == project.pk
    assert response.json()["instruments"] == "drums"

    # Without a project it would be nobody's contact.
    response = as_owner.post(LIST, {"name": "Floating"}, format="json")
    assert response.status_code == 400
    assert "project" in response.json()

    # A viewer may not add contacts.
    response = as_collaborator.post(
        LIST, {"name": "Viewer's friend", "project": project.pk}, format="json"
    )
    assert response.status_code == 403
    assert not Person.objects.filter(name__in=["Floating", "Viewer's friend"]).exists()


def test_create_on_another_project_is_404(as_owner: APIClient) -> None:
    foreign = ProjectFactory.create()
    response = as_owner.post(LIST, {"name": "X", "project_ids": [foreign.pk]}, format="json")
    assert response.status_code == 404
    assert not Person.objects.filter(name="X").exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "X", "email": "not-an-email"}, "email"),
        ({"name": "X", "project_ids": ["abc"]}, "project_ids"),
        ({"name": "X", "project_ids": [999999]}, "project_ids"),
    ],
)
def test_bad_person_input(
    as_owner: APIClient, project: Project, payload: dict[str, Any], field: str
) -> None:
    response = as_owner.post(LIST, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Person.objects.filter(name="X").exists()


def test_update_keeps_projects_i_cannot_see(
    owner: Any, as_owner: APIClient, project: Project
) -> None:
    hidden = ProjectFactory.create()
    second = ProjectFactory.create()
    MembershipFactory.create(project=second, user=owner, role=Role.PRODUCER)
    person = PersonFactory.create(projects=[project, hidden])
    response = as_owner.patch(detail(person), {"project_ids": [second.pk]}, format="json")
    assert response.status_code == 200, response.json()
    assert set(person.projects.all()) == {hidden, second}


def test_delete_only_when_all_their_projects_are_mine(
    owner: Any, as_owner: APIClient, project: Project, player: Person
) -> None:
    shared = PersonFactory.create(projects=[project, ProjectFactory.create()])
    response = as_owner.delete(detail(shared))
    assert response.status_code == 409
    assert "projects you do not manage" in response.json()["detail"]
    assert Person.objects.filter(pk=shared.pk).exists()

    assert as_owner.delete(detail(player)).status_code == 204
    assert not Person.objects.filter(pk=player.pk).exists()


def test_my_own_person_is_mine_to_edit(db: None) -> None:
    user = UserFactory.create()
    me = PersonFactory.create(user=user, name="Me Myself")
    client = api_client_for(user)
    row = client.get(detail(me)).json()
    assert row["has_login"] is True
    # On no project of theirs: the name, and no production's details.
    assert (row["project"], row["email"]) == (None, "")
    assert client.patch(detail(me), {"name": "Me Myself-Renamed"}).status_code == 200
    me.refresh_from_db()
    assert me.name == "Me Myself-Renamed"


def test_search_and_filter(as_owner: APIClient, project: Project) -> None:
    PersonFactory.create(name="Marisol Strings", instruments="violin, viola", projects=[project])
    PersonFactory.create(name="Ezra Winds", instruments="sax", projects=[project])
    rows = as_owner.get(LIST, {"search": "viola"}).json()["results"]
    assert [row["name"] for row in rows] == ["Marisol Strings"]
    assert as_owner.get(LIST, {"project": project.pk}).json()["count"] == 2
    rows = as_owner.get(LIST, {"ordering": "-name"}).json()["results"]
    assert [row["name"] for row in rows] == ["Marisol Strings", "Ezra Winds"]


def test_the_shared_name_changes_only_with_every_production_behind_it(
    as_owner: APIClient, project: Project, player: Person
) -> None:
    response = as_owner.patch(detail(player), {"name": "Juniper B. Bass"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "Juniper B. Bass"

    shared = PersonFactory.create(name="Shared Name", projects=[project, ProjectFactory.create()])
    response = as_owner.patch(detail(shared), {"name": "Renamed"}, format="json")
    assert response.status_code == 403
    shared.refresh_from_db()
    assert shared.name == "Shared Name"
    # Their details on the caller's own card are the caller's to write all the same.
    response = as_owner.patch(
        detail(shared), {"project": project.pk, "phone": "+1 555 0102"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert shared.cards.get(project=project).phone == "+1 555 0102"
