"""Pages before `collectstatic`: served, styled, and the log says what to run."""

import logging
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings
from django.test import Client

from config.storage import StaticStorage

pytestmark = pytest.mark.django_db


def test_pages_work_before_collectstatic(
    owner: Any,
    settings: LazySettings,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DEBUG off and an empty STATIC_ROOT, as `runserver` or gunicorn right after a clone:
    the page renders with plain static names, the stylesheet is served, the log says why."""
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "config.storage.StaticStorage"},
    }
    client = Client()
    client.force_login(owner)
    # The storage says it once per process: another test of this worker may have heard it.
    monkeypatch.setattr(StaticStorage, "_warned", False)
    with caplog.at_level(logging.WARNING, logger="config.storage"):
        page = client.get("/")
    assert page.status_code == 200
    assert b'href="/static/css/site.css"' in page.content
    assert "collectstatic" in caplog.text
    stylesheet = client.get("/static/css/site.css")
    assert stylesheet.status_code == 200
    assert b"{" in stylesheet.getvalue()
