"""Studios, rooms and gear: seen by the members of projects that use them, changed by managers."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from projects.models import Project
from studio.models import Gear, Room, Studio
from tests.factories import GearFactory, RoomFactory, StudioFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def studio(owner: Any, project: Project) -> Studio:
    """Managed by the owner and used by the project, so the collaborator sees it too."""
    studio = StudioFactory.create(name="Harbour Test", managers=[owner])
    project.studios.add(studio)
    return studio


@pytest.fixture
def room(studio: Studio) -> Room:
    return RoomFactory.create(studio=studio, name="A")


@pytest.fixture
def gear(studio: Studio, room: Room) -> Gear:
    return GearFactory.create(studio=studio, room=room, name="Tube mic")


def test_studio_create_makes_me_manager(as_outsider: APIClient) -> None:
    response = as_outsider.post(
        "/api/v1/studios/",
        {"name": "Attic Room", "time_zone": "America/New_York", "currency": "USD"},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["managers"] == ["outsider"]
    assert response.json()["is_manager"] is True


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "X", "time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"name": "X", "time_zone": "Europe/Berlin; DROP TABLE"}, "time_zone"),
        ({"name": "X", "time_zone": ""}, "time_zone"),
        ({"name": "X", "time_zone": "Europe/Berlin", "currency": "eur"}, "currency"),
        ({"name": "", "time_zone": "Europe/Berlin"}, "name"),
    ],
)
def test_bad_studio_input(as_owner: APIClient, payload: dict[str, Any], field: str) -> None:
    response = as_owner.post("/api/v1/studios/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Studio.objects.filter(name="X").exists()


def test_unknown_time_zone_message_names_it(as_owner: APIClient) -> None:
    response = as_owner.post("/api/v1/studios/", {"name": "X", "time_zone": "Europe/Atlantis"})
    assert response.json()["time_zone"] == [
        "Europe/Atlantis is not an IANA time zone (for example Europe/Berlin)."
    ]


def test_studio_visibility_trio(
    as_owner: APIClient, as_collaborator: APIClient, as_outsider: APIClient, studio: Studio
) -> None:
    url = f"/api/v1/studios/{studio.pk}/"
    assert as_owner.get(url).json()["is_manager"] is True
    assert as_collaborator.get(url).json()["is_manager"] is False
    assert as_outsider.get(url).status_code == 404
    assert as_outsider.get("/api/v1/studios/").json()["count"] == 0

    assert as_collaborator.patch(url, {"name": "Taken"}).status_code == 403
    assert as_outsider.patch(url, {"name": "Taken"}).status_code == 404
    assert as_owner.patch(url, {"time_zone": "Europe/Lisbon"}).status_code == 200
    studio.refresh_from_db()
    assert (studio.name, studio.time_zone) == ("Harbour Test", "Europe/Lisbon")


def test_studio_list_query_count(
    owner: Any, as_owner: APIClient, django_assert_num_queries: Any
) -> None:
    for _ in range(10):
        StudioFactory.create(managers=[owner])
    with django_assert_num_queries(3):  # count, page, managers
        response = as_owner.get("/api/v1/studios/")
    assert response.json()["count"] == 10


def test_room_trio_and_rate_card(
    as_owner: APIClient,
    as_collaborator: APIClient,
    as_outsider: APIClient,
    studio: Studio,
    room: Room,
) -> None:
    url = f"/api/v1/rooms/{room.pk}/"
    body = as_collaborator.get(url).json()
    assert body["hourly_rate"] == "80.00"  # amounts leave the API as strings
    assert body["day_hours"] == "10.00"
    assert as_outsider.get(url).status_code == 404
    assert as_collaborator.patch(url, {"hourly_rate": "1.00"}).status_code == 403
    assert as_owner.patch(url, {"hourly_rate": "92.50"}).json()["hourly_rate"] == "92.50"


def test_room_create_in_someone_elses_studio(
    as_collaborator: APIClient, as_outsider: APIClient, studio: Studio
) -> None:
    payload = {
        "studio": studio.pk,
        "name": "Sneaky",
        "hourly_rate": "1",
        "half_day_rate": "1",
        "day_rate": "1",
    }
    # The collaborator sees the studio but does not manage it.
    assert as_collaborator.post("/api/v1/rooms/", payload).status_code == 403
    # The outsider does not even see it.
    response = as_outsider.post("/api/v1/rooms/", payload)
    assert response.status_code == 400
    assert "studio" in response.json()
    assert not Room.objects.filter(name="Sneaky").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"hourly_rate": "-1"}, "hourly_rate"),
        ({"day_rate": "abc"}, "day_rate"),
        ({"half_day_rate": "12345678901.00"}, "half_day_rate"),
        ({"hourly_rate": "10.001"}, "hourly_rate"),
        ({"half_day_hours": "11"}, "half_day_hours"),
        ({"day_hours": "25"}, "day_hours"),
        ({"overtime_multiplier": "0.5"}, "overtime_multiplier"),
        ({"overtime_unit_minutes": 0}, "overtime_unit_minutes"),
        ({"name": "A"}, "name"),  # the studio already has a room named A
    ],
)
def test_bad_room_input(
    as_owner: APIClient, studio: Studio, room: Room, change: dict[str, Any], field: str
) -> None:
    payload = {
        "studio": studio.pk,
        "name": "B",
        "hourly_rate": "50",
        "half_day_rate": "200",
        "day_rate": "400",
        **change,
    }
    response = as_owner.post("/api/v1/rooms/", payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert Room.objects.count() == 1


def test_room_list_query_count(
    as_owner: APIClient, studio: Studio, django_assert_num_queries: Any
) -> None:
    for _ in range(10):
        RoomFactory.create(studio=studio)
    with django_assert_num_queries(2):  # count, page (the studio filter looks nothing up)
        response = as_owner.get("/api/v1/rooms/", {"studio": studio.pk})
    assert response.json()["count"] == 10


def test_gear_trio_filters_and_queries(
    as_owner: APIClient,
    as_collaborator: APIClient,
    as_outsider: APIClient,
    studio: Studio,
    gear: Gear,
    django_assert_num_queries: Any,
) -> None:
    GearFactory.create(
        studio=studio, category=Gear.Category.PREAMP, status=Gear.Status.NEEDS_SERVICE
    )
    with django_assert_num_queries(2):
        rows = as_collaborator.get("/api/v1/gear/", {"status": "needs_service"}).json()
    assert [row["category"] for row in rows["results"]] == ["preamp"]
    url = f"/api/v1/gear/{gear.pk}/"
    assert as_outsider.get(url).status_code == 404
    assert as_collaborator.delete(url).status_code == 403
    assert as_owner.patch(url, {"status": "in_repair"}).json()["status"] == "in_repair"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"day_rate": "-5"}, "day_rate"),
        ({"status": "lost"}, "status"),
        ({"serial_number": "SN-TAKEN"}, "serial_number"),
        ({"room": "other-studio"}, "room"),
    ],
)
def test_bad_gear_input(
    as_owner: APIClient, owner: Any, studio: Studio, change: dict[str, Any], field: str
) -> None:
    GearFactory.create(studio=studio, serial_number="SN-TAKEN")
    if change.get("room") == "other-studio":
        change["room"] = RoomFactory.create(studio=StudioFactory.create(managers=[owner])).pk
    payload = {"studio": studio.pk, "name": "New mic", **change}
    response = as_owner.post("/api/v1/gear/", payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not Gear.objects.filter(name="New mic").exists()
