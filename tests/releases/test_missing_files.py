"""What a server missing a file answers: a clear 503 naming what to fix, never a 500."""

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from projects.models import Project
from releases import ddex
from releases.models import Release

SAMPLES = Path(__file__).resolve().parents[2] / "releases" / "ddex_schema"

pytestmark = pytest.mark.django_db


def test_a_lost_media_file_is_a_503_page_naming_the_file_not_the_path(
    client: Client,
    owner: Any,
    ready_release: Release,
    settings: LazySettings,
) -> None:
    thumbnail = Path(ready_release.artwork.thumbnail.path)
    thumbnail.unlink()
    client.force_login(owner)
    response = client.get(f"/releases/{ready_release.pk}/cover.jpg")
    assert response.status_code == 503
    text = response.content.decode()
    assert thumbnail.name in text
    assert "restore MEDIA_ROOT" in text
    assert str(settings.MEDIA_ROOT) not in text


@pytest.fixture
def schema_dir(settings: LazySettings, tmp_path: Path) -> Iterator[Path]:
    """DDEX_SCHEMA_DIR pointed at a folder of our choosing; the process caches forgotten."""
    folder = tmp_path / "ddex"
    folder.mkdir()
    settings.DDEX_SCHEMA_DIR = folder
    ddex.schema.cache_clear()
    ddex.allowed_values.cache_clear()
    yield folder
    ddex.schema.cache_clear()
    ddex.allowed_values.cache_clear()


def test_missing_ddex_schema_is_a_503_for_export_and_import(
    as_owner: APIClient, project: Project, ready_release: Release, schema_dir: Path
) -> None:
    exported = as_owner.get(f"/api/v1/releases/{ready_release.pk}/ddex/")
    assert exported.status_code == 503
    assert exported.json()["code"] == "unavailable"
    assert "release-notification.xsd" in exported.json()["detail"]
    assert "DDEX_SCHEMA_DIR" in exported.json()["detail"]
    upload = SimpleUploadedFile("m.xml", (SAMPLES / "sample-audio-single.xml").read_bytes())
    imported = as_owner.post(
        "/api/v1/releases/import-ddex/",
        {"project": project.pk, "message": upload},
        format="multipart",
    )
    assert imported.status_code == 503
    assert "DDEX_SCHEMA_DIR" in imported.json()["detail"]
    assert Release.objects.filter(project=project).count() == 1  # nothing half-imported


def test_schema_without_its_value_sets_is_a_503(
    as_owner: APIClient, ready_release: Release, schema_dir: Path
) -> None:
    shutil.copy(SAMPLES / "release-notification.xsd", schema_dir)
    response = as_owner.get(f"/api/v1/releases/{ready_release.pk}/ddex/")
    assert response.status_code == 503
    assert "cannot be" in response.json()["detail"]
