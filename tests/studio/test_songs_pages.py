"""A song's own page, the board's stages per project (renamed, skipped) and the card details
other apps register (the next planned session)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from projects.models import Project, Role
from sessions import services as session_services
from sessions.models import Session, Take
from songs import services
from songs.models import PartStatus, Song, SongPart, SongStage, SongStageChange
from songs.services.songs import project_song_stages_set
from tests.clock import today
from tests.factories import MembershipFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def web_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def song_url(song: Song) -> str:
    return f"/projects/{song.project_id}/songs/{song.pk}/"


@pytest.fixture
def song(project: Project) -> Song:
    return services.song_create(project=project, title="Harbour Lights")


def _session(project: Project, start: datetime.datetime, title: str = "Tracking day") -> Session:
    return session_services.session_create(
        project=project, title=title, start=start, end=start + datetime.timedelta(hours=6)
    )


def _form(song: Song, **changes: Any) -> dict[str, Any]:
    data = {
        "title": song.title,
        "working_title": song.working_title,
        "key": song.key,
        "tempo": "" if song.tempo is None else str(song.tempo),
        "holder": "" if song.holder_id is None else str(song.holder_id),
        "due_date": "",
        "notes": song.notes,
    }
    data.update(changes)
    return data


# The song's page


def test_edit_a_song_and_read_its_history(owner: Any, project: Project, song: Song) -> None:
    writer = PersonFactory.create(name="Ivy Penn", projects=[project])
    holder = PersonFactory.create(name="Kit Lind", projects=[project])
    due = today() + datetime.timedelta(days=17)
    services.song_move(song=song, stage=SongStage.TRACKING, by=owner)
    services.song_move(song=song, stage=SongStage.MIXING, by=owner)
    client = web_client(owner)
    saved = client.post(
        song_url(song),
        _form(
            song,
            title="Harbour Lights (radio)",
            key="G major",
            tempo="112",
            writers=[str(writer.pk)],
            holder=str(holder.pk),
            due_date=str(due),
            notes="Strings in the bridge.",
        ),
    )
    assert saved.status_code == 302 and saved["Location"] == song_url(song)
    song.refresh_from_db()
    assert (song.title, song.key, song.tempo, song.holder) == (
        "Harbour Lights (radio)",
        "G major",
        Decimal("112"),
        holder,
    )
    assert list(song.writers.all()) == [writer]
    assert song.due_date == due
    html = client.get(song_url(song)).content.decode()
    # Newest first: tracking -> mixing above pre-production -> tracking.
    assert html.index('data-label="From">Tracking') < html.index('data-label="From">Pre-production')
    assert "Strings in the bridge." in html


def test_bad_input_is_refused_beside_the_field_and_nothing_changes(
    owner: Any, project: Project, song: Song
) -> None:
    stranger = PersonFactory.create(name="Not On It")
    services.song_create(project=project, title="Gull Song")
    client = web_client(owner)
    for changes, field in (
        ({"tempo": "0"}, "tempo"),
        ({"tempo": "fast"}, "tempo"),
        ({"title": ""}, "title"),
        ({"title": "Gull Song"}, None),  # taken in this project
        ({"holder": str(stranger.pk)}, "holder"),
        ({"due_date": "2026-13-40"}, "due_date"),
        ({"key": "x" * 21}, "key"),
    ):
        refused = client.post(song_url(song), _form(song, **changes))
        assert refused.status_code == 400, changes
        html = refused.content.decode()
        if field:
            assert f'id="{field}-error"' in html, changes
        else:
            assert "already exists" in html
    song.refresh_from_db()
    assert (song.title, song.tempo, song.holder_id) == ("Harbour Lights", None, None)


def test_song_page_shows_takes_parts_and_other_apps_details(
    owner: Any, project: Project, song: Song
) -> None:
    drums = services.part_create(project=project, name="Drums")
    soon = timezone.now() + datetime.timedelta(days=3)
    session = _session(project, soon, title="Drum day")
    session_services.session_update(session=session, songs=[song])
    session_services.take_create(session=session, song=song, part=drums, keeper=True, by=owner)
    html = web_client(owner).get(song_url(song)).content.decode()
    assert "Drum day" in html and "★ keeper" in html
    assert 'data-label="Part">Drums' in html
    assert "<dt>Next session</dt>" in html  # the sessions app's card detail
    assert "Recorded" in html  # the keeper marked the drums recorded


def test_delete_asks_first_then_keeps_the_takes_names(
    owner: Any, project: Project, song: Song
) -> None:
    session = _session(project, timezone.now())
    take = session_services.take_create(session=session, song=song)
    client = web_client(owner)
    question = client.get(f"{song_url(song)}delete/").content.decode()
    assert "Its 1 take stay in their sessions" in question
    assert Song.objects.filter(pk=song.pk).exists()
    gone = client.post(f"{song_url(song)}delete/")
    assert gone.status_code == 302 and gone["Location"] == f"/projects/{project.pk}/songs/"
    take.refresh_from_db()
    assert take.song is None and take.song_name == "Harbour Lights"


def test_viewer_reads_outsider_gets_404(
    collaborator: Any, outsider: Any, project: Project, song: Song
) -> None:
    viewer = web_client(collaborator)
    page = viewer.get(song_url(song))
    assert page.status_code == 200 and "Save song" not in page.content.decode()
    assert viewer.post(song_url(song), _form(song, title="Mine")).status_code == 403
    assert viewer.post(f"{song_url(song)}delete/").status_code == 403
    stranger = web_client(outsider)
    assert stranger.get(song_url(song)).status_code == 404
    assert stranger.post(song_url(song), _form(song, title="Mine")).status_code == 404
    other = MembershipFactory.create(role=Role.PRODUCER).project
    assert web_client(owner_of(other)).get(song_url(song)).status_code == 404
    song.refresh_from_db()
    assert song.title == "Harbour Lights"


def test_move_a_song_from_its_own_page(
    owner: Any, collaborator: Any, outsider: Any, project: Project, song: Song
) -> None:
    client = web_client(owner)
    page = client.get(song_url(song)).content.decode()
    assert 'name="back" value="song"' in page and 'id="song-stage"' in page
    response = client.post(f"{song_url(song)}move/", {"stage": "mixing", "back": "song"})
    assert response.status_code == 302 and response["Location"] == song_url(song)
    song.refresh_from_db()
    assert song.stage == "mixing"
    page = client.get(song_url(song)).content.decode()
    assert "Moved Harbour Lights to Mixing." in page
    [change] = SongStageChange.objects.filter(song=song)
    assert (change.from_stage, change.to_stage, change.by) == ("pre_production", "mixing", owner)
    # A stage that is not one: said on the page it came from, nothing moved.
    response = client.post(f"{song_url(song)}move/", {"stage": "encore", "back": "song"})
    assert response.status_code == 302 and response["Location"] == song_url(song)
    assert (
        '<li class="error">Not a stage: &#x27;encore&#x27;.</li>'
        in client.get(song_url(song)).content.decode()
    )
    song.refresh_from_db()
    assert song.stage == "mixing" and SongStageChange.objects.filter(song=song).count() == 1
    # A viewer sees no stage control and may not move; an outsider finds nothing.
    viewer = web_client(collaborator)
    assert 'id="song-stage"' not in viewer.get(song_url(song)).content.decode()
    assert viewer.post(f"{song_url(song)}move/", {"stage": "done"}).status_code == 403
    assert web_client(outsider).post(f"{song_url(song)}move/", {"stage": "done"}).status_code == 404
    song.refresh_from_db()
    assert song.stage == "mixing"


def owner_of(project: Project) -> Any:
    return project.memberships.get(role=Role.PRODUCER).user


def test_board_cards_link_to_the_song_page(owner: Any, project: Project, song: Song) -> None:
    html = web_client(owner).get(f"/projects/{project.pk}/songs/").content.decode()
    assert f'href="{song_url(song)}"' in html


# Stages per project


def test_rename_and_skip_stages_on_the_board(owner: Any, project: Project, song: Song) -> None:
    client = web_client(owner)
    data = {f"name_{value}": label for value, label in SongStage.choices}
    data.update({"name_mixing": "Mix", "skip_editing": "on", "skip_mastering": "on"})
    saved = client.post(f"/projects/{project.pk}/songs/stages/", data)
    assert saved.status_code == 302
    project.refresh_from_db()
    assert project.song_stage_names == {"mixing": "Mix"}
    assert project.skipped_song_stages == ["editing", "mastering"]
    html = client.get(f"/projects/{project.pk}/songs/").content.decode()
    assert 'id="stage-mixing">Mix <' in html
    assert 'id="stage-editing"' not in html and 'id="stage-mastering"' not in html
    assert '<option value="editing"' not in html  # nor in the move selects
    # A move to a skipped stage is refused beside the stage (400), through the page and the API.
    refused = client.post(
        f"/projects/{project.pk}/songs/{song.pk}/move/",
        {"stage": "editing"},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 400
    assert "Editing is skipped on this project" in refused.content.decode()
    with pytest.raises(ValidationError) as error:
        services.song_move(song=song, stage=SongStage.MASTERING, by=owner)
    assert "stage" in error.value.message_dict
    song.refresh_from_db()
    assert song.stage == SongStage.PRE_PRODUCTION and not SongStageChange.objects.exists()
    # The history shows the project's names.
    services.song_move(song=song, stage=SongStage.MIXING, by=owner)
    page = client.get(song_url(song)).content.decode()
    assert 'data-label="To">Mix<' in page


def test_done_and_stages_holding_songs_cannot_be_skipped(
    owner: Any, project: Project, song: Song
) -> None:
    services.song_create(project=project, title="Gull Song")
    with pytest.raises(ValidationError) as error:
        project_song_stages_set(project=project, names={}, skipped=["done"])
    assert "Done cannot be skipped" in str(error.value)
    with pytest.raises(ValidationError) as error:
        project_song_stages_set(project=project, names={}, skipped=["pre_production"])
    assert "Pre-production holds 2 songs" in str(error.value)
    data = {f"name_{value}": label for value, label in SongStage.choices}
    data["skip_pre_production"] = "on"
    refused = web_client(owner).post(f"/projects/{project.pk}/songs/stages/", data)
    assert refused.status_code == 400
    assert "Pre-production holds 2 songs: move them" in refused.content.decode()
    too_long = web_client(owner).post(
        f"/projects/{project.pk}/songs/stages/",
        {**data, "skip_pre_production": "", "name_mixing": "M" * 41},
    )
    assert too_long.status_code == 400
    project.refresh_from_db()
    assert project.skipped_song_stages == [] and project.song_stage_names == {}


def test_viewer_may_not_change_stages(collaborator: Any, outsider: Any, project: Project) -> None:
    data = {"skip_editing": "on"}
    assert (
        web_client(collaborator).post(f"/projects/{project.pk}/songs/stages/", data).status_code
        == 403
    )
    assert (
        web_client(outsider).post(f"/projects/{project.pk}/songs/stages/", data).status_code == 404
    )
    project.refresh_from_db()
    assert project.skipped_song_stages == []


def test_a_take_of_a_new_song_skips_to_the_next_shown_stage(project: Project) -> None:
    project = project_song_stages_set(project=project, names={}, skipped=["tracking"])
    session = _session(project, timezone.now())
    take = session_services.take_create(session=session, song_name="Saltwater Hymn")
    assert take.song is not None and take.song.stage == SongStage.OVERDUBS


# The next planned session on the cards


def test_cards_show_the_next_planned_session(owner: Any, project: Project, song: Song) -> None:
    now = timezone.now()
    past = _session(project, now - datetime.timedelta(days=3), title="Last week")
    later = _session(project, now + datetime.timedelta(days=9), title="Overdubs")
    sooner = _session(project, now + datetime.timedelta(days=2), title="Vocals")
    cancelled = _session(project, now + datetime.timedelta(days=1), title="Cancelled day")
    for session in (past, later, sooner, cancelled):
        session_services.session_update(session=session, songs=[song])
    session_services.session_update(session=cancelled, status=Session.Status.CANCELLED)
    html = web_client(owner).get(f"/projects/{project.pk}/songs/").content.decode()
    day = timezone.localtime(sooner.start).date()
    assert f"<dt>Next session</dt><dd>{day:%-d %b %Y} · Vocals</dd>" in html
    assert "Overdubs</dd>" not in html and "Last week" not in html and "Cancelled day" not in html


def test_a_session_plans_only_its_projects_songs(project: Project, song: Song) -> None:
    other = MembershipFactory.create(role=Role.PRODUCER).project
    foreign = services.song_create(project=other, title="Elsewhere")
    with pytest.raises(ValidationError) as error:
        session_services.session_create(
            project=project,
            title="Mixed up",
            start=timezone.now(),
            end=timezone.now() + datetime.timedelta(hours=1),
            songs=[song, foreign],
        )
    assert "songs" in error.value.message_dict
    assert not Session.objects.filter(title="Mixed up").exists()


def test_board_queries_with_planned_sessions_stay_fixed(owner: Any, project: Project) -> None:
    client = web_client(owner)
    session = _session(project, timezone.now() + datetime.timedelta(days=1))
    counts: list[int] = []
    for rows in (1, 50):
        for n in range(project.songs.count(), rows):
            services.song_create(project=project, title=f"Song {n}")
        session_services.session_update(session=session, songs=list(project.songs.all()))
        client.get(f"/projects/{project.pk}/songs/")
        with CaptureQueriesContext(connection) as queries:
            html = client.get(f"/projects/{project.pk}/songs/").content.decode()
        assert html.count("<dt>Next session</dt>") == project.songs.count()
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_other_users_see_who_moved(project: Project, song: Song) -> None:
    mover = UserFactory.create(username="mover", first_name="Rae", last_name="Moss")
    MembershipFactory.create(project=project, user=mover, role=Role.ENGINEER)
    services.song_move(song=song, stage=SongStage.TRACKING, by=mover)
    html = web_client(mover).get(song_url(song)).content.decode()
    assert 'data-label="Who">Rae Moss<' in html


def test_the_session_sheet_plans_songs(
    owner: Any, collaborator: Any, outsider: Any, project: Project, song: Song
) -> None:
    other_song = services.song_create(project=project, title="Gull Song")
    session = _session(project, timezone.now() + datetime.timedelta(days=2), title="Vocals")
    url = f"/sessions/{session.pk}/songs/"
    assert web_client(collaborator).post(url, {"songs": [song.pk]}).status_code == 403
    assert web_client(outsider).post(url, {"songs": [song.pk]}).status_code == 404
    client = web_client(owner)
    saved = client.post(url, {"songs": [song.pk, other_song.pk]})
    assert saved.status_code == 302 and saved["Location"].endswith("#planned")
    assert set(session.songs.all()) == {song, other_song}
    foreign = services.song_create(
        project=MembershipFactory.create(role=Role.PRODUCER).project, title="Elsewhere"
    )
    refused = client.post(url, {"songs": [song.pk, foreign.pk]})
    assert refused.status_code == 400 and 'id="songs-error"' in refused.content.decode()
    assert set(session.songs.all()) == {song, other_song}
    page = client.get(f"/sessions/{session.pk}/").content.decode()
    assert f'<a href="/projects/{project.pk}/songs/{song.pk}/">Harbour Lights</a>' in page
    board = client.get(f"/projects/{project.pk}/songs/").content.decode()
    assert board.count("<dt>Next session</dt>") == 2


def test_a_typed_new_song_wins_over_the_picked_one(
    owner: Any, project: Project, song: Song
) -> None:
    session = _session(project, timezone.now())
    client = web_client(owner)
    url = f"/sessions/{session.pk}/takes/"
    assert client.post(url, {"song": str(song.pk)}).status_code == 302
    # The select still shows Harbour Lights; the engineer types another song's name.
    assert client.post(url, {"song": str(song.pk), "song_name": "Paper Boats"}).status_code == 302
    names = list(session.takes.order_by("pk").values_list("song__title", "song_name", "number"))
    assert names == [("Harbour Lights", "Harbour Lights", 1), ("Paper Boats", "Paper Boats", 1)]
    refused = client.post(url, {"song": "", "song_name": ""})
    assert "Pick a song or name a new one." in refused.content.decode()
    assert client.post(url, {"song": "999999"}).content.decode().count("Select a valid choice") == 1
    assert session.takes.count() == 2


def test_the_api_refuses_a_move_to_a_skipped_stage(
    owner: Any, project: Project, song: Song
) -> None:
    project_song_stages_set(project=project, names={}, skipped=["editing"])
    api = APIClient()
    api.force_authenticate(owner)
    refused = api.post(f"/api/v1/songs/{song.pk}/move/", {"stage": "editing"}, format="json")
    assert refused.status_code == 400 and "skipped" in str(refused.json()["stage"])
    song.refresh_from_db()
    assert song.stage == SongStage.PRE_PRODUCTION


def test_the_demo_has_songs_in_every_stage_and_a_tracking_sheet(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from releases.tasks import master_analyse

    # The masters' loudness takes seconds to measure and is not what this test reads.
    monkeypatch.setattr(master_analyse, "delay", lambda *args, **kwargs: None)
    call_command("demo", stdout=StringIO())
    project = Project.objects.get(title="Low Tide Sessions")
    stages = set(project.songs.values_list("stage", flat=True))
    assert stages == set(SongStage.values)
    statuses = set(SongPart.objects.filter(song__project=project).values_list("status", flat=True))
    assert {PartStatus.RECORDED, PartStatus.EDITED, PartStatus.COMPLETE} <= statuses
    keepers = Take.objects.filter(session__project=project, keeper=True).select_related("part")
    assert keepers and all(t.song is not None and t.part is not None for t in keepers)
    for take in keepers:
        cell = SongPart.objects.get(song=take.song, part=take.part)
        assert cell.status != PartStatus.NOT_STARTED
    assert Session.objects.filter(project=project, songs__isnull=False).exists()
    before = SongPart.objects.count(), Song.objects.count(), Take.objects.count()
    call_command("demo", stdout=StringIO())
    assert (SongPart.objects.count(), Song.objects.count(), Take.objects.count()) == before


def test_the_api_reads_and_sets_a_projects_stages(
    owner: Any, collaborator: Any, outsider: Any, project: Project, song: Song
) -> None:
    url = f"/api/v1/song-stages/{project.pk}/"
    api = APIClient()
    api.force_authenticate(owner)
    read = api.get(url).json()
    assert read["skipped"] == [] and read["stages"][0] == {
        "stage": "pre_production",
        "name": "Pre-production",
        "skipped": False,
    }
    saved = api.put(url, {"names": {"mixing": "Mix"}, "skipped": ["editing"]}, format="json")
    assert saved.status_code == 200
    assert saved.json()["names"] == {"mixing": "Mix"} and saved.json()["skipped"] == ["editing"]
    held = api.put(url, {"skipped": ["pre_production"]}, format="json")
    assert held.status_code == 400 and "Pre-production holds 1 song" in str(held.json())
    bad = api.put(url, {"skipped": ["limbo"]}, format="json")
    assert bad.status_code == 400 and "skipped" in bad.json()
    assert api.put(url, {"skipped": ["done"]}, format="json").status_code == 400
    viewer = APIClient()
    viewer.force_authenticate(collaborator)
    assert viewer.get(url).status_code == 200
    assert viewer.put(url, {"skipped": []}, format="json").status_code == 403
    stranger = APIClient()
    stranger.force_authenticate(outsider)
    assert stranger.get(url).status_code == 404
    assert stranger.put(url, {"skipped": []}, format="json").status_code == 404
    project.refresh_from_db()
    assert project.skipped_song_stages == ["editing"]
