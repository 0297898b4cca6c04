"""The takes' move from a typed song name to the board's song keeps every take's data: the
names stay (as ``song_name``), each take gets (and keeps) its song, one per project and name."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from projects.models import Project

BEFORE = [("recording", "0005_take_linked_song")]
AFTER = [("recording", "0007_take_song_rename_part_session_songs")]
DAY = datetime.datetime(2026, 12, 3, 10, tzinfo=datetime.UTC)


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.fixture
def back_to_newest() -> Iterator[None]:
    """Whatever the test does to the schema, the tests after it find the newest one."""
    yield
    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())


# Transactional (the schema changes). Not serialized_rollback: restoring the serialized rows at
# set-up collides with the content types a plain transactional test before it recreated with
# other ids (its flush runs post_migrate); the tests that need the migrations' rows (the browser
# tests) restore them at their own set-up.
@pytest.mark.django_db(transaction=True)
def test_old_takes_keep_their_names_and_get_one_song_per_project_and_name(
    back_to_newest: None,
) -> None:
    # Only the recording app goes back: projects are made with today's model (the ground
    # floor's tables stay as they are), the takes with the model of before.
    executor = _migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldSong = old.get_model("studio", "Song")
    OldSession = old.get_model("recording", "Session")
    OldTake = old.get_model("recording", "Take")
    first = Project.objects.create(title="Harbour", artist="The Gulls")
    second = Project.objects.create(title="Inland", artist="The Gulls")
    known = OldSong.objects.create(project_id=first.pk, title="Harbour Lights", stage="mixing")
    end = DAY + datetime.timedelta(hours=6)
    here = OldSession.objects.create(project_id=first.pk, title="Day one", start=DAY, end=end)
    there = OldSession.objects.create(project_id=second.pk, title="Day one", start=DAY, end=end)
    OldTake.objects.bulk_create(
        [
            OldTake(session=here, song="Harbour Lights", number=1),
            OldTake(session=here, song="Gull Song", number=1),
            OldTake(session=here, song="Gull Song", number=2, keeper=True),
            OldTake(session=there, song="Gull Song", number=1),
        ]
    )

    executor = _migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Take = new.get_model("recording", "Take")
    Song = new.get_model("studio", "Song")
    takes = {(t.session_id, t.song_name, t.number): t for t in Take.objects.all()}
    assert set(takes) == {
        (here.pk, "Harbour Lights", 1),
        (here.pk, "Gull Song", 1),
        (here.pk, "Gull Song", 2),
        (there.pk, "Gull Song", 1),
    }
    assert takes[(here.pk, "Harbour Lights", 1)].song_id == known.pk
    gull = Song.objects.get(project_id=first.pk, title="Gull Song")
    assert gull.stage == "tracking"
    assert {takes[(here.pk, "Gull Song", n)].song_id for n in (1, 2)} == {gull.pk}
    assert takes[(here.pk, "Gull Song", 2)].keeper is True
    other = Song.objects.get(pk=takes[(there.pk, "Gull Song", 1)].song_id)
    assert other.project_id == second.pk and other.pk != gull.pk
