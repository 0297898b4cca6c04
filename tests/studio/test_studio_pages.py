"""Studios, rooms, gear and contacts from the pages: each write, each refusal beside its field,
403 for a role that may not, 404 for an outsider, nothing half-written, query counts pinned."""

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from projects.models import Person, PersonCard, Project, Role
from studio.models import Gear, Room, Studio
from tests.factories import (
    GearFactory,
    MembershipFactory,
    PersonFactory,
    ProjectFactory,
    RoomFactory,
    StudioFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROOM = {
    "name": "Live Room",
    "description": "",
    "capacity": "6",
    "hourly_rate": "90.00",
    "half_day_hours": "5",
    "half_day_rate": "400.00",
    "day_hours": "10",
    "day_rate": "700.00",
    "overtime_unit_minutes": "30",
    "overtime_multiplier": "1.5",
    "is_active": "on",
}
GEAR = {
    "name": "U 47",
    "category": "microphone",
    "status": "available",
    "day_rate": "60.00",
    "room": "",
    "make": "Neumann",
    "model": "U 47",
    "serial_number": "N-1",
    "notes": "",
}
STUDIO = {
    "name": "Harbour Sound",
    "address": "Quay 4\nHamburg",
    "time_zone": "Europe/Berlin",
    "currency": "EUR",
    "hold_hours": "72",
    "challenge_hours": "12",
    "cancellation_tiers": "10:0, 2:50, 0:100",
}


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def count_queries(client: Client, url: str) -> int:
    client.get(url)  # the menu's money check is cached a minute
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# --- studios -----------------------------------------------------------------------------------


def test_a_producer_creates_a_studio_and_manages_it() -> None:
    maker = UserFactory.create()
    response = signed_in(maker).post("/studios/new/", STUDIO)
    studio = Studio.objects.get(name="Harbour Sound")
    assert response.status_code == 302
    assert response["Location"] == f"/studios/{studio.pk}/"
    assert list(studio.managers.all()) == [maker]
    assert studio.hold_hours == 72
    assert studio.challenge_hours == 12
    assert studio.cancellation_tiers == [
        {"min_days": 10, "percent": 0},
        {"min_days": 2, "percent": 50},
        {"min_days": 0, "percent": 100},
    ]
    page = signed_in(maker).get(f"/studios/{studio.pk}/").content.decode()
    assert "Edit studio" in page and "Add room" in page


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone", "time zone"),
        ({"cancellation_tiers": "0:100, 3:50"}, "cancellation_tiers", "most notice first"),
        ({"cancellation_tiers": "lots"}, "cancellation_tiers", "days:percent"),
        ({"currency": "euro"}, "currency", ""),
        ({"hold_hours": "0"}, "hold_hours", ""),
    ],
)
def test_studio_refusals_show_beside_the_field(
    change: dict[str, str], field: str, words: str
) -> None:
    response = signed_in(UserFactory.create()).post("/studios/new/", {**STUDIO, **change})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert words.lower() in " ".join(errors[field]).lower()
    assert not Studio.objects.exists()


def test_a_taken_studio_name_is_refused_beside_the_name() -> None:
    StudioFactory.create(name="Harbour Sound")
    response = signed_in(UserFactory.create()).post("/studios/new/", STUDIO)
    assert "already a studio named" in " ".join(response.context["form"].errors["name"])
    assert Studio.objects.count() == 1


def test_only_managers_change_a_studio_and_outsiders_get_404() -> None:
    manager, member, outsider = UserFactory.create_batch(3)
    studio = StudioFactory.create(managers=[manager])
    project = ProjectFactory.create()
    project.studios.add(studio)
    MembershipFactory.create(project=project, user=member, role=Role.PRODUCER)
    # A member of a project using the studio sees it, without the buttons, and may not edit.
    page = signed_in(member).get(f"/studios/{studio.pk}/").content.decode()
    assert studio.name in page and "Edit studio" not in page and "Add room" not in page
    for url in (f"/studios/{studio.pk}/edit/", f"/studios/{studio.pk}/rooms/new/"):
        assert signed_in(member).get(url).status_code == 403
    assert signed_in(member).post(f"/studios/{studio.pk}/rooms/new/", ROOM).status_code == 403
    assert not Room.objects.exists()
    # Someone with no project there: no such studio (the directory still names it).
    assert signed_in(outsider).get(f"/studios/{studio.pk}/").status_code == 404
    assert signed_in(outsider).post(f"/studios/{studio.pk}/edit/", STUDIO).status_code == 404
    assert studio.name in signed_in(outsider).get("/studios/").content.decode()
    # The manager edits it.
    response = signed_in(manager).post(f"/studios/{studio.pk}/edit/", {**STUDIO, "name": "New"})
    assert response.status_code == 302
    studio.refresh_from_db()
    assert studio.name == "New" and studio.hold_hours == 72


# --- rooms and gear ------------------------------------------------------------------------


def test_a_manager_adds_and_edits_a_room_with_its_rate_card() -> None:
    manager = UserFactory.create()
    studio = StudioFactory.create(managers=[manager])
    client = signed_in(manager)
    assert client.post(f"/studios/{studio.pk}/rooms/new/", ROOM).status_code == 302
    room = Room.objects.get(studio=studio)
    assert (room.name, room.hourly_rate, room.day_rate) == ("Live Room", Decimal(90), Decimal(700))
    response = client.post(f"/studios/rooms/{room.pk}/edit/", {**ROOM, "day_rate": "750.00"})
    assert response.status_code == 302
    room.refresh_from_db()
    assert room.day_rate == Decimal(750)
    page = client.get(f"/studios/{studio.pk}/").content.decode()
    assert "750.00 EUR / 10 h" in page


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"half_day_hours": "11"}, "half_day_hours", "cannot be longer than a day"),
        ({"overtime_multiplier": "20"}, "overtime_multiplier", "between 1 and 10"),
        ({"overtime_unit_minutes": "500"}, "overtime_unit_minutes", "between 1 and 240"),
        ({"hourly_rate": "-1"}, "hourly_rate", ""),
    ],
)
def test_room_refusals_show_beside_the_field(
    change: dict[str, str], field: str, words: str
) -> None:
    manager = UserFactory.create()
    studio = StudioFactory.create(managers=[manager])
    response = signed_in(manager).post(f"/studios/{studio.pk}/rooms/new/", {**ROOM, **change})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert words.lower() in " ".join(errors[field]).lower()
    assert not Room.objects.exists()


def test_a_second_room_of_one_name_is_refused_beside_the_name() -> None:
    manager = UserFactory.create()
    studio = StudioFactory.create(managers=[manager])
    RoomFactory.create(studio=studio, name="Live Room")
    response = signed_in(manager).post(f"/studios/{studio.pk}/rooms/new/", ROOM)
    assert "already has a room named Live Room" in " ".join(response.context["form"].errors["name"])
    assert Room.objects.count() == 1


def test_a_manager_adds_and_edits_gear() -> None:
    manager = UserFactory.create()
    studio = StudioFactory.create(managers=[manager])
    room = RoomFactory.create(studio=studio)
    client = signed_in(manager)
    response = client.post(f"/studios/{studio.pk}/gear/new/", {**GEAR, "room": room.pk})
    assert response.status_code == 302
    item = Gear.objects.get(studio=studio)
    assert item.room == room and item.day_rate == Decimal(60)
    response = client.post(
        f"/studios/gear/{item.pk}/edit/", {**GEAR, "room": "", "status": "in_repair"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.room is None and item.status == Gear.Status.IN_REPAIR


def test_gear_refusals_show_beside_the_field() -> None:
    manager = UserFactory.create()
    studio = StudioFactory.create(managers=[manager])
    other_room = RoomFactory.create()
    GearFactory.create(studio=studio, serial_number="N-1")
    client = signed_in(manager)
    taken = client.post(f"/studios/{studio.pk}/gear/new/", GEAR)
    assert "serial number" in " ".join(taken.context["form"].errors["serial_number"])
    elsewhere = client.post(f"/studios/{studio.pk}/gear/new/", {**GEAR, "room": other_room.pk})
    assert "room" in elsewhere.context["form"].errors
    assert Gear.objects.count() == 1


def test_studio_pages_queries_do_not_grow() -> None:
    manager = UserFactory.create()
    small = StudioFactory.create(managers=[manager])
    RoomFactory.create(studio=small)
    GearFactory.create(studio=small)
    large = StudioFactory.create(managers=[manager])
    RoomFactory.create_batch(20, studio=large)
    GearFactory.create_batch(20, studio=large, room=Room.objects.filter(studio=large).first())
    StudioFactory.create_batch(20)
    client = signed_in(manager)
    # session, user, studio, manager check, rooms, gear with rooms, managers
    assert count_queries(client, f"/studios/{small.pk}/") == 7
    assert count_queries(client, f"/studios/{large.pk}/") == 7
    # session, user, the directory
    assert count_queries(client, "/studios/") == 3


# --- the project form offers the directory -----------------------------------------------------


def test_a_producer_without_a_studio_picks_any_from_the_directory() -> None:
    StudioFactory.create(name="Harbour Sound", address="Quay 4\nHamburg")
    newcomer = UserFactory.create()
    client = signed_in(newcomer)
    page = client.get("/projects/new/").content.decode()
    assert "Harbour Sound · Hamburg · Europe/Berlin" in page
    assert 'href="/studios/new/"' in page
    assert "in the admin" not in page
    studio = Studio.objects.get()
    response = client.post(
        "/projects/new/",
        {"title": "Debut", "artist": "Nova", "currency": "EUR", "status": "planning",
         "studios": [studio.pk]},
    )  # fmt: skip
    project = Project.objects.get(title="Debut")
    assert response.status_code == 302
    assert list(project.studios.all()) == [studio]
    # Using it, the producer now sees the studio's rooms.
    assert client.get(f"/studios/{studio.pk}/").status_code == 200


def test_project_edit_goes_through_the_service_and_refuses_beside_the_field(
    owner: Any, collaborator: Any, project: Project
) -> None:
    data = {"title": "Low Tide", "artist": "X", "currency": "EUR", "status": "recording"}
    bad = signed_in(owner).post(
        f"/projects/{project.pk}/edit/",
        {**data, "start_date": "2027-02-01", "due_date": "2027-01-01"},
    )
    assert "before the start" in " ".join(bad.context["form"].errors["due_date"])
    assert signed_in(collaborator).post(f"/projects/{project.pk}/edit/", data).status_code == 403
    assert signed_in(owner).post(f"/projects/{project.pk}/edit/", data).status_code == 302
    project.refresh_from_db()
    assert (project.artist, project.status) == ("X", "recording")


# --- contacts ----------------------------------------------------------------------------------


CONTACT = {"name": "Ada Keys", "email": "ada@example.com", "phone": "+49 40 1", "notes": ""}


def test_a_producer_adds_a_contact_to_a_project(owner: Any, project: Project) -> None:
    client = signed_in(owner)
    page = client.get("/people/").content.decode()
    assert "Add a contact" in page
    response = client.post(
        "/people/new/", {**CONTACT, "project": project.pk, "instruments": "piano"}
    )
    assert response.status_code == 302
    card = PersonCard.objects.get(person__name="Ada Keys")
    assert (card.project, card.email, card.instruments) == (project, "ada@example.com", "piano")


def test_contact_refusals_show_beside_the_field(owner: Any, project: Project) -> None:
    client = signed_in(owner)
    response = client.post("/people/new/", {**CONTACT, "email": "nope", "project": project.pk})
    assert response.status_code == 200
    assert "email" in response.context["create_form"].errors
    assert 'id="id_email-error"' in response.content.decode()
    other = ProjectFactory.create()
    response = client.post("/people/new/", {**CONTACT, "project": other.pk})
    assert "project" in response.context["create_form"].errors
    assert not Person.objects.filter(name="Ada Keys").exists()


def test_roles_without_people_manage_see_no_buttons_and_get_403(
    collaborator: Any, project: Project
) -> None:
    person = PersonFactory.create(projects=[project])
    client = signed_in(collaborator)  # a viewer
    page = client.get("/people/").content.decode()
    assert person.name in page
    assert "Add a contact" not in page and ">Edit<" not in page
    assert client.post("/people/new/", {**CONTACT, "project": project.pk}).status_code == 403
    url = f"/people/{person.pk}/cards/{project.pk}/edit/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "X"}).status_code == 403
    assert Person.objects.get(pk=person.pk).name == person.name


def test_an_outsider_gets_404_for_a_card(outsider: Any, project: Project) -> None:
    person = PersonFactory.create(projects=[project])
    for url in (
        f"/people/{person.pk}/cards/{project.pk}/edit/",
        f"/people/{person.pk}/cards/{project.pk}/",
    ):
        assert signed_in(outsider).get(url).status_code == 404


def prefixed(person: Person, project: Project, data: dict[str, str]) -> dict[str, str]:
    return {f"card-{person.pk}-{project.pk}-{k}": v for k, v in data.items()}


def test_inline_edit_with_htmx_swaps_the_row(owner: Any, project: Project) -> None:
    person = PersonFactory.create(name="Ada Keys", projects=[project])
    client = signed_in(owner)
    url = f"/people/{person.pk}/cards/{project.pk}/edit/"
    form = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert form.lstrip().startswith("<tr") and "<form" in form and "<html" not in form
    bad = client.post(
        url, prefixed(person, project, {**CONTACT, "email": "nope"}), headers={"HX-Request": "true"}
    )
    assert "Enter a valid email address." in bad.content.decode()
    assert "<html" not in bad.content.decode()
    good = client.post(
        url,
        prefixed(person, project, {**CONTACT, "instruments": "organ"}),
        headers={"HX-Request": "true"},
    )
    row = good.content.decode()
    assert row.lstrip().startswith("<tr") and "organ" in row and "Saved." in row
    card = PersonCard.objects.get(person=person, project=project)
    assert (card.instruments, card.person.name) == ("organ", "Ada Keys")


def test_edit_without_htmx_is_a_page_then_a_redirect(owner: Any, project: Project) -> None:
    person = PersonFactory.create(name="Ada Keys", projects=[project])
    client = signed_in(owner)
    url = f"/people/{person.pk}/cards/{project.pk}/edit/"
    assert "<html" in client.get(url).content.decode()
    response = client.post(url, prefixed(person, project, {**CONTACT, "phone": "+1 555"}))
    assert response.status_code == 302 and response["Location"] == "/people/"
    assert PersonCard.objects.get(person=person, project=project).phone == "+1 555"


def test_a_shared_name_refusal_shows_beside_the_name(owner: Any, project: Project) -> None:
    # The person is also on a production the owner does not manage: only its name is shared.
    person = PersonFactory.create(name="Ada Keys", projects=[project, ProjectFactory.create()])
    client = signed_in(owner)
    url = f"/people/{person.pk}/cards/{project.pk}/edit/"
    data = prefixed(person, project, {**CONTACT, "name": "Ada K.", "phone": "+1 999"})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "only they, or the person" in " ".join(response.context["form"].errors["name"])
    # Nothing half-written: the card's phone did not change either.
    card = PersonCard.objects.get(person=person, project=project)
    assert card.person.name == "Ada Keys" and card.phone != "+1 999"


def test_people_page_queries_do_not_grow(owner: Any, project: Project) -> None:
    client = signed_in(owner)
    PersonFactory.create(projects=[project])
    one = count_queries(client, "/people/")
    PersonFactory.create_batch(20, projects=[project])
    # session, user, count, projects I manage contacts on, those I may invite onto, the add
    # form's project choices (two reads), the page of cards
    assert one == count_queries(client, "/people/") == 8
