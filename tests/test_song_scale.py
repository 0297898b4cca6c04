"""The issue's scale: the song board and Today read in the same, pinned number of queries with
one song and one note as with 50 songs and 500 notes (every app's card details and agenda
sections included, as a producer's real page has them)."""

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.models import Project, Role
from songs.models import Song, SongStage, SongVersion, VersionNote
from tests.factories import MembershipFactory, UserFactory

# Pinned: a change here is a change in what every page view costs.
# The board: 8, and 9 more for who sees money (each song's cost so far, budgets.cards).
BOARD_QUERIES = 17
AGENDA_QUERIES = 15

STAGES = SongStage.values


def grow(project: Project, *, songs: int, notes_each: int, uploader: Any, artist: Any) -> None:
    """Songs across every stage, each with a mix version uploaded by ``uploader`` and
    ``notes_each`` open notes by the artist, due this week (so Today lists them)."""
    today = timezone.localdate()
    start = project.songs.count()
    for i in range(start, songs):
        song = Song.objects.create(
            project=project,
            title=f"Song {i}",
            stage=STAGES[i % len(STAGES) - 1],  # never "done" first, so deadlines show
            due_date=today + datetime.timedelta(days=i % 7),
            position=i,
        )
        version = SongVersion.objects.create(
            song=song,
            kind="mix",
            number=1,
            file=f"versions/song-{i}.wav",
            original_name=f"song-{i}.wav",
            format="WAV",
            subtype="PCM_24",
            sample_rate=48000,
            bit_depth=24,
            channels=2,
            frames=48000 * 200,
            size=1,
            sha256="0" * 64,
            md5="0" * 32,
            uploaded_by=uploader,
        )
        VersionNote.objects.bulk_create(
            VersionNote(version=version, at_seconds=n, body=f"Note {n}", author=artist)
            for n in range(notes_each)
        )


def counted(client: Client, url: str) -> tuple[int, str]:
    client.get(url)  # the session and the menu's cached role checks settle first
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.django_db
def test_board_and_today_read_in_pinned_queries_with_50_songs_and_500_notes(
    owner: Any, project: Project
) -> None:
    artist = UserFactory.create(username="artist")
    MembershipFactory.create(project=project, user=artist, role=Role.ARTIST)
    client = Client()
    client.force_login(owner)
    board = f"/projects/{project.pk}/songs/"

    grow(project, songs=1, notes_each=1, uploader=owner, artist=artist)
    small_board, _ = counted(client, board)
    small_today, _ = counted(client, "/")

    grow(project, songs=50, notes_each=10, uploader=owner, artist=artist)
    first = SongVersion.objects.get(song__title="Song 0")
    VersionNote.objects.bulk_create(
        VersionNote(version=first, at_seconds=n, body=f"Note {n}", author=artist)
        for n in range(1, 10)
    )
    assert VersionNote.objects.filter(version__song__project=project).count() == 500
    large_board, page = counted(client, board)
    assert page.count('class="card song-card') == 50
    assert "Song 49" in page
    large_today, today = counted(client, "/")
    assert "Notes waiting for my answer" in today and "Note 9" in today

    assert (small_board, large_board) == (BOARD_QUERIES, BOARD_QUERIES)
    assert (small_today, large_today) == (AGENDA_QUERIES, AGENDA_QUERIES)
