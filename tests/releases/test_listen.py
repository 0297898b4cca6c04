"""Listen links: a guest sees only that version; unknown, revoked and expired links are the
same 404; a password first when set; download and notes only when allowed; plays logged once
per page load."""

import datetime
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.utils import timezone

from projects.models import Project
from songs import services
from songs.models import ListenLink, ListenPlay, Song, SongVersion, VersionNote
from songs.services import song_create
from tests.releases.audio_files import tone

pytestmark = pytest.mark.django_db


@pytest.fixture
def song(project: Project) -> Song:
    return song_create(project=project, title="Paper Lanterns")


@pytest.fixture
def version(song: Song, owner: Any, tmp_path: Path) -> SongVersion:
    path = tone(tmp_path / "mix.wav", seconds=4.0, rate=44100)
    with TestCase.captureOnCommitCallbacks(execute=True):
        made = services.version_upload(
            song=song,
            kind="mix",
            upload=SimpleUploadedFile("mix.wav", path.read_bytes()),
            by=owner,
        )
    made.refresh_from_db()
    return made


def make_link(version: SongVersion, **options: Any) -> ListenLink:
    return services.listen_link_create(
        version=version,
        label="Mastering engineer",
        expires_at=timezone.now() + datetime.timedelta(days=7),
        by=None,
        **options,
    )


def preview_url(page: Any) -> str:
    found = re.search(r'<audio[^>]* src="([^"]+)"', page.content.decode())
    assert found is not None
    return found.group(1).replace("&amp;", "&")


def test_the_link_shows_its_version_and_nothing_else(version: SongVersion, song: Song) -> None:
    other = services.version_upload(
        song=song,
        kind="rough",
        upload=SimpleUploadedFile("r.wav", Path(version.file.path).read_bytes()),
        by=None,
    )
    link = make_link(version)
    page = Client().get(f"/listen/{link.token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Paper Lanterns" in html and "Mix v1" in html
    assert other.label not in html
    # No way into the project: every link on the page is the link's own.
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert all(h.startswith(("/static/", "data:", f"/listen/{link.token}/")) for h in hrefs), hrefs
    assert f"/projects/{song.project_id}" not in html
    assert page["Referrer-Policy"] == "same-origin"
    # Not a download unless allowed, no note form unless allowed.
    assert "Download" not in html and "Your name" not in html
    assert Client().get(f"/listen/{link.token}/download/").status_code == 404
    assert Client().post(f"/listen/{link.token}/notes/", {}).status_code == 404


def test_unknown_revoked_and_expired_links_answer_the_same_404(version: SongVersion) -> None:
    revoked = make_link(version)
    services.listen_link_revoke(link=revoked)
    expired = make_link(version)
    ListenLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    pages = [
        Client().get(f"/listen/{token}/")
        for token in ("no-such-token", revoked.token, expired.token)
    ]
    assert [p.status_code for p in pages] == [404, 404, 404]
    assert len({p.content for p in pages}) == 1
    for link in (revoked, expired):
        assert Client().get(f"/listen/{link.token}/preview.mp3").status_code == 404


def test_password_first(version: SongVersion) -> None:
    link = make_link(version, password="open sesame", allow_download=True)
    assert link.password_hash and "open sesame" not in link.password_hash
    guest = Client()
    page = guest.get(f"/listen/{link.token}/")
    assert "This link has a password" in page.content.decode()
    assert "<audio" not in page.content.decode()
    assert guest.get(f"/listen/{link.token}/preview.mp3").status_code == 404
    assert guest.get(f"/listen/{link.token}/download/").status_code == 404
    wrong = guest.post(f"/listen/{link.token}/", {"password": "guess"})
    assert wrong.status_code == 400
    assert "not the link&#x27;s password" in wrong.content.decode()
    for _ in range(9):
        guest.post(f"/listen/{link.token}/", {"password": "guess"})
    # Ten wrong: the right one is not even checked for a while.
    locked = guest.post(f"/listen/{link.token}/", {"password": "open sesame"})
    assert locked.status_code == 429
    assert "Too many wrong passwords" in locked.content.decode()
    cache.clear()
    right = guest.post(f"/listen/{link.token}/", {"password": "open sesame"})
    assert right.status_code == 302
    page = guest.get(f"/listen/{link.token}/")
    assert "<audio" in page.content.decode()
    assert guest.get(f"/listen/{link.token}/download/").status_code == 200


def test_download_only_when_allowed_gives_the_file(version: SongVersion) -> None:
    link = make_link(version, allow_download=True)
    answer = Client().get(f"/listen/{link.token}/download/")
    assert answer.status_code == 200
    assert answer.getvalue() == Path(version.file.path).read_bytes()
    assert "Paper Lanterns - Mix v1.wav" in answer["Content-Disposition"]


def test_plays_are_logged_once_per_page_load(version: SongVersion) -> None:
    link = make_link(version)
    guest = Client(HTTP_USER_AGENT="TestPlayer/1.0")
    first = preview_url(guest.get(f"/listen/{link.token}/"))
    # The player's requests of one play: the whole file, then ranges while seeking.
    whole = guest.get(first)
    assert whole.status_code == 200
    assert whole["Content-Type"] == "audio/mpeg"
    ranged = guest.get(first, HTTP_RANGE="bytes=100-199")
    assert ranged.status_code == 206
    assert len(ranged.content) == 100
    assert ranged["Content-Range"].startswith("bytes 100-199/")
    assert ListenPlay.objects.filter(link=link).count() == 1
    second = preview_url(guest.get(f"/listen/{link.token}/"))
    assert second != first
    guest.get(second)
    plays = list(ListenPlay.objects.filter(link=link))
    assert len(plays) == 2
    assert plays[0].user_agent == "TestPlayer/1.0"
    # A key made up by hand logs nothing.
    guest.get(f"/listen/{link.token}/preview.mp3?play=made-up")
    assert ListenPlay.objects.filter(link=link).count() == 2


def test_notes_under_a_name_only_when_allowed(version: SongVersion) -> None:
    link = make_link(version, allow_notes=True)
    guest = Client()
    page = guest.get(f"/listen/{link.token}/")
    assert "Your name" in page.content.decode()
    refused = guest.post(
        f"/listen/{link.token}/notes/",
        {"guest-guest_name": "", "guest-at_seconds": "0:09", "guest-body": "too bright"},
    )
    assert refused.status_code == 400
    assert not VersionNote.objects.exists()
    sent = guest.post(
        f"/listen/{link.token}/notes/",
        {"guest-guest_name": "Mara (mastering)", "guest-at_seconds": "0:02", "guest-body": "S"},
    )
    assert sent.status_code == 302
    note = VersionNote.objects.get()
    assert (note.guest_name, note.author, note.link, note.at_label) == (
        "Mara (mastering)",
        None,
        link,
        "0:02",
    )


def test_control_characters_are_refused_in_notes_and_names(version: SongVersion) -> None:
    link = make_link(version, allow_notes=True)
    refused = Client().post(
        f"/listen/{link.token}/notes/",
        {"guest-guest_name": "Mara\x1b", "guest-at_seconds": "0:02", "guest-body": "ok\x07"},
    )
    assert refused.status_code == 400
    assert "control characters" in refused.content.decode()
    with pytest.raises(ValidationError):
        services.version_note_add(
            version=version, at_seconds=Decimal(1), body="x", link=link, guest_name="A\tB"
        )
    assert not VersionNote.objects.exists()
