"""The versions page without JS: upload, notes at a typed time, resolve, approve, links;
refusals beside their field as a 400; outsider 404, viewer 403; the board's card details."""

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase

from projects.models import Project
from releases import services as release_services
from releases.models import Master, Release
from songs import services
from songs.hooks import card_details as all_card_details
from songs.models import ListenLink, Song, SongStage, SongVersion, VersionNote
from songs.selectors import version_card_details as card_details
from songs.services import song_create
from tests.releases.audio_files import tone

pytestmark = pytest.mark.django_db


@pytest.fixture
def song(project: Project) -> Song:
    return song_create(project=project, title="Paper Lanterns", stage=SongStage.MIXING)


@pytest.fixture
def client_of(owner: Any) -> Client:
    client = Client()
    client.force_login(owner)
    return client


def url(song: Song, tail: str = "") -> str:
    return f"/projects/{song.project_id}/songs/{song.pk}/versions/{tail}"


def upload_page(client: Client, song: Song, path: Path, kind: str = "mix") -> Any:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            url(song, "upload/"),
            {"upload-kind": kind, "upload-file": SimpleUploadedFile(path.name, path.read_bytes())},
        )


def test_upload_note_resolve_approve_through_the_page(
    client_of: Client, song: Song, tmp_path: Path
) -> None:
    empty = client_of.get(url(song))
    assert empty.status_code == 200
    assert "No versions yet." in empty.content.decode()
    answer = upload_page(client_of, song, tone(tmp_path / "m.wav", seconds=5.0, rate=44100))
    assert answer.status_code == 302
    version = SongVersion.objects.get()
    page = client_of.get(url(song)).content.decode()
    assert "Mix v1" in page and "version-peaks" in page and "preview.mp3" in page
    refused = client_of.post(
        url(song, f"{version.pk}/notes/"), {"note-at_seconds": "0:09", "note-body": "late"}
    )
    assert refused.status_code == 400
    assert "A time between 0:00 and 0:05" in refused.content.decode()
    refused = client_of.post(
        url(song, f"{version.pk}/notes/"), {"note-at_seconds": "soon", "note-body": "x"}
    )
    assert refused.status_code == 400
    assert "minutes and seconds (0:42)" in refused.content.decode()
    added = client_of.post(
        url(song, f"{version.pk}/notes/"), {"note-at_seconds": "0:03", "note-body": "vocal loud"}
    )
    assert added.status_code == 302
    note = VersionNote.objects.get()
    assert note.at_seconds == Decimal("3.00")
    assert 'data-seek="3.00"' in client_of.get(url(song)).content.decode()
    client_of.post(url(song, f"{version.pk}/notes/{note.pk}/resolve/"))
    note.refresh_from_db()
    assert note.resolved_in == version
    page = client_of.get(url(song)).content.decode()
    assert "Approve Mix v1: the mix is final and the song moves to mastering" in page
    assert client_of.post(url(song, f"{version.pk}/approve/")).status_code == 302
    song.refresh_from_db()
    assert song.stage == SongStage.MASTERING
    # The next version shows the old note as fixed.
    upload_page(client_of, song, tone(tmp_path / "m2.wav", seconds=5.0, rate=44100))
    page = client_of.get(url(song)).content.decode()
    assert "Mix v2" in page and "fixed in Mix v1" in page


def test_master_approval_says_and_does_it(client_of: Client, song: Song, tmp_path: Path) -> None:
    release = Release.objects.create(project=song.project, title="PL", display_artist="W")
    track = release_services.track_from_song(release=release, song=song, position=1)
    upload_page(client_of, song, tone(tmp_path / "f.wav", seconds=3.0), kind="master")
    version = SongVersion.objects.get()
    page = client_of.get(url(song)).content.decode()
    assert "Approve Master v1: it becomes the track's master" in page
    with TestCase.captureOnCommitCallbacks(execute=True):
        client_of.post(url(song, f"{version.pk}/approve/"))
    assert Master.objects.get(track=track).sha256 == version.sha256


def test_bad_upload_shows_the_refusal_beside_the_field(
    client_of: Client, song: Song, tmp_path: Path
) -> None:
    bad = tmp_path / "mix.wav"
    bad.write_bytes(b"%PDF-1.4 not audio" * 100)
    answer = upload_page(client_of, song, bad)
    assert answer.status_code == 400
    assert "a PDF document" in answer.content.decode()
    assert not SongVersion.objects.exists()


def test_listen_link_from_the_page(client_of: Client, song: Song, tmp_path: Path) -> None:
    upload_page(client_of, song, tone(tmp_path / "m.wav", seconds=2.0))
    version = SongVersion.objects.get()
    refused = client_of.post(
        url(song, f"{version.pk}/links/"), {"link-label": "", "link-days": "0"}
    )
    assert refused.status_code == 400
    made = client_of.post(
        url(song, f"{version.pk}/links/"),
        {
            "link-label": "A&R",
            "link-days": "7",
            "link-password": "secret1",
            "link-allow_notes": "on",
        },
    )
    assert made.status_code == 302
    link = ListenLink.objects.get()
    assert link.allow_notes and link.has_password and not link.allow_download
    page = client_of.get(url(song)).content.decode()
    assert f"/listen/{link.token}/" in page
    client_of.post(url(song, f"{version.pk}/links/{link.pk}/revoke/"))
    assert ListenLink.objects.get().revoked_at is not None


def test_outsider_404_viewer_403(
    song: Song, outsider: Any, collaborator: Any, owner: Any, tmp_path: Path
) -> None:
    version = services.version_upload(
        song=song,
        kind="mix",
        upload=SimpleUploadedFile("m.wav", tone(tmp_path / "m.wav", seconds=1.0).read_bytes()),
        by=owner,
    )
    stranger, viewer = Client(), Client()
    stranger.force_login(outsider)
    viewer.force_login(collaborator)
    for tail in ("", f"{version.pk}/file/"):
        assert stranger.get(url(song, tail)).status_code == 404
    assert stranger.post(url(song, f"{version.pk}/approve/")).status_code == 404
    assert viewer.get(url(song)).status_code == 200
    assert "Approve Mix v1" not in viewer.get(url(song)).content.decode()
    assert viewer.post(url(song, f"{version.pk}/approve/")).status_code == 403
    assert (
        viewer.post(
            url(song, f"{version.pk}/notes/"), {"note-at_seconds": "0", "note-body": "x"}
        ).status_code
        == 403
    )
    assert viewer.post(url(song, f"{version.pk}/links/"), {}).status_code == 403
    assert SongVersion.objects.get().approved_at is None
    assert Client().get(url(song)).status_code == 302  # to the login


def test_card_details_in_fixed_queries(
    project: Project, owner: Any, tmp_path: Path, django_assert_num_queries: Any
) -> None:
    audio = tone(tmp_path / "m.wav", seconds=1.0).read_bytes()
    songs = []
    for i in range(6):
        song = song_create(project=project, title=f"Song {i}")
        songs.append(song)
        for kind in ("rough", "mix", "mix")[: i % 4]:
            version = services.version_upload(
                song=song, kind=kind, upload=SimpleUploadedFile("m.wav", audio), by=owner
            )
            services.version_note_add(
                version=version, at_seconds=Decimal("0.5"), body="n", by=owner
            )
    with django_assert_num_queries(2):
        details = card_details(songs)
    where = f"/projects/{project.pk}/songs/{songs[3].pk}/versions/"
    assert details[songs[3].pk] == {
        "Latest version": f'<a href="{where}">Mix v2</a>',
        "Open notes": "3",
    }
    assert "none yet" in details[songs[0].pk]["Latest version"]
    assert "Open notes" not in details[songs[0].pk]
    # Registered from the app's ready(): the board shows them, linked to the versions page.
    assert ">Rough v1</a>" in all_card_details(songs)[songs[1].pk]["Latest version"]
    board = Client()
    board.force_login(owner)
    page = board.get(f"/projects/{project.pk}/songs/").content.decode()
    assert f'<a href="{where}">Mix v2</a>' in page


def test_a_track_is_made_from_a_song_on_the_release_page(
    client_of: Client, song: Song, owner: Any, tmp_path: Path
) -> None:
    approved = services.version_upload(
        song=song,
        kind="master",
        upload=SimpleUploadedFile("f.wav", tone(tmp_path / "f.wav", seconds=2.0).read_bytes()),
        by=owner,
    )
    services.version_approve(version=approved, by=owner)
    release = Release.objects.create(project=song.project, title="PL", display_artist="W")
    page = client_of.get(f"/releases/{release.pk}/").content.decode()
    assert f'<option value="{song.pk}">Paper Lanterns</option>' in page
    refused = client_of.post(
        f"/releases/{release.pk}/tracks/", {"new-track-disc": 1, "new-track-position": 1}
    )
    assert refused.status_code == 400
    assert "Type a title, or choose a song." in refused.content.decode()
    made = client_of.post(
        f"/releases/{release.pk}/tracks/",
        {"new-track-song": song.pk, "new-track-disc": 1, "new-track-position": 1},
    )
    assert made.status_code == 302
    track = release.tracks.get()
    assert (track.title, track.song, track.master.sha256) == (
        "Paper Lanterns",
        song,
        approved.sha256,
    )
    page = client_of.get(f"/releases/{release.pk}/").content.decode()
    assert 'name="new-track-song"' not in page  # its only song is a track now


def test_today_lists_notes_waiting_for_my_answer(
    project: Project, owner: Any, tmp_path: Path, django_assert_num_queries: Any
) -> None:
    from django.utils import timezone

    from projects.models import Role
    from songs.agenda import read_notes_waiting
    from tests.factories import MembershipFactory, UserFactory

    engineer, artist = UserFactory.create(username="eng"), UserFactory.create(username="art")
    MembershipFactory.create(project=project, user=engineer, role=Role.ENGINEER)
    MembershipFactory.create(project=project, user=artist, role=Role.ARTIST)
    song = song_create(project=project, title="Harbour Lights")
    audio = tone(tmp_path / "m.wav", seconds=2.0).read_bytes()
    mix = services.version_upload(
        song=song, kind="mix", upload=SimpleUploadedFile("m.wav", audio), by=engineer
    )
    for i in range(3):
        services.version_note_add(
            version=mix, at_seconds=Decimal(i), body=f"Note {i} from the artist", by=artist
        )
    done = services.version_note_add(version=mix, at_seconds=Decimal(1), body="Done", by=artist)
    services.version_note_resolve(note=done, by=engineer)
    services.version_note_add(version=mix, at_seconds=Decimal(1), body="My own", by=owner)
    now = timezone.now()
    with django_assert_num_queries(1):
        mine = read_notes_waiting(owner, now.date(), now)
    assert [n.body for n in mine["rows"]] == [f"Note {i} from the artist" for i in (2, 1, 0)]
    assert len(read_notes_waiting(engineer, now.date(), now)["rows"]) == 4  # the owner's too
    assert read_notes_waiting(artist, now.date(), now)["rows"] == []
    today = Client()
    today.force_login(owner)
    page = today.get("/").content.decode()
    assert "Notes waiting for my answer" in page
    assert f"?v={mix.pk}#note-" in page
    for i in range(25):
        services.version_note_add(version=mix, at_seconds=Decimal(0), body=f"More {i}", by=artist)
    with django_assert_num_queries(1):
        mine = read_notes_waiting(owner, now.date(), now)
    assert (len(mine["rows"]), mine["more"]) == (20, True)


def test_the_versions_page_reads_in_fixed_queries(
    client_of: Client, song: Song, owner: Any, tmp_path: Path
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from songs.services import listen_link_create, listen_play_record

    audio = tone(tmp_path / "m.wav", seconds=2.0).read_bytes()

    def grow(n: int) -> SongVersion:
        for _ in range(n):
            with TestCase.captureOnCommitCallbacks(execute=True):
                version = services.version_upload(
                    song=song, kind="mix", upload=SimpleUploadedFile("m.wav", audio), by=owner
                )
            for at in (0, 1):
                services.version_note_add(
                    version=version, at_seconds=Decimal(at), body="n", by=owner
                )
            link = listen_link_create(
                version=version,
                label="A&R",
                expires_at=version.uploaded_at + datetime.timedelta(days=3),
                by=owner,
            )
            listen_play_record(link=link, key="k")
        return version

    counts = []
    for n in (1, 5):
        grow(n)
        with CaptureQueriesContext(connection) as queries:
            assert client_of.get(url(song)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_htmx_swaps_the_notes_panel(client_of: Client, song: Song, tmp_path: Path) -> None:
    upload_page(client_of, song, tone(tmp_path / "m.wav", seconds=5.0, rate=44100))
    version = SongVersion.objects.get()
    notes = url(song, f"{version.pk}/notes/")
    refused = client_of.post(
        notes, {"note-at_seconds": "0:09", "note-body": "late"}, HTTP_HX_REQUEST="true"
    )
    # 200, so that htmx swaps it: the panel with the refusal beside the field.
    assert refused.status_code == 200
    html = refused.content.decode()
    assert html.lstrip().startswith('<div id="notes-panel"')
    assert "A time between 0:00 and 0:05" in html and "<html" not in html
    added = client_of.post(
        notes, {"note-at_seconds": "0:03", "note-body": "vocal loud"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Note at 0:03 added to Mix v1." in added and 'data-seek="3.00"' in added
    note = VersionNote.objects.get()
    resolved = client_of.post(
        url(song, f"{version.pk}/notes/{note.pk}/resolve/"), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Fixed in Mix v1" in resolved and "marked fixed in Mix v1" in resolved
