from typing import Any

import pytest
from django.test import Client

from releases.models import Release, Track
from studio.models import Project

pytestmark = pytest.mark.django_db


def test_release_page_shows_readiness(
    owner: Any, outsider: Any, project: Project, django_assert_max_num_queries: Any
) -> None:
    release = Release.objects.create(
        project=project, title="Paper Lanterns", display_artist="Wren Castellano"
    )
    for n in range(1, 6):
        Track.objects.create(
            release=release, position=n, title=f"Song {n}", duration_seconds=200 + n
        )
    client = Client()
    client.force_login(owner)
    client.get(f"/releases/{release.pk}/")
    with django_assert_max_num_queries(10):
        page = client.get(f"/releases/{release.pk}/").content.decode()
    assert "Not ready to deliver" in page
    assert "The release has no UPC/EAN barcode." in page
    assert "Track 1 “Song 1” has no ISRC." in page
    assert "3:25" in page
    assert "Paper Lanterns" in client.get("/releases/").content.decode()
    stranger = Client()
    stranger.force_login(outsider)
    assert stranger.get(f"/releases/{release.pk}/").status_code == 404
    assert "Paper Lanterns" not in stranger.get("/releases/").content.decode()


def test_cover_is_served_to_members_only(owner: Any, outsider: Any, project: Project) -> None:
    import io

    from PIL import Image

    from releases import services

    release = Release.objects.create(project=project, title="Covered", display_artist="A")
    data = io.BytesIO()
    Image.new("RGB", (1400, 1400), "teal").save(data, "JPEG")
    services.artwork_set(release=release, data=data.getvalue(), filename="c.jpg")
    client = Client()
    client.force_login(owner)
    response = client.get(f"/releases/{release.pk}/cover.jpg")
    assert response.status_code == 200
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).size == (600, 600)  # type: ignore[attr-defined]
    assert (
        f"/releases/{release.pk}/cover.jpg"
        in client.get(f"/releases/{release.pk}/").content.decode()
    )
    stranger = Client()
    stranger.force_login(outsider)
    assert stranger.get(f"/releases/{release.pk}/cover.jpg").status_code == 404
