"""What a server missing a file answers: a clear 503 naming what to fix, never a 500."""

from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings
from django.test import Client

from releases.models import Release

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
