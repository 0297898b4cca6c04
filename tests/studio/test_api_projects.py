from typing import Any

import pytest
from rest_framework.test import APIClient

from projects.models import Membership, Project, Role
from tests.conftest import api_client_for
from tests.factories import MembershipFactory, ProjectFactory, StudioFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/projects/"


def detail(project: Project) -> str:
    return f"/api/v1/projects/{project.pk}/"


def test_anonymous_is_refused(client: Any, project: Project) -> None:
    # Token authentication comes first, so DRF answers 401 with WWW-Authenticate, not 403.
    for url in (LIST, detail(project)):
        response = client.get(url)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"


def test_list_shows_only_my_projects_with_my_role(
    as_owner: APIClient, as_collaborator: APIClient, as_outsider: APIClient, project: Project
) -> None:
    ProjectFactory.create(title="Someone else's record")

    owner_rows = as_owner.get(LIST).json()
    assert owner_rows["count"] == 1
    assert owner_rows["results"][0]["title"] == "Low Tide"
    assert owner_rows["results"][0]["my_role"] == "producer"

    assert as_collaborator.get(LIST).json()["results"][0]["my_role"] == "viewer"
    assert as_outsider.get(LIST).json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }


def test_list_query_count_does_not_grow_with_rows(
    owner: Any, as_owner: APIClient, django_assert_num_queries: Any
) -> None:
    studio = StudioFactory.create()
    for _ in range(30):
        project = ProjectFactory.create()
        project.studios.add(studio)
        MembershipFactory.create(project=project, user=owner)
    # count, page, prefetch of studios
    with django_assert_num_queries(3):
        response = as_owner.get(LIST)
    assert response.status_code == 200
    assert len(response.json()["results"]) == 30
    assert response.json()["results"][0]["studios"] == [studio.pk]


def test_outsider_gets_404_on_every_verb(as_outsider: APIClient, project: Project) -> None:
    assert as_outsider.get(detail(project)).status_code == 404
    assert as_outsider.patch(detail(project), {"title": "Mine now"}).status_code == 404
    assert as_outsider.delete(detail(project)).status_code == 404
    project.refresh_from_db()
    assert project.title == "Low Tide"


def test_collaborator_reads_but_may_not_write(as_collaborator: APIClient, project: Project) -> None:
    assert as_collaborator.get(detail(project)).status_code == 200
    response = as_collaborator.patch(detail(project), {"title": "Renamed"})
    assert response.status_code == 403
    assert "project.change" in response.json()["detail"]
    assert as_collaborator.delete(detail(project)).status_code == 403
    assert Project.objects.filter(pk=project.pk, title="Low Tide").exists()


def test_owner_updates_and_deletes(as_owner: APIClient, project: Project) -> None:
    response = as_owner.patch(detail(project), {"title": "High Tide", "status": "mixing"})
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "High Tide"
    assert response.json()["status"] == "mixing"
    assert as_owner.delete(detail(project)).status_code == 204
    assert not Project.objects.filter(pk=project.pk).exists()


def test_manager_may_change_but_not_delete(project: Project) -> None:
    manager = UserFactory.create()
    MembershipFactory.create(project=project, user=manager, role=Role.MANAGER)
    client = api_client_for(manager)
    assert client.patch(detail(project), {"client": "New Label"}).status_code == 200
    assert client.delete(detail(project)).status_code == 403


def test_create_makes_the_creator_producer(as_outsider: APIClient, outsider: Any) -> None:
    response = as_outsider.post(
        LIST, {"title": "Debut", "artist": "Nova Ferns", "currency": "GBP"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["my_role"] == "producer"
    assert body["currency"] == "GBP"
    assert Membership.objects.get(project_id=body["id"]).user == outsider


def test_any_studio_of_the_install_may_be_picked_a_missing_one_is_refused(
    as_owner: APIClient,
) -> None:
    # The studios are a directory (the project page offers them all), as on the pages.
    elsewhere = StudioFactory.create()
    picked = as_owner.post(
        LIST, {"title": "A", "artist": "B", "studios": [elsewhere.pk]}, format="json"
    )
    assert picked.status_code == 201, picked.json()
    assert picked.json()["studios"] == [elsewhere.pk]
    missing = as_owner.post(
        LIST, {"title": "C", "artist": "B", "studios": [elsewhere.pk + 1000]}, format="json"
    )
    assert missing.status_code == 400
    assert "studios" in missing.json()
    assert not Project.objects.filter(title="C").exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "", "artist": "B"}, "title"),
        ({"artist": "B"}, "title"),
        ({"title": "A", "artist": "B", "currency": "EURO"}, "currency"),
        ({"title": "A", "artist": "B", "currency": "XYZ"}, "currency"),
        ({"title": "A", "artist": "B", "status": "done"}, "status"),
        ({"title": "A", "artist": "B", "start_date": "yesterday"}, "start_date"),
        (
            {"title": "A", "artist": "B", "start_date": "2026-05-02", "due_date": "2026-05-01"},
            "due_date",
        ),
        ({"title": ["A"], "artist": "B"}, "title"),
        ({"title": "A", "artist": "B", "studios": "one"}, "studios"),
    ],
)
def test_bad_input_is_a_400_with_the_field(
    as_owner: APIClient, payload: dict[str, Any], field: str
) -> None:
    before = Project.objects.count()
    response = as_owner.post(LIST, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Project.objects.count() == before


def test_malformed_json_is_a_400(as_owner: APIClient) -> None:
    response = as_owner.generic("POST", LIST, '{"title": "A", ', content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_filter_search_and_ordering(owner: Any, as_owner: APIClient) -> None:
    for title, status in [("Alpha", "recording"), ("Beta", "mixing"), ("Gamma", "recording")]:
        MembershipFactory.create(
            project=ProjectFactory.create(title=title, status=status), user=owner
        )
    recording = as_owner.get(LIST, {"status": "recording", "ordering": "title"}).json()
    assert [row["title"] for row in recording["results"]] == ["Alpha", "Gamma"]
    assert [row["title"] for row in as_owner.get(LIST, {"search": "bet"}).json()["results"]] == [
        "Beta"
    ]
    assert as_owner.get(LIST, {"status": "nonsense"}).status_code == 400


def test_pagination_caps_page_size(owner: Any, as_owner: APIClient) -> None:
    for _ in range(3):
        MembershipFactory.create(project=ProjectFactory.create(), user=owner)
    page = as_owner.get(LIST, {"page_size": 2}).json()
    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert page["next"] is not None
    assert as_owner.get(LIST, {"page": 99}).status_code == 404
