"""The song board under concurrency on PostgreSQL, where row locks are real (SQLite serializes
every write, so these pass there with the lock removed): songs added to or moved into one
column at once take distinct positions, and a stage skipped while a song is added to it ends
with one of the two refused, never a song in a column the board no longer shows."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from projects.models import Project
from songs import services
from songs.models import Song, SongStage
from songs.services.songs import project_song_stages_set
from tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.studio.test_booking_races import run_at_once

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

AT_ONCE = 8


@pytest.fixture(autouse=True)
def _on_postgresql() -> None:
    assert connection.vendor == "postgresql", "the services lane runs on PostgreSQL"


@pytest.fixture
def board() -> Project:
    project = ProjectFactory.create()
    MembershipFactory.create(project=project, user=UserFactory.create())
    return project


def positions(project: Project, stage: str) -> list[int]:
    return sorted(
        Song.objects.filter(project=project, stage=stage).values_list("position", flat=True)
    )


def test_songs_added_to_one_column_at_once_take_distinct_positions(board: Project) -> None:
    # A column already holding a song, and two empty ones: each round a fresh race.
    services.song_create(project=board, title="Already here", stage=SongStage.TRACKING)
    for stage, first in [
        (SongStage.TRACKING, 1),
        (SongStage.PRE_PRODUCTION, 0),
        (SongStage.MIXING, 0),
    ]:

        def add(i: int, stage: str = stage) -> Any:
            return services.song_create(project=board, title=f"{stage} {i}", stage=stage)

        made = run_at_once(add, AT_ONCE)
        assert all(isinstance(song, Song) for song in made), made
        assert sorted(song.position for song in made) == list(range(first, first + AT_ONCE))
        assert positions(board, stage) == list(range(first + AT_ONCE))


def test_songs_moved_into_one_column_at_once_take_distinct_positions(board: Project) -> None:
    mover = board.memberships.get().user
    services.song_create(project=board, title="Already mixed", stage=SongStage.MIXING)
    songs = [services.song_create(project=board, title=f"Song {i}") for i in range(AT_ONCE)]

    moved = run_at_once(
        lambda i: services.song_move(song=songs[i], stage=SongStage.MIXING, by=mover), AT_ONCE
    )
    assert all(isinstance(song, Song) for song in moved), moved
    assert positions(board, SongStage.MIXING) == list(range(AT_ONCE + 1))
    assert positions(board, SongStage.PRE_PRODUCTION) == []


def test_a_stage_skipped_while_a_song_is_added_to_it_refuses_one_of_them() -> None:
    for _ in range(10):
        project = ProjectFactory.create()

        def work(i: int, project: Project = project) -> Any:
            if i == 0:
                return project_song_stages_set(project=project, names={}, skipped=["editing"])
            return services.song_create(project=project, title="Paper Boats", stage="editing")

        skip, add = run_at_once(work, 2)
        project.refresh_from_db()
        if isinstance(add, Song):
            # The song came first: the skip saw it and was refused, the column stays.
            assert isinstance(skip, ValidationError), skip
            assert skip.message_dict == {
                "skipped": ["Editing holds 1 song: move them to another stage before skipping it."]
            }
            assert project.skipped_song_stages == []
        else:
            # The skip came first: the song was refused by the stages as saved.
            assert isinstance(add, ValidationError), add
            assert add.message_dict == {
                "stage": ["Editing is skipped on this project: pick another stage."]
            }
            assert isinstance(skip, Project), skip
            assert project.skipped_song_stages == ["editing"]
            assert not Song.objects.filter(project=project).exists()
