"""The versions API: uploads, approval, notes and listen links, scoped to the caller's projects
(another project's row is a 404, a role without the right a 403), lists in fixed queries."""

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone
from rest_framework.test import APIClient

from projects.models import Project, Role
from releases import services as release_services
from releases.models import Master, Release
from songs import services
from songs.models import ListenLink, Song, SongStage, SongVersion, VersionNote
from songs.services import song_create
from tests.conftest import api_client_for
from tests.factories import MembershipFactory, UserFactory
from tests.releases.audio_files import tone

pytestmark = pytest.mark.django_db


def in_a_month() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=30)


def post_version(client: APIClient, song: Song, kind: str, path: Path) -> Any:
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            "/api/v1/song-versions/",
            {"song": song.pk, "kind": kind, "file": upload},
            format="multipart",
        )


@pytest.fixture
def song(project: Project) -> Song:
    return song_create(project=project, title="Paper Lanterns", stage=SongStage.MIXING)


@pytest.fixture
def audio(tmp_path: Path) -> Path:
    return tone(tmp_path / "mix.wav", seconds=4.0, rate=44100)


@pytest.fixture
def version(as_owner: APIClient, song: Song, audio: Path) -> SongVersion:
    answer = post_version(as_owner, song, "mix", audio)
    assert answer.status_code == 201, answer.json()
    return SongVersion.objects.get(pk=answer.json()["id"])


def test_upload_lists_and_reads_with_peaks(
    as_owner: APIClient, version: SongVersion, song: Song
) -> None:
    body = as_owner.get(f"/api/v1/song-versions/{version.pk}/").json()
    assert body["label"] == "Mix v1"
    assert body["status"] == "ready"
    assert len(body["peaks"]) == 800
    assert body["preview"].endswith(f"/api/v1/song-versions/{version.pk}/preview/")
    preview = as_owner.get(body["preview"])
    assert preview.status_code == 200
    assert preview["Content-Type"] == "audio/mpeg"
    listed = as_owner.get(f"/api/v1/song-versions/?song={song.pk}").json()
    assert [row["label"] for row in listed["results"]] == ["Mix v1"]
    assert "peaks" not in listed["results"][0]


def test_corrupt_upload_is_a_400_with_the_field(
    as_owner: APIClient, song: Song, tmp_path: Path
) -> None:
    bad = tmp_path / "notes.wav"
    bad.write_text("these are not audio samples\n" * 50)
    answer = post_version(as_owner, song, "mix", bad)
    assert answer.status_code == 400
    assert "a text file" in answer.json()["file"][0]
    answer = post_version(as_owner, song, "demo", tone(tmp_path / "t.wav", seconds=1.0))
    assert answer.status_code == 400
    assert "kind" in answer.json()
    assert not SongVersion.objects.exists()


def test_outsider_gets_404_and_viewer_403(
    as_outsider: APIClient,
    as_collaborator: APIClient,
    version: SongVersion,
    song: Song,
    audio: Path,
) -> None:
    assert as_outsider.get(f"/api/v1/song-versions/{version.pk}/").status_code == 404
    assert as_outsider.get("/api/v1/song-versions/").json()["count"] == 0
    assert as_outsider.get(f"/api/v1/song-versions/{version.pk}/preview/").status_code == 404
    assert post_version(as_outsider, song, "mix", audio).status_code == 400  # song not theirs
    assert as_outsider.post(f"/api/v1/song-versions/{version.pk}/approve/").status_code == 404
    # The collaborator views: reads yes, writes no.
    assert as_collaborator.get(f"/api/v1/song-versions/{version.pk}/").status_code == 200
    assert post_version(as_collaborator, song, "mix", audio).status_code == 403
    assert as_collaborator.post(f"/api/v1/song-versions/{version.pk}/approve/").status_code == 403
    note = {"version": version.pk, "at_seconds": "0:01", "body": "hiss"}
    assert as_collaborator.post("/api/v1/version-notes/", note).status_code == 403
    assert as_outsider.post("/api/v1/version-notes/", note).status_code == 400
    assert SongVersion.objects.count() == 1
    assert not VersionNote.objects.exists()


def test_notes_at_a_time_bad_time_400_and_resolve(
    as_owner: APIClient, version: SongVersion
) -> None:
    answer = as_owner.post(
        "/api/v1/version-notes/", {"version": version.pk, "at_seconds": "0:02", "body": "hiss"}
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["at"] == "0:02"
    assert answer.json()["at_seconds"] == 2.0
    for bad in ("soon", "0:09", "-1", "1:99"):
        refused = as_owner.post(
            "/api/v1/version-notes/", {"version": version.pk, "at_seconds": bad, "body": "x"}
        )
        assert refused.status_code == 400, bad
        assert "at_seconds" in refused.json()
    assert VersionNote.objects.count() == 1
    note_id = answer.json()["id"]
    resolved = as_owner.post(f"/api/v1/version-notes/{note_id}/resolve/", {}).json()
    assert resolved["resolved_in_label"] == "Mix v1"


def test_approve_action_sets_the_master_and_refuses_a_mix_as_master(
    as_owner: APIClient, version: SongVersion, song: Song, audio: Path
) -> None:
    release = Release.objects.create(project=song.project, title="PL", display_artist="W")
    track = release_services.track_from_song(release=release, song=song, position=1)
    refused = as_owner.post(
        f"/api/v1/song-versions/{version.pk}/approve/", {"as_master": True}, format="json"
    )
    assert refused.status_code == 400
    assert "only a version uploaded as a master" in refused.json()["as_master"][0]
    master_id = post_version(as_owner, song, "master", audio).json()["id"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        approved = as_owner.post(f"/api/v1/song-versions/{master_id}/approve/")
    assert approved.status_code == 200
    assert approved.json()["approved_at"] is not None
    assert Master.objects.get(track=track).sha256 == approved.json()["sha256"]
    assert as_owner.post(f"/api/v1/song-versions/{master_id}/approve/").status_code == 409


def test_artist_approves(song: Song, version: SongVersion) -> None:
    artist = UserFactory.create(username="artist")
    MembershipFactory.create(project=song.project, user=artist, role=Role.ARTIST)
    answer = api_client_for(artist).post(f"/api/v1/song-versions/{version.pk}/approve/")
    assert answer.status_code == 200
    song.refresh_from_db()
    assert song.stage == SongStage.MASTERING


def test_listen_links_api_create_revoke_plays(
    as_owner: APIClient, as_collaborator: APIClient, version: SongVersion
) -> None:
    answer = as_owner.post(
        "/api/v1/listen-links/",
        {
            "version": version.pk,
            "label": "Mastering engineer",
            "expires_at": "2099-01-01T00:00:00Z",
            "password": "open sesame",
            "allow_notes": True,
        },
        format="json",
    )
    assert answer.status_code == 400  # more than a year ahead
    assert "expires_at" in answer.json()
    answer = as_owner.post(
        "/api/v1/listen-links/",
        {"version": version.pk, "label": "A&R", "expires_at": "2020-01-01T00:00:00Z"},
        format="json",
    )
    assert answer.status_code == 400  # in the past
    answer = as_owner.post(
        "/api/v1/listen-links/",
        {"version": version.pk, "label": "A&R", "expires_at": in_a_month().isoformat()},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["url"].startswith("http://testserver/listen/")
    assert (
        as_collaborator.post(
            "/api/v1/listen-links/",
            {"version": version.pk, "label": "A&R", "expires_at": in_a_month().isoformat()},
            format="json",
        ).status_code
        == 403
    )
    link = ListenLink.objects.get(pk=answer.json()["id"])
    services.listen_play_record(link=link, key="a", user_agent="Firefox")
    detail = as_owner.get(f"/api/v1/listen-links/{link.pk}/").json()
    assert detail["url"].endswith(f"/listen/{link.token}/")
    assert detail["plays"][0]["user_agent"] == "Firefox"
    assert "password" not in detail
    assert as_collaborator.post(f"/api/v1/listen-links/{link.pk}/revoke/").status_code == 403
    assert as_owner.post(f"/api/v1/listen-links/{link.pk}/revoke/").status_code == 200
    assert as_owner.post(f"/api/v1/listen-links/{link.pk}/revoke/").status_code == 409
    assert ListenLink.objects.get(pk=link.pk).revoked_at is not None


def test_lists_take_fixed_queries(
    as_owner: APIClient,
    song: Song,
    tmp_path: Path,
    django_assert_num_queries: Any,
    owner: Any,
) -> None:
    def grow(n: int) -> None:
        for i in range(n):
            version = services.version_upload(
                song=song,
                kind="rough",
                upload=SimpleUploadedFile(
                    "r.wav", tone(tmp_path / f"r{i}.wav", seconds=1.0).read_bytes()
                ),
                by=owner,
            )
            services.version_note_add(
                version=version, at_seconds=Decimal("0.5"), body="n", by=owner
            )
            link = services.listen_link_create(
                version=version, label=f"L{i}", expires_at=in_a_month(), by=owner
            )
            services.listen_play_record(link=link, key=str(i))

    # Session, membership scope, count, page (and the plays' prefetch): the same for 1 or 5.
    expected = {
        "/api/v1/song-versions/": 2,
        "/api/v1/version-notes/": 2,
        "/api/v1/listen-links/": 3,
    }
    for n in (1, 4):
        grow(n)
        for url, queries in expected.items():
            with django_assert_num_queries(queries):
                assert as_owner.get(url).status_code == 200


def test_who_resolves_a_note(
    as_owner: APIClient, as_collaborator: APIClient, version: SongVersion, song: Song
) -> None:
    manager = UserFactory.create(username="manager")
    MembershipFactory.create(project=song.project, user=manager, role=Role.MANAGER)
    as_manager = api_client_for(manager)
    theirs = as_owner.post(
        "/api/v1/version-notes/", {"version": version.pk, "at_seconds": 1, "body": "a"}
    ).json()["id"]
    own = as_manager.post(
        "/api/v1/version-notes/", {"version": version.pk, "at_seconds": 2, "body": "b"}
    ).json()["id"]
    assert as_collaborator.post(f"/api/v1/version-notes/{theirs}/resolve/").status_code == 403
    assert as_manager.post(f"/api/v1/version-notes/{theirs}/resolve/").status_code == 403
    assert as_manager.post(f"/api/v1/version-notes/{own}/resolve/").status_code == 200
    assert as_owner.post(f"/api/v1/version-notes/{theirs}/resolve/").status_code == 200
    assert not VersionNote.objects.filter(resolved_at__isnull=True).exists()
