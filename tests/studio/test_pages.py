from typing import Any

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from projects.models import Project, Role
from tests.factories import PASSWORD, MembershipFactory, PersonFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser_for() -> Any:
    def make(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def test_pages_need_login(client: Client, project: Project) -> None:
    for url in ["/", "/projects/", f"/projects/{project.pk}/", "/people/", "/account/token/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_login_with_password_then_dashboard(client: Client, owner: Any, project: Project) -> None:
    response = client.post(
        "/accounts/login/", {"login": "owner", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert b"Low Tide" in response.content
    by_address = Client().post(
        "/accounts/login/", {"login": "owner@example.com", "password": PASSWORD}
    )
    assert by_address["Location"] == "/"
    wrong = Client().post("/accounts/login/", {"login": "owner", "password": "nope"})
    assert wrong.status_code == 200
    assert "The username and/or password you specified are not correct." in wrong.content.decode()


def test_dashboard_lists_only_my_projects(
    browser_for: Any, owner: Any, outsider: Any, project: Project
) -> None:
    ProjectFactory.create(title="Secret Sessions")
    page = browser_for(owner).get("/").content.decode()
    assert "Low Tide" in page
    assert "Secret Sessions" not in page
    assert "Low Tide" not in browser_for(outsider).get("/").content.decode()


def test_project_list_queries_do_not_grow(
    browser_for: Any, owner: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(20):
        MembershipFactory.create(project=ProjectFactory.create(), user=owner)
    client = browser_for(owner)
    # session, user, count, page, and the menu's "sees money" check (then cached a minute)
    with django_assert_max_num_queries(5):
        response = client.get("/projects/")
    assert response.content.decode().count("/projects/") >= 20


def test_project_detail_trio(
    browser_for: Any, owner: Any, collaborator: Any, outsider: Any, project: Project
) -> None:
    PersonFactory.create(name="Juniper Bass", projects=[project])
    page = browser_for(owner).get(f"/projects/{project.pk}/").content.decode()
    assert "Juniper Bass" in page
    assert "Add member" in page
    viewer_page = browser_for(collaborator).get(f"/projects/{project.pk}/").content.decode()
    assert "Juniper Bass" in viewer_page
    assert "Add member" not in viewer_page
    assert browser_for(outsider).get(f"/projects/{project.pk}/").status_code == 404
    assert browser_for(outsider).get(f"/projects/{project.pk}/edit/").status_code == 404


def test_add_member_from_page(
    browser_for: Any, owner: Any, collaborator: Any, outsider: Any, project: Project
) -> None:
    url = f"/projects/{project.pk}/"
    # Only someone the producer already works with may be added (the outsider, on another).
    elsewhere = ProjectFactory.create()
    MembershipFactory.create(project=elsewhere, user=owner, role=Role.PRODUCER)
    MembershipFactory.create(project=elsewhere, user=outsider, role=Role.VIEWER)
    response = browser_for(owner).post(url, {"user": "outsider", "role": "engineer"})
    assert response.status_code == 302
    assert project.memberships.get(user=outsider).role == "engineer"
    again = browser_for(owner).post(url, {"user": "outsider", "role": "viewer"})
    assert "already a member" in again.content.decode()
    unknown = browser_for(owner).post(url, {"user": "ghost", "role": "viewer"})
    assert "No one you work with has the username ghost." in unknown.content.decode()
    assert (
        browser_for(collaborator).post(url, {"user": "ghost", "role": "viewer"}).status_code == 403
    )


def test_create_and_edit_project_from_pages(
    browser_for: Any, owner: Any, collaborator: Any, project: Project
) -> None:
    client = browser_for(owner)
    response = client.post(
        "/projects/new/",
        {"title": "Paper Lanterns", "artist": "Wren", "currency": "EUR", "status": "planning"},
    )
    created = Project.objects.get(title="Paper Lanterns")
    assert response["Location"] == f"/projects/{created.pk}/"
    bad = client.post(
        "/projects/new/", {"title": "", "artist": "Wren", "currency": "XYZ", "status": "planning"}
    )
    assert bad.status_code == 200
    assert "XYZ is not an ISO 4217 currency code" in bad.content.decode()
    assert browser_for(collaborator).get(f"/projects/{project.pk}/edit/").status_code == 403
    edit = client.post(
        f"/projects/{project.pk}/edit/",
        {"title": "Low Tide II", "artist": project.artist, "currency": "EUR", "status": "mixing"},
    )
    assert edit.status_code == 302
    project.refresh_from_db()
    assert (project.title, project.status) == ("Low Tide II", "mixing")


def test_people_page_is_scoped(
    browser_for: Any, owner: Any, outsider: Any, project: Project
) -> None:
    PersonFactory.create(name="Juniper Bass", projects=[project])
    PersonFactory.create(name="Hidden Harpist", projects=[ProjectFactory.create()])
    page = browser_for(owner).get("/people/").content.decode()
    assert "Juniper Bass" in page
    assert "Hidden Harpist" not in page
    assert "Juniper Bass" not in browser_for(outsider).get("/people/").content.decode()


def test_token_create_use_and_revoke(browser_for: Any, owner: Any, project: Project) -> None:
    client = browser_for(owner)
    assert "You have no token" in client.get("/account/token/").content.decode()
    assert client.get("/account/token/new/").status_code == 405  # POST only
    client.post("/account/token/new/")
    token = Token.objects.get(user=owner)
    assert token.key in client.get("/account/token/").content.decode()

    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert script.get("/api/v1/projects/").json()["count"] == 1

    client.post("/account/token/new/")
    assert script.get("/api/v1/projects/").status_code == 401  # replaced
    client.post("/account/token/revoke/")
    assert not Token.objects.filter(user=owner).exists()


def test_logout(browser_for: Any, owner: Any) -> None:
    client = browser_for(owner)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_member_form_refuses_a_role_above_mine_beside_the_field(
    browser_for: Any, outsider: Any, project: Project
) -> None:
    manager = MembershipFactory.create(project=project, role=Role.MANAGER).user
    elsewhere = ProjectFactory.create()
    MembershipFactory.create(project=elsewhere, user=manager, role=Role.PRODUCER)
    MembershipFactory.create(project=elsewhere, user=outsider, role=Role.VIEWER)
    response = browser_for(manager).post(
        f"/projects/{project.pk}/", {"user": "outsider", "role": "producer"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert '<p class="error" id="member-role-error">As manager you may not make a producer' in page
    assert not project.memberships.filter(user=outsider).exists()
