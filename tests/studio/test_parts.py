"""The tracking sheet: parts (a project's columns), cells (a song's status per part), a keeper
take marking its part recorded, the page (cells saved in place) and the API."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from projects.models import Project, Role
from sessions import services as session_services
from sessions.models import Session
from songs import services
from songs.models import DEFAULT_PARTS, Part, PartStatus, Song, SongPart
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

R, E, C, N = PartStatus.RECORDED, PartStatus.EDITED, PartStatus.COMPLETE, PartStatus.NOT_NEEDED


def web_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def parts(project: Project) -> list[Part]:
    return [services.part_create(project=project, name=name) for name in DEFAULT_PARTS]


@pytest.fixture
def song(project: Project) -> Song:
    return services.song_create(project=project, title="Harbour Lights")


@pytest.fixture
def session(project: Project) -> Session:
    start = timezone.now()
    return session_services.session_create(
        project=project, title="Day one", start=start, end=start + datetime.timedelta(hours=6)
    )


def sheet_url(project: Project) -> str:
    return f"/projects/{project.pk}/songs/sheet/"


def cell_url(song: Song, part: Part) -> str:
    return f"/projects/{song.project_id}/songs/sheet/{song.pk}/{part.pk}/"


def status_of(song: Song, part: Part) -> str:
    cell = SongPart.objects.filter(song=song, part=part).first()
    return cell.status if cell else PartStatus.NOT_STARTED


# A keeper take marks its part recorded


def test_a_keeper_take_marks_its_part_recorded_never_lower(
    owner: Any, project: Project, parts: list[Part], song: Song, session: Session
) -> None:
    drums, bass, guitars, keys = parts[:4]
    session_services.take_create(session=session, song=song, part=drums, by=owner)
    assert status_of(song, drums) == PartStatus.NOT_STARTED  # not a keeper
    session_services.take_create(session=session, song=song, part=drums, keeper=True, by=owner)
    assert status_of(song, drums) == R
    assert SongPart.objects.get(song=song, part=drums).updated_by == owner
    for part, status in ((bass, E), (guitars, C), (keys, N)):
        services.song_part_set(song=song, part=part, status=status, by=owner)
        session_services.take_create(session=session, song=song, part=part, keeper=True)
        assert status_of(song, part) == status
    # A take made a keeper later counts too; one by name finds its song.
    strings = parts[6]
    take = session_services.take_create(session=session, song_name="Harbour Lights", part=strings)
    session_services.take_update(take=take, keeper=True, by=owner)
    assert status_of(song, strings) == R


def test_a_take_names_only_its_projects_song_and_part_and_nothing_is_half_written(
    project: Project, parts: list[Part], song: Song, session: Session
) -> None:
    other = MembershipFactory.create(role=Role.PRODUCER).project
    foreign_part = services.part_create(project=other, name="Drums")
    foreign_song = services.song_create(project=other, title="Elsewhere")
    with pytest.raises(ValidationError) as error:
        session_services.take_create(session=session, song=song, part=foreign_part, keeper=True)
    assert "part" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        session_services.take_create(session=session, song=foreign_song)
    assert "song" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        session_services.take_create(session=session, song_name="  ")
    assert "song_name" in error.value.message_dict
    assert not session.takes.exists() and not SongPart.objects.exists()


def test_cells_refuse_another_projects_part_and_unknown_statuses(
    owner: Any, project: Project, parts: list[Part], song: Song
) -> None:
    other = MembershipFactory.create(role=Role.PRODUCER).project
    foreign = services.part_create(project=other, name="Drums")
    with pytest.raises(ValidationError):
        services.song_part_set(song=song, part=foreign, status=R, by=owner)
    with pytest.raises(ValidationError):
        services.song_part_set(song=song, part=parts[0], status="half", by=owner)
    assert not SongPart.objects.exists()


# Parts


def test_parts_are_added_renamed_reordered_and_removed(
    owner: Any, project: Project, parts: list[Part], song: Song
) -> None:
    horns = services.part_create(project=project, name="Horns")
    assert horns.position == len(DEFAULT_PARTS)
    with pytest.raises(ValidationError) as error:
        services.part_create(project=project, name="horns")
    assert "already has a part" in str(error.value)
    with pytest.raises(ValidationError):
        services.part_rename(part=horns, name="Bass")
    services.part_rename(part=horns, name="Brass")
    services.part_move(part=horns, offset=-100)
    names = list(Part.objects.filter(project=project).values_list("name", flat=True))
    assert names == ["Brass", *DEFAULT_PARTS]
    services.song_part_set(song=song, part=horns, status=E, by=owner)
    with pytest.raises(ValidationError) as error:
        services.part_delete(part=horns)
    assert "1 song" in str(error.value) and Part.objects.filter(pk=horns.pk).exists()
    services.part_delete(part=horns, confirmed=True)
    assert not Part.objects.filter(pk=horns.pk).exists() and not SongPart.objects.exists()
    services.part_delete(part=parts[-1])  # nothing to lose: no question
    assert Part.objects.filter(project=project).count() == len(DEFAULT_PARTS) - 1


def test_a_new_project_starts_from_the_default_parts(owner: Any) -> None:
    from projects.services import project_create

    made = project_create(by=owner, title="Fresh", artist="The Test Echoes")
    assert list(made.parts.values_list("name", flat=True)) == list(DEFAULT_PARTS)


# The page


def test_set_a_cell_in_place_and_without_js(
    owner: Any, project: Project, parts: list[Part], song: Song
) -> None:
    client = web_client(owner)
    drums = parts[0]
    swapped = client.post(cell_url(song, drums), {"status": "edited"}, HTTP_HX_REQUEST="true")
    html = swapped.content.decode()
    assert swapped.status_code == 200
    assert html.lstrip().startswith(
        f'<td class="sheet-cell status-edited" id="cell-{song.pk}-{drums.pk}"'
    )
    assert '<option value="edited" selected>Edited</option>' in html
    assert status_of(song, drums) == E
    plain = client.post(cell_url(song, parts[1]), {"status": "complete"})
    assert plain.status_code == 302 and plain["Location"].endswith(f"#sheet-song-{song.pk}")
    assert status_of(song, parts[1]) == C
    page = client.get(sheet_url(project)).content.decode()
    assert page.count('<option value="complete" selected>') == 1
    assert "Harbour Lights" in page and 'class="sheet-scroll"' in page


def test_bad_cell_input_is_400_and_changes_nothing(
    owner: Any, project: Project, parts: list[Part], song: Song
) -> None:
    client = web_client(owner)
    refused = client.post(cell_url(song, parts[0]), {"status": "half"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and 'role="alert"' in refused.content.decode()
    other = MembershipFactory.create(role=Role.PRODUCER).project
    foreign = services.part_create(project=other, name="Drums")
    assert client.post(cell_url(song, foreign), {"status": "edited"}).status_code == 404
    assert not SongPart.objects.exists()


def test_viewer_reads_the_sheet_outsider_gets_404(
    collaborator: Any, outsider: Any, project: Project, parts: list[Part], song: Song
) -> None:
    viewer = web_client(collaborator)
    page = viewer.get(sheet_url(project)).content.decode()
    assert "Not started" in page and "<select" not in page and "Add part" not in page
    assert viewer.post(cell_url(song, parts[0]), {"status": "edited"}).status_code == 403
    assert viewer.post(f"{sheet_url(project)}parts/", {"name": "Horns"}).status_code == 403
    stranger = web_client(outsider)
    assert stranger.get(sheet_url(project)).status_code == 404
    assert stranger.post(cell_url(song, parts[0]), {"status": "edited"}).status_code == 404
    assert not SongPart.objects.exists() and project.parts.count() == len(DEFAULT_PARTS)


def test_edit_the_preset_on_the_page(
    owner: Any, project: Project, parts: list[Part], song: Song
) -> None:
    client = web_client(owner)
    url = f"{sheet_url(project)}parts/"
    assert client.post(url, {"name": "Horns"}).status_code == 302
    refused = client.post(url, {"name": "Drums"})
    assert refused.status_code == 400 and 'id="part-name-error"' in refused.content.decode()
    assert client.post(url, {"name": ""}).status_code == 400
    horns = Part.objects.get(project=project, name="Horns")
    edit = f"{url}{horns.pk}/"
    assert client.post(edit, {"action": "up"}).status_code == 302
    assert list(project.parts.values_list("name", flat=True))[-2] == "Horns"
    renamed = client.post(edit, {"action": "rename", "name": "Bass"})
    assert renamed.status_code == 400 and 'id="rename-error"' in renamed.content.decode()
    assert client.post(edit, {"action": "rename", "name": "Brass"}).status_code == 302
    services.song_part_set(song=song, part=horns, status=R, by=owner)
    asked = client.post(edit, {"action": "remove"})
    assert asked.status_code == 200
    assert "1 song has a status for “Brass”" in asked.content.decode()
    assert Part.objects.filter(pk=horns.pk).exists()
    assert client.post(edit, {"action": "remove-confirmed"}).status_code == 302
    assert not Part.objects.filter(pk=horns.pk).exists()
    assert client.post(edit, {"action": "up"}).status_code == 404


def test_sheet_query_count_is_fixed(owner: Any, project: Project, parts: list[Part]) -> None:
    """50 songs by 7 parts costs what 1 song by 7 parts costs."""
    client = web_client(owner)
    counts = []
    made = 0
    for rows in (1, 50):
        while made < rows:
            song = services.song_create(project=project, title=f"Song {made:02d}")
            services.song_part_set(song=song, part=parts[made % 7], status=C, by=owner)
            made += 1
        client.get(sheet_url(project))
        with CaptureQueriesContext(connection) as queries:
            html = client.get(sheet_url(project)).content.decode()
        assert html.count('<tr id="sheet-song-') == rows
        assert html.count('class="sheet-cell status-complete"') == rows
        counts.append(len(queries))
    # session, user, project, role; parts, songs, cells
    assert counts == [7, 7]


# The API


def test_api_parts_crud_scoped_and_confirmed(
    owner: Any, collaborator: Any, outsider: Any, project: Project, parts: list[Part], song: Song
) -> None:
    api = APIClient()
    api.force_authenticate(owner)
    made = api.post("/api/v1/parts/", {"project": project.pk, "name": "Horns"}, format="json")
    assert made.status_code == 201 and made.json()["position"] == len(DEFAULT_PARTS)
    horns = made.json()["id"]
    dup = api.post("/api/v1/parts/", {"project": project.pk, "name": "Drums"}, format="json")
    assert dup.status_code == 400 and "name" in dup.json()
    assert api.patch(f"/api/v1/parts/{horns}/", {"name": "Brass"}).json()["name"] == "Brass"
    moved = api.post(f"/api/v1/parts/{horns}/move/", {"offset": -1}, format="json")
    assert [p["name"] for p in moved.json()][-2:] == ["Brass", "Strings"]
    assert api.post(f"/api/v1/parts/{horns}/move/", {"offset": "x"}).status_code == 400
    listed = api.get("/api/v1/parts/", {"project": project.pk}).json()
    assert listed["count"] == len(DEFAULT_PARTS) + 1
    services.song_part_set(song=song, part=Part.objects.get(pk=horns), status=R, by=owner)
    asked = api.delete(f"/api/v1/parts/{horns}/")
    assert asked.status_code == 400 and "confirm" in asked.json()
    assert api.delete(f"/api/v1/parts/{horns}/?confirm=true").status_code == 204

    viewer = APIClient()
    viewer.force_authenticate(collaborator)
    assert viewer.get("/api/v1/parts/").json()["count"] == len(DEFAULT_PARTS)
    assert viewer.patch(f"/api/v1/parts/{parts[0].pk}/", {"name": "X"}).status_code == 403
    refused = viewer.post("/api/v1/parts/", {"project": project.pk, "name": "X"}, format="json")
    assert refused.status_code == 403
    stranger = APIClient()
    stranger.force_authenticate(outsider)
    assert stranger.get("/api/v1/parts/").json()["count"] == 0
    assert stranger.get(f"/api/v1/parts/{parts[0].pk}/").status_code == 404
    assert stranger.delete(f"/api/v1/parts/{parts[0].pk}/").status_code == 404
    assert Part.objects.filter(project=project).count() == len(DEFAULT_PARTS)


def test_api_song_parts_upsert_and_list(
    owner: Any, collaborator: Any, outsider: Any, project: Project, parts: list[Part], song: Song
) -> None:
    api = APIClient()
    api.force_authenticate(owner)
    body = {"song": song.pk, "part": parts[0].pk, "status": "recorded"}
    first = api.post("/api/v1/song-parts/", body, format="json")
    assert first.status_code == 200 and first.json()["status"] == "recorded"
    again = api.post("/api/v1/song-parts/", {**body, "status": "complete"}, format="json")
    assert again.json()["id"] == first.json()["id"] and status_of(song, parts[0]) == C
    bad = api.post("/api/v1/song-parts/", {**body, "status": "half"}, format="json")
    assert bad.status_code == 400 and "status" in bad.json()
    other = MembershipFactory.create(role=Role.PRODUCER).project
    foreign = services.part_create(project=other, name="Drums")
    mixed = api.post("/api/v1/song-parts/", {**body, "part": foreign.pk}, format="json")
    assert mixed.status_code == 400 and "part" in mixed.json()
    assert api.get("/api/v1/song-parts/", {"project": project.pk}).json()["count"] == 1
    assert api.get("/api/v1/song-parts/", {"song": song.pk}).json()["count"] == 1
    assert api.get("/api/v1/song-parts/", {"project": other.pk}).json()["count"] == 0

    viewer = APIClient()
    viewer.force_authenticate(collaborator)
    assert viewer.get("/api/v1/song-parts/").json()["count"] == 1
    assert viewer.post("/api/v1/song-parts/", body, format="json").status_code == 403
    stranger = APIClient()
    stranger.force_authenticate(outsider)
    assert stranger.get("/api/v1/song-parts/").json()["count"] == 0
    assert stranger.post("/api/v1/song-parts/", body, format="json").status_code == 400
    assert status_of(song, parts[0]) == C


@pytest.mark.parametrize("rows", [1, 20])
def test_api_song_parts_list_queries_are_pinned(
    owner: Any, project: Project, parts: list[Part], rows: int, django_assert_num_queries: Any
) -> None:
    for n in range(rows):
        made = services.song_create(project=project, title=f"Song {n}")
        services.song_part_set(song=made, part=parts[n % 7], status=E, by=owner)
    api = APIClient()
    api.force_authenticate(owner)
    with django_assert_num_queries(2):  # count, page
        listed = api.get("/api/v1/song-parts/", {"project": project.pk}).json()
    assert listed["count"] == rows


def test_api_takes_read_song_id_and_name(
    owner: Any, project: Project, parts: list[Part], song: Song, session: Session
) -> None:
    api = APIClient()
    api.force_authenticate(owner)
    by_name = api.post(
        "/api/v1/takes/",
        {"session": session.pk, "song_name": "Harbour Lights", "part": parts[0].pk, "keeper": True},
        format="json",
    )
    assert by_name.status_code == 201
    assert (by_name.json()["song"], by_name.json()["song_name"]) == (song.pk, "Harbour Lights")
    assert status_of(song, parts[0]) == R
    by_id = api.post("/api/v1/takes/", {"session": session.pk, "song": song.pk}, format="json")
    assert by_id.json()["song_name"] == "Harbour Lights" and by_id.json()["number"] == 2
    neither = api.post("/api/v1/takes/", {"session": session.pk}, format="json")
    assert neither.status_code == 400 and "song_name" in neither.json()
    other = MembershipFactory.create(role=Role.PRODUCER).project
    foreign = services.song_create(project=other, title="Elsewhere")
    refused = api.post("/api/v1/takes/", {"session": session.pk, "song": foreign.pk}, format="json")
    assert refused.status_code == 400 and "song" in refused.json()
    assert session.takes.count() == 2
