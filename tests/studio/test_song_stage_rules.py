"""The board's stages per project, renamed and skipped: what project_song_stages_set keeps and
refuses (exactly), how the board, the song's page and the API show it, and where new songs
land (positions, the first shown stage, never a skipped one)."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from projects.models import Project
from sessions import services as session_services
from songs import services
from songs.models import Song, SongStage, SongStageChange
from songs.services.songs import project_song_stages_set
from tests.clock import upcoming
from tests.studio.test_songs import LIST, board_url, move_url, web_client
from tests.studio.test_songs_pages import song_url

pytestmark = pytest.mark.django_db


def stages_url(project: Project) -> str:
    return f"/api/v1/song-stages/{project.pk}/"


def stored(project: Project) -> tuple[dict[str, str], list[str]]:
    project.refresh_from_db()
    return project.song_stage_names, project.skipped_song_stages


def columns(project: Project) -> list[tuple[str, str, int]]:
    """Each song as (title, stage, position), by stage value, then position."""
    return list(
        Song.objects.filter(project=project)
        .order_by("stage", "position", "title")
        .values_list("title", "stage", "position")
    )


# --- what project_song_stages_set keeps ---------------------------------------------------


def test_names_are_trimmed_and_a_default_or_empty_name_is_dropped(project: Project) -> None:
    saved = project_song_stages_set(
        project=project,
        names={
            "mixing": "  Mix  ",
            "tracking": "Tracking",  # the stage's own name: the board follows the default
            "editing": "   ",
            "pre_production": "Writing",
        },
        skipped=["mastering", "editing", "mastering"],
    )
    assert stored(project) == (
        {"mixing": "Mix", "pre_production": "Writing"},
        ["editing", "mastering"],  # in the board's order, once each
    )
    assert (saved.song_stage_names, saved.skipped_song_stages) == stored(project)


@pytest.mark.parametrize(
    ("names", "skipped", "error"),
    [
        pytest.param({"limbo": "Nowhere"}, [], {"names": ["Not a stage: limbo."]}, id="unknown"),
        pytest.param(
            {},
            ["done"],
            {"skipped": ["Done cannot be skipped: songs must be able to finish."]},
            id="done",
        ),
    ],
)
def test_unknown_stages_and_done_are_refused(
    project: Project, names: dict[str, str], skipped: list[str], error: dict[str, list[str]]
) -> None:
    project_song_stages_set(project=project, names={"mixing": "Mix"}, skipped=["editing"])
    with pytest.raises(ValidationError) as refused:
        project_song_stages_set(project=project, names=names, skipped=skipped)
    assert refused.value.message_dict == error
    assert stored(project) == ({"mixing": "Mix"}, ["editing"])


def test_stages_holding_songs_are_named_by_the_new_names_in_board_order(
    project: Project, owner: Any
) -> None:
    services.song_create(project=project, title="Harbour Lights", stage=SongStage.MIXING)
    services.song_create(project=project, title="Gull Song", stage=SongStage.MIXING)
    services.song_create(project=project, title="Low Tide", stage=SongStage.TRACKING)
    with pytest.raises(ValidationError) as refused:
        project_song_stages_set(
            project=project,
            names={"mixing": "Mix", "tracking": "Band takes"},
            skipped=["mixing", "tracking", "editing"],
        )
    assert refused.value.message_dict == {
        "skipped": [
            "Band takes holds 1 song; Mix holds 2 songs: "
            "move them to another stage before skipping it."
        ]
    }
    assert stored(project) == ({}, [])
    # Emptied, the stages can go.
    song = Song.objects.get(title="Low Tide")
    services.song_move(song=song, stage=SongStage.OVERDUBS, by=owner)
    project_song_stages_set(project=project, names={}, skipped=["tracking"])
    assert stored(project) == ({}, ["tracking"])


# --- a skipped stage gets no songs ----------------------------------------------------------


def test_no_song_is_created_in_a_skipped_stage(project: Project, as_owner: APIClient) -> None:
    project = project_song_stages_set(
        project=project, names={"editing": "Comping"}, skipped=["editing"]
    )
    with pytest.raises(ValidationError) as refused:
        services.song_create(project=project, title="Paper Boats", stage=SongStage.EDITING)
    message = "Comping is skipped on this project: pick another stage."
    assert refused.value.message_dict == {"stage": [message]}
    response = as_owner.post(
        LIST, {"project": project.pk, "title": "Paper Boats", "stage": "editing"}, format="json"
    )
    assert (response.status_code, response.json()) == (400, {"stage": [message]})
    assert not Song.objects.exists()


def test_the_skipped_stages_are_read_from_the_project_row_not_the_callers_copy(
    project: Project,
) -> None:
    """A page read the project, then its stages were set: the song is refused by the stages
    as they are now, as the lock the create takes reads them."""
    stale = Project.objects.get(pk=project.pk)
    project_song_stages_set(project=project, names={}, skipped=["editing"])
    assert stale.skipped_song_stages == []
    with pytest.raises(ValidationError) as refused:
        services.song_create(project=stale, title="Paper Boats", stage=SongStage.EDITING)
    assert refused.value.message_dict == {
        "stage": ["Editing is skipped on this project: pick another stage."]
    }
    assert not Song.objects.exists()


def test_a_move_to_a_skipped_stage_is_refused_by_its_new_name(
    project: Project, owner: Any, as_owner: APIClient
) -> None:
    song = services.song_create(project=project, title="Harbour Lights")
    project_song_stages_set(project=project, names={"mastering": "Master"}, skipped=["mastering"])
    message = "Master is skipped on this project: pick another stage."
    response = as_owner.post(move_url(song), {"stage": "mastering"}, format="json")
    assert (response.status_code, response.json()) == (400, {"stage": [message]})
    page = web_client(owner).post(
        f"{board_url(project)}{song.pk}/move/", {"stage": "mastering"}, HTTP_HX_REQUEST="true"
    )
    assert page.status_code == 400
    assert f'<p class="muted board-notice" role="status" aria-live="polite">{message}</p>' in (
        page.content.decode()
    )
    song.refresh_from_db()
    assert (song.stage, song.position) == (SongStage.PRE_PRODUCTION, 0)
    assert not SongStageChange.objects.exists()


def test_the_board_adds_to_the_first_shown_stage_by_its_name(project: Project, owner: Any) -> None:
    project_song_stages_set(
        project=project, names={"tracking": "Band takes"}, skipped=["pre_production"]
    )
    client = web_client(owner)
    first = client.post(board_url(project), {"title": "Paper Boats", "due_date": ""})
    assert first.status_code == 302
    second = client.post(
        board_url(project), {"title": "Gull Song", "due_date": ""}, HTTP_HX_REQUEST="true"
    )
    assert second.status_code == 200
    assert "Added Gull Song to Band takes." in second.content.decode()
    assert columns(project) == [("Paper Boats", "tracking", 0), ("Gull Song", "tracking", 1)]


def test_a_take_of_a_new_song_lands_at_the_bottom_of_the_next_shown_stage(
    project: Project,
) -> None:
    services.song_create(project=project, title="Harbour Lights", stage=SongStage.OVERDUBS)
    project_song_stages_set(project=project, names={}, skipped=["tracking"])
    start = upcoming(days=3)
    session = session_services.session_create(
        project=project, title="Tracking day", start=start, end=upcoming(days=3, hour=16)
    )
    take = session_services.take_create(session=session, song_name="  Saltwater Hymn ")
    again = session_services.take_create(session=session, song_name="Saltwater Hymn")
    assert take.song is not None and again.song == take.song
    assert columns(project) == [
        ("Harbour Lights", "overdubs", 0),
        ("Saltwater Hymn", "overdubs", 1),
    ]


def test_moved_and_added_songs_go_to_the_bottom_of_their_column(
    project: Project, owner: Any
) -> None:
    one = services.song_create(project=project, title="One", stage=SongStage.MIXING)
    two = services.song_create(project=project, title="Two")
    services.song_create(project=project, title="Three")
    services.song_move(song=two, stage=SongStage.MIXING, by=owner)
    services.song_move(song=one, stage=SongStage.MIXING, by=owner)  # where it is: stays
    services.song_create(project=project, title="Four", stage=SongStage.MIXING)
    assert columns(project) == [
        ("One", "mixing", 0),
        ("Two", "mixing", 1),
        ("Four", "mixing", 2),
        ("Three", "pre_production", 1),
    ]


# --- how the pages and the API show the stages ----------------------------------------------


@pytest.fixture
def renamed(project: Project, owner: Any) -> Song:
    """Mixing named "Mix", Editing and Mastering skipped; a song in Mix moved from Tracking."""
    song = services.song_create(project=project, title="Harbour Lights", stage=SongStage.TRACKING)
    project_song_stages_set(
        project=project,
        names={"mixing": "Mix", "tracking": "Band takes"},
        skipped=["editing", "mastering"],
    )
    return services.song_move(song=song, stage=SongStage.MIXING, by=owner)


SHOWN = [
    ("pre_production", "Pre-production"),
    ("tracking", "Band takes"),
    ("overdubs", "Overdubs"),
    ("mixing", "Mix"),
    ("done", "Done"),
]


def test_the_board_shows_the_names_and_only_the_shown_stages(
    owner: Any, project: Project, renamed: Song
) -> None:
    html = web_client(owner).get(board_url(project)).content.decode()
    headings = [f'<h2 id="stage-{value}">{label} <span class="muted">(' for value, label in SHOWN]
    assert [html.index(h) for h in headings] == sorted(html.index(h) for h in headings)
    assert '<h2 id="stage-mixing">Mix <span class="muted">(1)</span></h2>' in html
    assert 'id="stage-editing"' not in html and 'id="stage-mastering"' not in html
    options = "".join(
        f'<option value="{value}"{" selected" if value == "mixing" else ""}>{label}</option>'
        for value, label in SHOWN
    )
    assert html.count(options) == 1  # the card's move select: shown stages, by their names


def test_the_song_page_shows_the_names(
    owner: Any, collaborator: Any, project: Project, renamed: Song
) -> None:
    page = web_client(owner).get(song_url(renamed)).content.decode()
    options = "".join(
        f'<option value="{value}"{" selected" if value == "mixing" else ""}>{label}</option>'
        for value, label in SHOWN
    )
    assert options in page
    assert 'data-label="From">Band takes<' in page and 'data-label="To">Mix<' in page
    viewer = web_client(collaborator).get(song_url(renamed)).content.decode()
    assert '<span class="tag stage-tag">Mix</span>' in viewer


def test_the_api_shows_stage_values_and_the_boards_names(
    as_owner: APIClient, project: Project, renamed: Song
) -> None:
    song = as_owner.get(f"{LIST}{renamed.pk}/").json()
    assert (song["stage"], song["position"]) == ("mixing", 0)  # the value, whatever its name
    assert as_owner.get(stages_url(project)).json() == {
        "project": project.pk,
        "names": {"mixing": "Mix", "tracking": "Band takes"},
        "skipped": ["editing", "mastering"],
        "stages": [
            {"stage": "pre_production", "name": "Pre-production", "skipped": False},
            {"stage": "tracking", "name": "Band takes", "skipped": False},
            {"stage": "overdubs", "name": "Overdubs", "skipped": False},
            {"stage": "editing", "name": "Editing", "skipped": True},
            {"stage": "mixing", "name": "Mix", "skipped": False},
            {"stage": "mastering", "name": "Mastering", "skipped": True},
            {"stage": "done", "name": "Done", "skipped": False},
        ],
    }


def test_the_api_refuses_skipping_a_stage_by_its_name_and_writes_nothing(
    as_owner: APIClient, project: Project, renamed: Song
) -> None:
    response = as_owner.put(
        stages_url(project), {"names": {"mixing": "Mixdown"}, "skipped": ["mixing"]}, format="json"
    )
    assert (response.status_code, response.json()) == (
        400,
        {"skipped": ["Mixdown holds 1 song: move them to another stage before skipping it."]},
    )
    unknown = as_owner.put(stages_url(project), {"names": {"limbo": "Nowhere"}}, format="json")
    assert (unknown.status_code, unknown.json()) == (400, {"names": ["Not a stage: limbo."]})
    assert stored(project) == (
        {"mixing": "Mix", "tracking": "Band takes"},
        ["editing", "mastering"],
    )
    # Un-skipping brings a column back; an empty name gives the stage its own name again.
    saved = as_owner.put(
        stages_url(project), {"names": {"mixing": ""}, "skipped": ["editing"]}, format="json"
    )
    assert saved.status_code == 200
    assert (saved.json()["names"], saved.json()["skipped"]) == ({}, ["editing"])
