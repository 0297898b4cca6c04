"""Bookings through the API: holds, tiers, challenges, confirmations, conflicts, fees, series."""

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from projects.models import Project, Role
from studio import services
from studio.models import Booking, Room, Studio
from tests.conftest import api_client_for
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

BERLIN = ZoneInfo("Europe/Berlin")
LIST = "/api/v1/bookings/"


def local(day: int, hour: int, month: int = 12, year: int = 2026) -> str:
    return datetime.datetime(year, month, day, hour, tzinfo=BERLIN).isoformat()


def url(booking: Booking | int, verb: str = "") -> str:
    pk = booking if isinstance(booking, int) else booking.pk
    return f"/api/v1/bookings/{pk}/{verb + '/' if verb else ''}"


@pytest.fixture(autouse=True)
def _frozen_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests book December 2026; 'now' is 1 November 2026 so holds have not expired."""
    now = datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)


@pytest.fixture
def studio(owner: Any, project: Project) -> Studio:
    studio = StudioFactory.create(name="Harbour Test", managers=[owner])
    project.studios.add(studio)
    return studio


@pytest.fixture
def room(studio: Studio) -> Room:
    return RoomFactory.create(
        studio=studio,
        name="A",
        hourly_rate=Decimal("95"),
        half_day_rate=Decimal("420"),
        day_rate=Decimal("780"),
    )


@pytest.fixture
def rival(owner: Any, studio: Studio) -> Project:
    """A second production of the owner's competing for the same room."""
    rival = ProjectFactory.create(title="Rival Record")
    MembershipFactory.create(project=rival, user=owner, role=Role.PRODUCER)
    rival.studios.add(studio)
    return rival


def book(
    client: APIClient, room: Room, project: Project, start: str, end: str, **extra: Any
) -> Any:
    return client.post(
        LIST,
        {"room": room.pk, "project": project.pk, "start": start, "end": end, **extra},
        format="json",
    )


def test_first_hold_then_second_hold_then_taken(
    as_owner: APIClient, room: Room, project: Project, rival: Project
) -> None:
    first = book(as_owner, room, project, local(3, 10), local(3, 20))
    assert first.status_code == 201, first.json()
    assert first.json()["status"] == "hold_1"
    assert first.json()["expires_at"] == "2026-11-08T09:00:00Z"  # studio default: 7 days
    assert first.json()["quoted_amount"] == "780.00"
    assert first.json()["currency"] == "EUR"

    second = book(as_owner, room, rival, local(3, 12), local(3, 18))
    assert second.status_code == 201
    assert second.json()["status"] == "hold_2"

    # 9:00-11:00 overlaps only the 1st hold: it is a 2nd hold there, so overlap both instead.
    third = book(as_owner, room, rival, local(3, 11), local(3, 13))
    assert third.status_code == 409
    assert "already has a 1st and a 2nd hold" in third.json()["detail"]
    assert f"booking #{first.json()['id']}" in third.json()["detail"]
    assert Booking.objects.count() == 2


def test_second_hold_cannot_jump_the_first_until_challenged_and_released(
    as_owner: APIClient, room: Room, project: Project, rival: Project
) -> None:
    first = book(as_owner, room, project, local(3, 10), local(3, 20)).json()
    second = book(as_owner, room, rival, local(3, 10), local(3, 20)).json()

    refused = as_owner.post(url(second["id"], "confirm"))
    assert refused.status_code == 409
    assert "first right of refusal" in refused.json()["detail"]

    challenged = as_owner.post(url(second["id"], "challenge"))
    assert challenged.status_code == 200
    assert [row["id"] for row in challenged.json()] == [first["id"]]
    assert challenged.json()[0]["expires_at"] == "2026-11-02T09:00:00Z"  # 24 h to decide
    assert challenged.json()[0]["sequence"] == 1

    released = as_owner.post(url(first["id"], "release"))
    assert released.json()["status"] == "cancelled"
    assert released.json()["ending"] == "released"
    promoted = as_owner.get(url(second["id"])).json()
    assert promoted["status"] == "hold_1"
    assert promoted["sequence"] == 1

    confirmed = as_owner.post(url(second["id"], "confirm"))
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["expires_at"] is None


def test_no_double_booking_names_the_collision(
    as_owner: APIClient, room: Room, project: Project, rival: Project
) -> None:
    booked = book(as_owner, room, project, local(5, 10), local(5, 20), status="confirmed")
    assert booked.status_code == 201
    assert booked.json()["confirmed_at"] is not None
    clash = book(as_owner, room, rival, local(5, 19), local(5, 23), status="confirmed")
    assert clash.status_code == 409
    detail = clash.json()["detail"]
    assert f"booking #{booked.json()['id']}" in detail
    assert "2026-12-05 10:00–20:00 Europe/Berlin" in detail
    # Back to back is fine: 20:00 end, 20:00 start.
    assert (
        book(as_owner, room, rival, local(5, 20), local(5, 23), status="confirmed").status_code
        == 201
    )
    # A hold on a booked slot is refused too.
    assert book(as_owner, room, rival, local(5, 12), local(5, 14)).status_code == 409


def test_engineer_and_gear_cannot_be_in_two_places(
    as_owner: APIClient, studio: Studio, room: Room, project: Project, rival: Project
) -> None:
    other_room = RoomFactory.create(studio=studio, name="B")
    engineer = PersonFactory.create(name="Kit Engineer", projects=[project, rival])
    tape = GearFactory.create(studio=studio, name="Tape machine", day_rate=Decimal("150"))
    first = book(
        as_owner,
        room,
        project,
        local(7, 10),
        local(7, 20),
        status="confirmed",
        engineer=engineer.pk,
        gear=[tape.pk],
    )
    assert first.status_code == 201
    assert first.json()["quoted_amount"] == "930.00"  # day + tape machine

    busy = book(
        as_owner,
        other_room,
        rival,
        local(7, 14),
        local(7, 16),
        status="confirmed",
        engineer=engineer.pk,
    )
    assert busy.status_code == 409
    assert "Kit Engineer is engineering elsewhere" in busy.json()["detail"]

    out = book(
        as_owner, other_room, rival, local(7, 14), local(7, 16), status="confirmed", gear=[tape.pk]
    )
    assert out.status_code == 409
    assert "Tape machine is already out" in out.json()["detail"]

    # As holds they are fine: only confirmed bookings hold people and gear.
    assert (
        book(
            as_owner, other_room, rival, local(7, 14), local(7, 16), engineer=engineer.pk
        ).status_code
        == 201
    )


def test_cancellation_fee_by_notice(as_owner: APIClient, room: Room, project: Project) -> None:
    # Now is 2026-11-01 09:00 UTC.
    far = book(as_owner, room, project, local(20, 10), local(20, 20), status="confirmed").json()
    near = book(
        as_owner,
        room,
        project,
        local(10, 10, month=11),
        local(10, 20, month=11),
        status="confirmed",
    ).json()
    soon = book(
        as_owner,
        room,
        project,
        "2026-11-03T10:00:00+01:00",
        "2026-11-03T20:00:00+01:00",
        status="confirmed",
    )
    assert soon.status_code == 201
    fees = {
        name: as_owner.post(url(b["id"], "cancel")).json()["cancellation_fee"]
        for name, b in [("far", far), ("near", near), ("soon", soon.json())]
    }
    assert fees == {"far": "0.00", "near": "390.00", "soon": "780.00"}
    again = as_owner.post(url(far["id"], "cancel"))
    assert again.status_code == 409
    # A cancelled hold costs nothing.
    hold = book(as_owner, room, project, local(11, 10), local(11, 12)).json()
    assert as_owner.post(url(hold["id"], "cancel")).json()["cancellation_fee"] is None


def test_quote_is_frozen_at_confirmation(as_owner: APIClient, room: Room, project: Project) -> None:
    booking = book(as_owner, room, project, local(8, 10), local(8, 20), status="confirmed").json()
    room.day_rate = Decimal("900")
    room.save()
    assert as_owner.get(url(booking["id"])).json()["quoted_amount"] == "780.00"
    hold = book(as_owner, room, project, local(9, 10), local(9, 20)).json()
    assert as_owner.post(url(hold["id"], "confirm")).json()["quoted_amount"] == "900.00"


def test_move_a_booking(as_owner: APIClient, room: Room, project: Project, rival: Project) -> None:
    first = book(as_owner, room, project, local(12, 10), local(12, 14), status="confirmed").json()
    other = book(as_owner, room, rival, local(12, 15), local(12, 18), status="confirmed").json()
    moved = as_owner.patch(
        url(first["id"]), {"start": local(12, 9), "end": local(12, 15)}, format="json"
    )
    assert moved.status_code == 200
    assert moved.json()["sequence"] == 1
    assert moved.json()["quoted_amount"] == "570.00"  # 6 h hourly is cheaper than the day
    clash = as_owner.patch(url(first["id"]), {"end": local(12, 16)}, format="json")
    assert clash.status_code == 409
    assert f"booking #{other['id']}" in clash.json()["detail"]
    assert rival.title not in clash.json()["detail"]  # whose time it is stays private
    status = as_owner.patch(url(first["id"]), {"status": "cancelled"}, format="json")
    assert status.status_code == 400
    assert "actions" in status.json()["status"][0]


def test_weekly_series_all_or_nothing(
    as_owner: APIClient, room: Room, project: Project, rival: Project
) -> None:
    blocker = book(as_owner, room, rival, local(17, 12), local(17, 14), status="confirmed").json()
    refused = book(
        as_owner,
        room,
        project,
        local(3, 10),
        local(3, 20),
        status="confirmed",
        rrule="FREQ=WEEKLY;COUNT=4",
    )
    assert refused.status_code == 409
    assert "2026-12-17:" in refused.json()["detail"]
    assert f"booking #{blocker['id']}" in refused.json()["detail"]
    assert Booking.objects.filter(project=project).count() == 0

    created = book(
        as_owner,
        room,
        project,
        local(4, 10),
        local(4, 20),
        status="confirmed",
        rrule="FREQ=WEEKLY;COUNT=4",
    )
    assert created.status_code == 201, created.json()
    series = created.json()["series"]
    rows = as_owner.get(LIST, {"series": series}).json()["results"]
    assert [row["start"] for row in rows] == [
        "2026-12-04T09:00:00Z",
        "2026-12-11T09:00:00Z",
        "2026-12-18T09:00:00Z",
        "2026-12-25T09:00:00Z",
    ]


def test_series_keeps_local_time_across_dst(
    as_owner: APIClient, room: Room, project: Project
) -> None:
    created = book(
        as_owner,
        room,
        project,
        local(21, 10, month=3, year=2027),
        local(21, 20, month=3, year=2027),
        rrule="FREQ=WEEKLY;COUNT=2",
    )
    assert created.status_code == 201, created.json()
    rows = as_owner.get(LIST, {"series": created.json()["series"]}).json()["results"]
    # 10:00 Berlin is 09:00 UTC in winter and 08:00 UTC after 2027-03-28.
    assert [(row["start"], row["end"]) for row in rows] == [
        ("2027-03-21T09:00:00Z", "2027-03-21T19:00:00Z"),
        ("2027-03-28T08:00:00Z", "2027-03-28T18:00:00Z"),
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start": "2026-12-03T10:00:00", "end": "2026-12-03T12:00:00"}, "start"),
        ({"end": "2026-12-03T09:00:00+01:00"}, "end"),
        ({"end": "2026-12-05T10:00:00+01:00"}, "end"),  # 48 h: past the studio's maximum
        ({"start": "tomorrow"}, "start"),
        ({"engineer": 999999}, "engineer"),
        ({"room": 999999}, "room"),
        ({"rrule": "FREQ=SOMETIMES"}, "rrule"),
        ({"rrule": "FREQ=DAILY"}, "rrule"),  # no end
        ({"rrule": "FREQ=DAILY;COUNT=500"}, "rrule"),
        ({"status": "cancelled"}, "status"),
        ({"status": "maybe"}, "status"),
        ({"expires_at": "2026-10-01T10:00:00+01:00"}, "expires_at"),
        ({"gear": ["x"]}, "gear"),
    ],
)
def test_bad_booking_input(
    as_owner: APIClient, room: Room, project: Project, change: dict[str, Any], field: str
) -> None:
    payload = {
        "room": room.pk,
        "project": project.pk,
        "start": "2026-12-03T10:00:00+01:00",
        "end": "2026-12-03T12:00:00+01:00",
        **change,
    }
    response = as_owner.post(LIST, payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not Booking.objects.exists()


def test_naive_time_message_asks_for_an_offset(
    as_owner: APIClient, room: Room, project: Project
) -> None:
    response = book(as_owner, room, project, "2026-12-03T10:00:00", "2026-12-03T12:00:00+01:00")
    assert response.json()["start"] == [
        "Give the time with its UTC offset, e.g. 2026-12-01T10:00:00+01:00."
    ]


def test_gear_of_another_studio_and_broken_gear(
    as_owner: APIClient, owner: Any, room: Room, project: Project
) -> None:
    elsewhere = GearFactory.create(
        studio=StudioFactory.create(managers=[owner]), name="Foreign mic"
    )
    response = book(as_owner, room, project, local(3, 10), local(3, 12), gear=[elsewhere.pk])
    assert response.status_code == 400
    assert "Not in Harbour Test's inventory: Foreign mic" in response.json()["gear"][0]
    broken = GearFactory.create(studio=room.studio, name="Old preamp", status="needs_service")
    response = book(as_owner, room, project, local(3, 10), local(3, 12), gear=[broken.pk])
    assert "Not available: Old preamp (needs service)" in response.json()["gear"][0]
    assert not Booking.objects.exists()


def test_booking_trio(
    as_owner: APIClient,
    as_collaborator: APIClient,
    as_outsider: APIClient,
    outsider: Any,
    room: Room,
    project: Project,
) -> None:
    booking = book(as_owner, room, project, local(3, 10), local(3, 12)).json()
    assert as_collaborator.get(url(booking["id"])).status_code == 200
    assert as_outsider.get(url(booking["id"])).status_code == 404
    assert as_outsider.get(LIST).json()["count"] == 0
    # The viewer may look, not book or confirm.
    assert as_collaborator.post(url(booking["id"], "confirm")).status_code == 403
    assert book(as_collaborator, room, project, local(4, 10), local(4, 12)).status_code == 403
    # The outsider cannot even find it, nor book for a project they are not on.
    assert as_outsider.post(url(booking["id"], "cancel")).status_code == 404
    assert (
        as_outsider.patch(url(booking["id"]), {"notes": "mine"}, format="json").status_code == 404
    )
    own = ProjectFactory.create()
    MembershipFactory.create(project=own, user=outsider)
    assert book(as_outsider, room, project, local(5, 10), local(5, 12)).status_code == 404
    assert Booking.objects.count() == 1
    # Bookings are cancelled, never deleted.
    assert as_owner.delete(url(booking["id"])).status_code == 405


def test_engineer_may_book(room: Room, project: Project) -> None:
    engineer = UserFactory.create()
    MembershipFactory.create(project=project, user=engineer, role=Role.ENGINEER)
    response = book(api_client_for(engineer), room, project, local(3, 10), local(3, 12))
    assert response.status_code == 201


def test_list_filters_and_query_count(
    as_owner: APIClient, room: Room, project: Project, django_assert_num_queries: Any
) -> None:
    gear = GearFactory.create(studio=room.studio, day_rate=Decimal("10"))
    for day in range(1, 21):
        book(
            as_owner,
            room,
            project,
            local(day, 10),
            local(day, 12),
            status="confirmed",
            gear=[gear.pk],
        )
    with django_assert_num_queries(3):  # count, page, gear
        response = as_owner.get(LIST, {"after": local(5, 0), "before": local(10, 0)})
    assert [row["start"][:10] for row in response.json()["results"]] == [
        "2026-12-05",
        "2026-12-06",
        "2026-12-07",
        "2026-12-08",
        "2026-12-09",
    ]
    assert as_owner.get(LIST, {"status": "hold_1"}).json()["count"] == 0
    assert as_owner.get(LIST, {"after": "soon"}).status_code == 400


def test_availability(
    as_owner: APIClient,
    as_outsider: APIClient,
    outsider: Any,
    room: Room,
    project: Project,
    django_assert_max_num_queries: Any,
) -> None:
    book(as_owner, room, project, local(3, 10), local(3, 12), status="confirmed")
    book(as_owner, room, project, local(3, 14), local(3, 16))
    path = f"/api/v1/rooms/{room.pk}/availability/"
    with django_assert_max_num_queries(3):
        response = as_owner.get(path, {"start": local(3, 8), "end": local(3, 18)})
    body = response.json()
    assert body["free"] == [
        {"start": "2026-12-03T07:00:00Z", "end": "2026-12-03T09:00:00Z"},
        {"start": "2026-12-03T11:00:00Z", "end": "2026-12-03T13:00:00Z"},
        {"start": "2026-12-03T15:00:00Z", "end": "2026-12-03T17:00:00Z"},
    ]
    assert [b["status"] for b in body["busy"]] == ["confirmed", "hold_1"]
    assert as_owner.get(path, {"start": local(3, 18), "end": local(3, 8)}).status_code == 400
    assert (
        as_owner.get(path, {"start": "2026-12-03T08:00:00", "end": local(3, 9)}).status_code == 400
    )
    assert (
        as_owner.get(
            path, {"start": local(1, 0), "end": local(1, 0, month=6, year=2027)}
        ).status_code
        == 400
    )
    assert as_outsider.get(path, {"start": local(3, 8), "end": local(3, 18)}).status_code == 404


def test_month_of_availability_queries(
    as_owner: APIClient, room: Room, project: Project, django_assert_max_num_queries: Any
) -> None:
    for day in range(1, 29):
        book(as_owner, room, project, local(day, 10), local(day, 20), status="confirmed")
    path = f"/api/v1/rooms/{room.pk}/availability/"
    with django_assert_max_num_queries(3):
        body = as_owner.get(
            path, {"start": local(1, 0), "end": local(1, 0, month=1, year=2027)}
        ).json()
    assert len(body["busy"]) == 28
    assert len(body["free"]) == 29


def test_expire_holds_promotes_the_second(
    room: Room, project: Project, rival: Project, owner: Any
) -> None:
    start = datetime.datetime(2026, 12, 3, 10, tzinfo=BERLIN)
    end = start + datetime.timedelta(hours=4)
    [first] = services.booking_create(by=owner, room=room, project=project, start=start, end=end)
    [second] = services.booking_create(by=owner, room=room, project=rival, start=start, end=end)
    later = timezone.now() + datetime.timedelta(days=8)
    assert services.holds_expire(now=later) == 2  # both lapse after 7 days
    first.refresh_from_db()
    assert (first.status, first.ending) == ("cancelled", "expired")
    assert services.holds_expire(now=later) == 0


def test_expire_only_what_is_due(room: Room, project: Project, rival: Project, owner: Any) -> None:
    start = datetime.datetime(2026, 12, 3, 10, tzinfo=BERLIN)
    end = start + datetime.timedelta(hours=4)
    [first] = services.booking_create(
        by=owner,
        room=room,
        project=project,
        start=start,
        end=end,
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    [second] = services.booking_create(by=owner, room=room, project=rival, start=start, end=end)
    assert services.holds_expire(now=timezone.now() + datetime.timedelta(hours=2)) == 1
    second.refresh_from_db()
    assert second.status == "hold_1"
    assert second.sequence == 1


def test_booking_adds_the_studio_to_the_project(
    as_owner: APIClient, owner: Any, project: Project
) -> None:
    other = StudioFactory.create(name="Second Studio", managers=[owner])
    room = RoomFactory.create(studio=other)
    assert book(as_owner, room, project, local(3, 10), local(3, 12)).status_code == 201
    assert project.studios.filter(pk=other.pk).exists()


def test_booking_for_a_project_i_am_not_on_is_404(room: Room, project: Project) -> None:
    """The caller sees the room through a project of their own, but names someone else's."""
    stranger = UserFactory.create()
    own = ProjectFactory.create()
    MembershipFactory.create(project=own, user=stranger, role=Role.PRODUCER)
    own.studios.add(room.studio)
    client = api_client_for(stranger)
    response = book(client, room, project, local(3, 10), local(3, 12))
    assert response.status_code == 404
    assert not Booking.objects.exists()
    assert book(client, room, own, local(3, 10), local(3, 12)).status_code == 201


def test_no_booking_over_a_first_hold(
    as_owner: APIClient, room: Room, project: Project, rival: Project
) -> None:
    hold = book(as_owner, room, project, local(3, 10), local(3, 20)).json()
    over = book(as_owner, room, rival, local(3, 12), local(3, 14), status="confirmed")
    assert over.status_code == 409
    assert "is on a 1st hold" in over.json()["detail"]
    assert f"booking #{hold['id']}" in over.json()["detail"]
    # Its own project confirms the hold instead of booking over it.
    assert (
        book(as_owner, room, project, local(3, 12), local(3, 14), status="confirmed").status_code
        == 409
    )
    assert as_owner.post(url(hold["id"], "confirm")).status_code == 200


def test_a_lapsed_hold_binds_nobody(
    as_owner: APIClient,
    monkeypatch: pytest.MonkeyPatch,
    room: Room,
    project: Project,
    rival: Project,
) -> None:
    hold = book(as_owner, room, project, local(3, 10), local(3, 20)).json()
    later = datetime.datetime(2026, 11, 9, 9, tzinfo=datetime.UTC)  # past its 7 days
    monkeypatch.setattr(timezone, "now", lambda: later)
    # Before the periodic task has marked it, the slot is already free for others...
    taken = book(as_owner, room, rival, local(3, 12), local(3, 14), status="confirmed")
    assert taken.status_code == 201, taken.json()
    # ...and the lapsed hold cannot be confirmed any more.
    lapsed = as_owner.post(url(hold["id"], "confirm"))
    assert lapsed.status_code == 409
    assert "lapsed" in lapsed.json()["detail"]


def test_a_project_with_bookings_is_not_deleted(
    as_owner: APIClient, room: Room, project: Project
) -> None:
    book(as_owner, room, project, local(3, 10), local(3, 12))
    response = as_owner.delete(f"/api/v1/projects/{project.pk}/")
    assert response.status_code == 409
    assert "Still in use by" in response.json()["detail"]
    assert Project.objects.filter(pk=project.pk).exists()
