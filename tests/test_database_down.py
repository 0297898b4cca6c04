"""The database not answering: a 503 page or JSON that says to wait, never a bare 500.

The database is really unreachable here: the connection is pointed at a file that cannot be
opened (SQLite) or a port nothing listens on (PostgreSQL), then put back."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from config.errors import server_error


@pytest.fixture
def database_down(django_db_blocker: Any) -> Iterator[None]:
    saved = dict(connection.settings_dict)
    with django_db_blocker.unblock():
        connection.close()
        if connection.vendor == "sqlite":
            connection.settings_dict["NAME"] = "/nonexistent/folder/tracksheet.sqlite3"
        else:
            connection.settings_dict["PORT"] = "9"  # the discard port: nothing listens
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)


def test_api_answers_503_json_with_retry_after(database_down: None) -> None:
    response = APIClient().get("/api/v1/projects/", HTTP_AUTHORIZATION="Token abc123")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "unavailable"
    assert "database" in response.json()["detail"]
    assert response["Retry-After"] == "60"


def test_pages_answer_a_503_page(database_down: None) -> None:
    response = Client().post("/accounts/login/", {"login": "someone", "password": "secret"})
    assert response.status_code == 503
    assert b"database is not answering" in response.content
    assert response["Retry-After"] == "60"


def test_the_500_handler_answers_503_for_what_a_middleware_raised(
    database_down: None, rf: RequestFactory
) -> None:
    """Middleware errors reach Django's 500 handler, not DRF's or the page middleware."""
    for path, kind in (("/api/v1/projects/", "application/json"), ("/", "text/html")):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except OperationalError:
            response = server_error(rf.get(path))
        assert response.status_code == 503, path
        assert response["Content-Type"].startswith(kind)
        assert response["Retry-After"] == "60"
