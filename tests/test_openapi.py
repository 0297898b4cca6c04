"""The OpenAPI schema builds, validates and carries no warning."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client


def test_schema_builds_without_warnings() -> None:
    out = StringIO()
    # --fail-on-warn turns any drf-spectacular warning into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = out.getvalue()
    for path in ["/api/v1/projects/", "/api/v1/projects/{project_pk}/members/", "/api/v1/gear/"]:
        assert path in schema


@pytest.mark.django_db
def test_schema_and_docs_are_served(client: Client, owner: Any) -> None:
    # Behind login (API_DOCS_PUBLIC opens them; tests/test_posture.py checks both ways).
    client.force_login(owner)
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
    # Served from our own static files: no CDN.
    assert b"/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs.content
    assert b"cdn" not in docs.content.lower()
