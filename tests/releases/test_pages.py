from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from projects.models import Project
from releases.models import Release, Track

pytestmark = pytest.mark.django_db


def test_release_page_shows_readiness(
    owner: Any, outsider: Any, project: Project, django_assert_num_queries: Any
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
    # Session, user, release (project, cover joined), tracks, credits, splits, deliverables,
    # last render job, role, release credits, people for the credit form: not one per track.
    with django_assert_num_queries(12):  # 12: the songs a track may be made from
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


def test_release_page_edits(
    owner: Any, collaborator: Any, outsider: Any, ready_release: Release, tmp_path: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from projects.models import Person
    from releases.models import Credit, Master, Split
    from tests.releases.audio_files import tone

    base = f"/releases/{ready_release.pk}"
    track = ready_release.tracks.get(position=1)
    client = Client()
    client.force_login(owner)
    page = client.get(f"{base}/").content.decode()
    assert "Render deliverables" in page and "-14.2" in page  # the master's LUFS
    assert "Why there is no package yet" in page

    flac = tone(tmp_path / "new.flac", seconds=32, file_format="FLAC", subtype="PCM_16")
    upload = SimpleUploadedFile("new.flac", flac.read_bytes())
    response = client.post(f"{base}/tracks/{track.pk}/master/", {"file": upload}, follow=True)
    assert "Master of “Paper Lanterns” kept: FLAC, 48 kHz / 16-bit." in response.content.decode()
    assert Master.objects.get(track=track).format == "FLAC"
    bad = SimpleUploadedFile("bad.wav", b"RIFF....WAVEjunk")
    response = client.post(f"{base}/tracks/{track.pk}/master/", {"file": bad}, follow=True)
    assert "a master must be WAV, FLAC or AIFF" in response.content.decode()
    assert Master.objects.get(track=track).format == "FLAC"  # the good one stays

    producer = Person.objects.create(name="Robin Marsh")
    producer.projects.add(ready_release.project)
    client.post(f"{base}/credits/", {"person": producer.pk, "role": "Producer", "track": ""})
    credit = Credit.objects.get(person=producer)
    assert (credit.role, credit.track) == ("Producer", None)
    response = client.post(f"{base}/credits/", {"person": producer.pk, "role": "Nope"}, follow=True)
    assert "Value &#x27;Nope&#x27; is not a valid choice." in response.content.decode()
    response = client.post(f"{base}/credits/", {"person": 0, "role": "Producer"}, follow=True)
    assert "Choose a person and (or not) a track" in response.content.decode()
    client.post(f"{base}/credits/{credit.pk}/remove/")
    assert not Credit.objects.filter(person=producer).exists()

    shares = "Wren Castellano = 60\nRobin Marsh, 40%"
    client.post(f"{base}/tracks/{track.pk}/splits/", {"kind": "writer", "shares": shares})
    assert sorted(Split.objects.filter(track=track).values_list("party", "share")) == [
        ("Robin Marsh", 40),
        ("Wren Castellano", 60),
    ]
    response = client.post(
        f"{base}/tracks/{track.pk}/splits/",
        {"kind": "writer", "shares": "A = 70\nB = 20"},
        follow=True,
    )
    assert "The writer shares sum to 90 %, not 100 %." in response.content.decode()
    response = client.post(
        f"{base}/tracks/{track.pk}/splits/",
        {"kind": "writer", "shares": "just a name"},
        follow=True,
    )
    assert "Line 1: write “Name = 50”." in response.content.decode()
    assert Split.objects.filter(track=track).count() == 2
    client.post(
        f"{base}/tracks/{track.pk}/splits/",
        {"kind": "publisher", "shares": "Harbour Lane Publishing = 100"},
    )
    assert Split.objects.filter(track=track, kind="publisher").count() == 1
    assert "Save publisher shares" in client.get(f"{base}/").content.decode()

    viewer = Client()
    viewer.force_login(collaborator)
    assert "Render deliverables" not in viewer.get(f"{base}/").content.decode()
    assert (
        viewer.post(f"{base}/credits/", {"person": producer.pk, "role": "Producer"}).status_code
        == 403
    )
    stranger = Client()
    stranger.force_login(outsider)
    assert stranger.post(f"{base}/tracks/{track.pk}/master/", {"file": upload}).status_code == 404
    assert (
        stranger.post(f"{base}/tracks/{track.pk}/splits/", {"shares": "X = 100"}).status_code == 404
    )


@pytest.mark.parametrize("share", ["sNaN", "NaN", "Infinity", "-inf"])
def test_splits_that_are_not_numbers(owner: Any, project: Project, share: str) -> None:
    """Decimal reads these as numbers; the page answers 400 with the line at fault, the API
    400 naming the share, and nothing is saved."""
    from releases import services
    from releases.models import Split
    from tests.conftest import api_client_for

    release = Release.objects.create(project=project, title="R", display_artist="A")
    track = Track.objects.create(release=release, position=1, title="Low Tide")
    services.splits_set(track=track, kind="writer", shares=[{"party": "Wren", "share": "100"}])
    client = Client()
    client.force_login(owner)
    response = client.post(
        f"/releases/{release.pk}/tracks/{track.pk}/splits/",
        {"kind": "writer", "shares": f"Wren = 50\nRobin = {share}"},
    )
    assert response.status_code == 400
    assert "Line 2: the share is not a number; write “Name = 50”." in response.content.decode()
    api = api_client_for(owner).post(
        f"/api/v1/tracks/{track.pk}/splits/",
        {"kind": "writer", "shares": [{"party": "Wren", "share": share}]},
        format="json",
    )
    assert api.status_code == 400
    assert api.json() == {"shares": {"0": {"share": ["A valid number is required."]}}}
    with pytest.raises(ValidationError) as refused:
        services.splits_set(track=track, kind="writer", shares=[{"party": "W", "share": share}])
    assert refused.value.message_dict == {"shares": ["Share 1 is not a number."]}
    assert list(Split.objects.values_list("party", "share")) == [("Wren", 100)]
