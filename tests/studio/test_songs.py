"""Songs and the board: the model's guards, the services, the API and the page."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from projects.models import Project, Role
from projects.permissions import ROLE_MATRIX, Capability
from sessions import services as session_services
from sessions.models import Session
from songs import services
from songs.models import Song, SongStage, SongStageChange
from tests.clock import UTC, upcoming
from tests.factories import MembershipFactory, PersonFactory, UserFactory
from tests.test_song_scale import BOARD_QUERIES

pytestmark = pytest.mark.django_db

LIST = "/api/v1/songs/"


def move_url(song: Song) -> str:
    return f"/api/v1/songs/{song.pk}/move/"


def board_url(project: Project) -> str:
    return f"/projects/{project.pk}/songs/"


def web_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def song(project: Project) -> Song:
    return services.song_create(project=project, title="Harbour Lights")


DAY = upcoming(days=7, hour=10, zone=UTC)


def standalone_session(project: Project) -> Session:
    return session_services.session_create(
        project=project, title="Tracking day", start=DAY, end=DAY + datetime.timedelta(hours=6)
    )


@pytest.fixture
def session(project: Project) -> Session:
    return standalone_session(project)


# The model


def test_title_is_unique_per_project_not_across(project: Project, song: Song) -> None:
    with pytest.raises(ValidationError) as refused:
        services.song_create(project=project, title="Harbour Lights")
    assert refused.value.message_dict == {
        "__all__": ["Song with this Project and Title already exists."]
    }
    other = MembershipFactory.create(role=Role.PRODUCER).project
    assert services.song_create(project=other, title="Harbour Lights").pk != song.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        Song.objects.create(project=project, title="Harbour Lights")


def test_tempo_must_be_positive_and_stage_known(project: Project) -> None:
    with pytest.raises(ValidationError):
        services.song_create(project=project, title="Slow", tempo=Decimal("0"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Song.objects.create(project=project, title="Slow", tempo=Decimal("-3"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Song.objects.create(project=project, title="Odd", stage="limbo")


def test_holder_and_writers_are_people_of_the_project(project: Project) -> None:
    stranger = PersonFactory.create(name="Nobody Here")
    writer = PersonFactory.create(name="Ivy Penn", projects=[project])
    with pytest.raises(ValidationError) as refused:
        services.song_create(project=project, title="A", holder=stranger)
    assert "holder" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.song_create(project=project, title="A", writers=[writer, stranger])
    assert "writers" in refused.value.message_dict
    made = services.song_create(project=project, title="A", writers=[writer], holder=writer)
    assert list(made.writers.all()) == [writer] and made.holder == writer


# Services


def test_move_records_who_when_from_and_to(owner: Any, song: Song) -> None:
    before = timezone.now()
    services.song_move(song=song, stage=SongStage.TRACKING, by=owner)
    services.song_move(song=song, stage=SongStage.MIXING, by=owner)
    song.refresh_from_db()
    assert song.stage == SongStage.MIXING
    changes = list(SongStageChange.objects.filter(song=song).order_by("at", "id"))
    assert [(c.from_stage, c.to_stage, c.by) for c in changes] == [
        (SongStage.PRE_PRODUCTION, SongStage.TRACKING, owner),
        (SongStage.TRACKING, SongStage.MIXING, owner),
    ]
    assert all(before <= c.at <= timezone.now() for c in changes)


def test_move_to_the_same_stage_records_nothing(owner: Any, song: Song) -> None:
    services.song_move(song=song, stage=SongStage.PRE_PRODUCTION, by=owner)
    assert not SongStageChange.objects.exists()
    with pytest.raises(ValidationError):
        services.song_move(song=song, stage="limbo", by=owner)
    assert not SongStageChange.objects.exists()


def test_a_moved_song_goes_to_the_bottom_of_its_new_column(owner: Any, project: Project) -> None:
    first = services.song_create(project=project, title="One", stage=SongStage.MIXING)
    second = services.song_create(project=project, title="Two")
    moved = services.song_move(song=second, stage=SongStage.MIXING, by=owner)
    assert moved.position > first.position


def test_update_keeps_the_stage_and_delete_unlinks_takes(
    project: Project, song: Song, session: Session
) -> None:
    updated = services.song_update(
        song=song,
        title="Harbour Lights",
        working_title="Song for Nell",
        key="G major",
        tempo=Decimal("112"),
        writers=[],
        notes="",
        due_date=None,
        holder=None,
    )
    assert (updated.key, updated.tempo, updated.stage) == ("G major", 112, SongStage.PRE_PRODUCTION)
    take = session_services.take_create(session=session, song_name="Harbour Lights")
    services.song_delete(song=song)
    take.refresh_from_db()
    assert take.song is None and take.song_name == "Harbour Lights"


# Takes point at a song


def test_a_take_links_to_the_song_of_its_name_or_creates_it_in_tracking(
    project: Project, song: Song, session: Session
) -> None:
    take = session_services.take_create(session=session, song_name="Harbour Lights")
    assert take.song == song
    new = session_services.take_create(session=session, song_name="Saltwater Hymn")
    assert new.song is not None
    assert (new.song.title, new.song.stage) == ("Saltwater Hymn", SongStage.TRACKING)
    again = session_services.take_create(session=session, song_name="Saltwater Hymn")
    assert again.song == new.song
    assert Song.objects.filter(project=project).count() == 2
    renamed = session_services.take_update(take=again, song_name="Harbour Lights", number=2)
    assert renamed.song == song
    picked = session_services.take_create(session=session, song=new.song)
    assert (picked.song, picked.song_name, picked.number) == (new.song, "Saltwater Hymn", 2)


# API


def test_songs_manage_is_for_those_who_make_the_music() -> None:
    assert ROLE_MATRIX[Capability.SONGS_MANAGE] == {
        Role.PRODUCER,
        Role.ENGINEER,
        Role.MANAGER,
        Role.ARTIST,
    }


def test_list_create_filter_and_move(as_owner: APIClient, owner: Any, project: Project) -> None:
    created = as_owner.post(
        LIST,
        {"project": project.pk, "title": "Low Tide", "key": "D minor", "tempo": "84"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["stage"], body["take_count"], body["tempo"]) == ("pre_production", 0, "84.0")
    duplicate = as_owner.post(LIST, {"project": project.pk, "title": "Low Tide"}, format="json")
    assert duplicate.status_code == 400
    moved = as_owner.post(move_url(Song.objects.get(pk=body["id"])), {"stage": "mixing"})
    assert moved.status_code == 200 and moved.json()["stage"] == "mixing"
    change = SongStageChange.objects.get()
    assert (change.by, change.from_stage, change.to_stage) == (owner, "pre_production", "mixing")
    assert as_owner.post(move_url(Song.objects.get()), {"stage": "limbo"}).status_code == 400
    assert as_owner.get(LIST, {"stage": "mixing"}).json()["count"] == 1
    assert as_owner.get(LIST, {"stage": "tracking"}).json()["count"] == 0
    assert as_owner.get(LIST, {"project": project.pk}).json()["count"] == 1
    # The stage moves through the action only, so that every move is recorded.
    sneaky = as_owner.patch(f"{LIST}{body['id']}/", {"stage": "done"}, format="json")
    assert sneaky.status_code == 400


def test_viewer_reads_but_may_not_write(
    as_collaborator: APIClient, project: Project, song: Song
) -> None:
    assert as_collaborator.get(LIST).json()["count"] == 1
    refused = as_collaborator.post(LIST, {"project": project.pk, "title": "X"}, format="json")
    assert refused.status_code == 403
    assert as_collaborator.post(move_url(song), {"stage": "mixing"}).status_code == 403
    assert as_collaborator.delete(f"{LIST}{song.pk}/").status_code == 403
    assert not SongStageChange.objects.exists()


def test_engineer_moves_songs(project: Project, song: Song) -> None:
    engineer = UserFactory.create(username="engineer")
    MembershipFactory.create(project=project, user=engineer, role=Role.ENGINEER)
    client = APIClient()
    client.force_authenticate(engineer)
    assert client.post(move_url(song), {"stage": "editing"}).status_code == 200


def test_outsider_gets_404(as_outsider: APIClient, project: Project, song: Song) -> None:
    assert as_outsider.get(LIST).json()["count"] == 0
    assert as_outsider.get(f"{LIST}{song.pk}/").status_code == 404
    assert as_outsider.post(move_url(song), {"stage": "mixing"}).status_code == 404
    made = as_outsider.post(LIST, {"project": project.pk, "title": "X"}, format="json")
    assert made.status_code == 400  # the project is not among theirs: "does not exist"
    assert "project" in made.json()


@pytest.mark.parametrize("rows", [1, 20])
def test_list_query_count_is_pinned(
    as_owner: APIClient,
    project: Project,
    session: Session,
    rows: int,
    django_assert_num_queries: Any,
) -> None:
    writer = PersonFactory.create(name="Ivy Penn", projects=[project])
    for n in range(rows):
        made = services.song_create(project=project, title=f"Song {n}", writers=[writer])
        session_services.take_create(session=session, song_name=made.title)
    # count, page, writers
    with django_assert_num_queries(3):
        response = as_owner.get(LIST)
    results = response.json()["results"]
    assert len(results) == rows
    assert results[0]["take_count"] == 1 and results[0]["writers"] == [writer.pk]


# The board page


def test_board_shows_a_column_per_stage_and_late_songs(
    owner: Any, project: Project, session: Session
) -> None:
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    holder = PersonFactory.create(name="Kit Lind", projects=[project])
    late = services.song_create(
        project=project,
        title="Breakwater",
        key="A major",
        tempo=Decimal("126"),
        due_date=yesterday,
        holder=holder,
    )
    done = services.song_create(project=project, title="Gull Song", due_date=yesterday)
    services.song_move(song=done, stage=SongStage.DONE, by=owner)
    session_services.take_create(session=session, song_name=late.title)
    page = web_client(owner).get(board_url(project))
    assert page.status_code == 200
    html = page.content.decode()
    for label in SongStage.labels:
        assert f">{label} <" in html
    assert html.count("Late: was due") == 1
    assert "A major · 126 BPM" in html and "Kit Lind" in html
    assert "<dt>Takes</dt><dd>1</dd>" in html
    hub = web_client(owner).get(f"/projects/{project.pk}/").content.decode()
    assert f'href="{board_url(project)}"' in hub


def test_add_and_move_through_the_page_without_js(owner: Any, project: Project) -> None:
    client = web_client(owner)
    added = client.post(board_url(project), {"title": "Saltwater Hymn", "due_date": ""})
    assert added.status_code == 302
    song = Song.objects.get(title="Saltwater Hymn")
    moved = client.post(f"{board_url(project)}{song.pk}/move/", {"stage": "overdubs"})
    assert moved.status_code == 302
    song.refresh_from_db()
    assert song.stage == SongStage.OVERDUBS
    assert SongStageChange.objects.get().by == owner
    refused = client.post(board_url(project), {"title": "Saltwater Hymn"})
    assert refused.status_code == 400
    assert "already exists" in refused.content.decode()


def test_htmx_gets_the_board_partial(owner: Any, project: Project, song: Song) -> None:
    response = web_client(owner).post(
        f"{board_url(project)}{song.pk}/move/", {"stage": "mastering"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="song-board"')
    assert "Moved Harbour Lights to Mastering." in html


def test_viewer_sees_the_board_without_buttons_and_may_not_post(
    collaborator: Any, outsider: Any, project: Project, song: Song
) -> None:
    client = web_client(collaborator)
    html = client.get(board_url(project)).content.decode()
    assert "Harbour Lights" in html and "Add song" not in html and "<select" not in html
    assert client.post(f"{board_url(project)}{song.pk}/move/", {"stage": "done"}).status_code == 403
    assert web_client(outsider).get(board_url(project)).status_code == 404


def test_board_query_count_is_pinned(owner: Any, project: Project) -> None:
    """The same number of queries for 1 song as for 50: the songs in one query, and each app's
    card details (songs.hooks: next session, latest version...) in its fixed few."""
    holder = PersonFactory.create(name="Kit Lind", projects=[project])
    client = web_client(owner)
    counts = {}
    made = 0
    for rows in (1, 50):
        while made < rows:
            services.song_create(project=project, title=f"Song {made}", holder=holder)
            made += 1
        client.get(board_url(project))  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get(board_url(project))
        assert response.content.decode().count('class="card song-card') == rows
        counts[rows] = len(queries)
    # session, user, project, role, songs (with holder and take count), then the readers,
    # each its fixed few (the cost so far reads budgets.song_costs' seven).
    assert counts[1] == counts[50] == BOARD_QUERIES
