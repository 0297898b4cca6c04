"""What every answer carries: a Content-Security-Policy the pages live within, no caching of
private answers, errors a script can parse, and API docs for signed-in users only."""

import json
from html.parser import HTMLParser
from typing import Any

import pytest
from django.conf import LazySettings
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from projects.models import Project
from releases.models import Release
from studio.services.feeds import feed_token_create
from tests.factories import RoomFactory, StudioFactory

pytestmark = pytest.mark.django_db


class InlineCode(HTMLParser):
    """Collects what a `script-src 'self'; style-src 'self'` policy would block in a page:
    inline scripts and style elements, style and on* attributes, javascript: links. Also the
    nonce a page hands FullCalendar."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.scripts: list[str] = []
        self.nonce: str | None = None
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in {"href", "src", "action"} and (value or "").startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:...>")
        # A JSON data block (allauth's passkey and recovery-code pages hand their scripts
        # options so) is never run: no policy applies to it, and it is not code.
        if tag == "script" and named.get("type") == "application/json":
            return
        if tag == "script":
            if not named.get("src"):
                self.found.append("<script> without src")
            self.scripts.append(named.get("src") or "")
            self._in_script = True
        if tag == "style":
            self.found.append("<style>")
        if tag == "meta" and named.get("name") == "csp-nonce":
            self.nonce = named.get("content")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append("<script> with a body")


def inline_code(html: bytes) -> InlineCode:
    parser = InlineCode()
    parser.feed(html.decode())
    return parser


def policy(response: Any) -> dict[str, list[str]]:
    directives = [part.split() for part in response["Content-Security-Policy"].split(";")]
    return {words[0]: words[1:] for words in directives if words}


def browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def pages(owner: Any, project: Project) -> dict[str, str]:
    """The dashboard, a studio's calendar and a release: the pages with the most on them."""
    studio = StudioFactory.create(name="Harbour Room", managers=[owner])
    project.studios.add(studio)
    RoomFactory.create(studio=studio, name="A")
    release = Release.objects.create(
        project=project, title="Paper Lanterns", display_artist="Wren Castellano"
    )
    return {
        "dashboard": "/",
        "calendar": f"/calendar/?studio={studio.pk}",
        "release": f"/releases/{release.pk}/",
    }


# --- Content-Security-Policy ------------------------------------------------------------------


def test_pages_carry_a_strict_policy_and_no_inline_code(owner: Any, pages: dict[str, str]) -> None:
    client = browser(owner)
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        directives = policy(response)
        assert directives["script-src"] == ["'self'"], name
        assert directives["default-src"] == ["'self'"], name
        assert directives["object-src"] == ["'none'"], name
        assert directives["frame-ancestors"] == ["'none'"], name
        assert "'unsafe-inline'" not in directives["style-src"], name
        page = inline_code(response.content)
        assert page.found == [], (name, page.found)

    login = Client().get("/accounts/login/")
    assert inline_code(login.content).found == []
    assert "script-src" in policy(login)


def test_calendar_hands_fullcalendar_the_policys_nonce(owner: Any, pages: dict[str, str]) -> None:
    """FullCalendar injects its stylesheet as a <style>; it may, with the nonce of this answer."""
    response = browser(owner).get(pages["calendar"])
    page = inline_code(response.content)
    assert page.nonce
    assert f"'nonce-{page.nonce}'" in policy(response)["style-src"]
    assert any("fullcalendar" in src for src in page.scripts)
    # Pages that do not ask for a nonce grant none.
    dashboard = browser(owner).get(pages["dashboard"])
    assert policy(dashboard)["style-src"] == ["'self'"]


# --- Cache-Control ----------------------------------------------------------------------------


def test_private_answers_are_never_stored(owner: Any, project: Project) -> None:
    assert browser(owner).get("/")["Cache-Control"] == "private, no-store"
    assert browser(owner).get(f"/projects/{project.pk}/")["Cache-Control"] == "private, no-store"

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    response = api.get("/api/v1/projects/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    # API refusals too: a shared cache must not answer the next caller with them.
    refused = APIClient().get("/api/v1/projects/")
    assert refused.status_code == 401
    assert refused["Cache-Control"] == "private, no-store"


def test_the_calendar_feed_keeps_its_own_caching(owner: Any, project: Project) -> None:
    feed = feed_token_create(owner=owner, target=project)
    for client in (Client(), browser(owner)):
        response = client.get(f"/feeds/{feed.token}.ics")
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, max-age=300"


# --- Errors -----------------------------------------------------------------------------------


def test_api_not_found_is_json(owner: Any) -> None:
    for client in (APIClient(), browser(owner)):
        response = client.get("/api/v1/no-such-resource/")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {
            "detail": "No API resource at this address.",
            "code": "not_found",
        }


def test_page_not_found_is_a_page(owner: Any) -> None:
    response = browser(owner).get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "Nothing here" in html
    assert "not a member of" in html
    assert 'href="/"' in html
    assert "Sign out owner" in html  # within the site's frame


@pytest.fixture
def failing_site(settings: LazySettings) -> Client:
    settings.ROOT_URLCONF = "tests.posture_urls"
    return Client(raise_request_exception=False)


def test_server_error_in_the_api_is_json(failing_site: Client) -> None:
    response = failing_site.get("/api/v1/failing/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "server_error"
    assert response["Cache-Control"] == "private, no-store"


def test_server_error_on_a_page_is_a_standalone_page(failing_site: Client) -> None:
    response = failing_site.get("/failing/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert 'href="/"' in html
    assert "/static/css/site.css" in html
    assert inline_code(response.content).found == []


def test_forbidden_page_says_why(collaborator: Any, project: Project) -> None:
    """A viewer posting a new member: refused with the reason and a way back."""
    response = browser(collaborator).post(
        f"/projects/{project.pk}/", {"user": "outsider", "role": "engineer"}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "You may not do this" in html
    assert "Your role may not add members." in html
    assert 'href="/"' in html


def test_csrf_refusal_is_the_sites_page() -> None:
    response = Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"login": "owner", "password": "x"}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "security token" in html
    assert inline_code(response.content).found == []


@pytest.fixture
def small_bodies(settings: LazySettings) -> int:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    return 2048


def test_oversized_json_body_is_a_json_413(as_owner: APIClient, small_bodies: int) -> None:
    fits = as_owner.post("/api/v1/projects/", {"title": "Small", "artist": "B"}, format="json")
    assert fits.status_code == 201

    big = {"title": "Big", "artist": "B", "notes": "x" * small_bodies}
    response = as_owner.post("/api/v1/projects/", big, format="json")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert str(small_bodies) in response.json()["detail"]
    assert not Project.objects.filter(title="Big").exists()


def test_oversized_form_fields_in_the_api_are_a_json_413(
    as_owner: APIClient, small_bodies: int
) -> None:
    big = {"title": "Big", "artist": "B", "notes": "x" * small_bodies}
    response = as_owner.post("/api/v1/projects/", big, format="multipart")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "request_too_large"
    assert not Project.objects.filter(title="Big").exists()


def test_oversized_page_form_is_a_413_page(owner: Any, small_bodies: int) -> None:
    big = {"title": "Big", "artist": "B", "currency": "EUR", "notes": "x" * small_bodies}
    response = browser(owner).post("/projects/new/", big)
    assert response.status_code == 413
    assert "more than the server accepts" in response.content.decode()
    assert not Project.objects.filter(title="Big").exists()


# --- API docs ---------------------------------------------------------------------------------


def test_api_docs_need_a_login(client: Client) -> None:
    docs = client.get("/api/docs/")
    assert docs.status_code == 302
    assert docs["Location"] == "/accounts/login/?next=/api/docs/"
    schema = client.get("/api/schema/")
    assert schema.status_code == 401
    assert schema["Content-Type"] == "application/json"
    assert "credentials were not provided" in schema.json()["detail"]
    assert "paths" not in schema.content.decode()


def test_api_docs_are_served_to_a_user(owner: Any) -> None:
    client = browser(owner)
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    assert "/api/v1/projects/" in json.loads(schema.content)["paths"]

    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    # Swagger UI from our own static files, its start-up script a file too: no CDN, no inline.
    assert b"/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs.content
    assert b"cdn" not in docs.content.lower()
    page = inline_code(docs.content)
    assert "<script> without src" not in page.found
    directives = policy(docs)
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" in directives["style-src"]
    [start_up] = [src for src in page.scripts if "script" in src.split("?")[-1]]
    script = client.get(start_up)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    assert api.get("/api/schema/").status_code == 200


def test_api_docs_public_opens_them(client: Client, settings: LazySettings) -> None:
    settings.API_DOCS_PUBLIC = True
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/schema/").status_code == 200
