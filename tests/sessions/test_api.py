"""Sessions through the API: engagements priced by their rules, pay, takes, gear checks."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from projects.models import Person, Project, Role
from sessions import rates
from sessions.models import Engagement, GearCheck, Payment, RateRule, Session
from sessions.services import rate_rule_presets_ensure
from studio import services as studio_services
from studio.models import Gear, Room
from tests.clock import BERLIN, today, upcoming
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


def day(hour: int) -> datetime.datetime:
    """`hour` o'clock in Berlin on the day of the `session` fixture, a week from today."""
    return upcoming(days=7, hour=hour, zone=BERLIN)


@pytest.fixture
def room(owner: Any, project: Project) -> Room:
    studio = StudioFactory.create(name="Session Studio", managers=[owner])
    project.studios.add(studio)
    # The AFM preset pays in US dollars; so does this production.
    Project.objects.filter(pk=project.pk).update(currency="USD")
    project.refresh_from_db()
    return RoomFactory.create(studio=studio, name="A")


@pytest.fixture
def union() -> RateRule:
    """The AFM preset. Seeded by a migration; made again here because transactional tests
    elsewhere flush the tables, migration data included."""
    return next(rule for rule in rate_rule_presets_ensure().values() if rule.kind == rates.UNION)


@pytest.fixture
def session(owner: Any, room: Room, project: Project) -> Session:
    start = day(10)
    [booking] = studio_services.booking_create(
        by=owner, room=room, project=project, start=start, end=start + datetime.timedelta(hours=6)
    )
    response = api_client_for(owner).post(
        "/api/v1/sessions/",
        {"project": project.pk, "booking": booking.pk, "title": "Horns"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return Session.objects.get(pk=response.json()["id"])


@pytest.fixture
def player(project: Project) -> Person:
    return PersonFactory.create(name="Ezra Winds", projects=[project])


def engage(client: APIClient, session: Session, who: Person, rule: RateRule, **extra: Any) -> Any:
    payload = {
        "session": session.pk,
        "person": who.pk,
        "rate_rule": rule.pk,
        "hours": "3",
        **extra,
    }
    return client.post("/api/v1/engagements/", payload, format="json")


def test_session_on_a_booking_inherits_room_and_times(session: Session, room: Room) -> None:
    assert session.room == room
    assert session.start == day(10)
    assert session.end - session.start == datetime.timedelta(hours=6)


def test_engagement_is_priced_and_owed(
    as_owner: APIClient, session: Session, player: Person, union: RateRule
) -> None:
    response = engage(
        as_owner,
        session,
        player,
        union,
        instrument="tenor sax",
        doubles=["flute"],
        hours="3.5",
        cartage=["tenor sax"],
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    # 418.62 + 1 overtime unit 104.66 + double 83.72 = 607.00 wages, + cartage 30.00
    assert body["wages"] == "637.00"
    assert body["employer_contributions"] == "115.53"  # pension 85.53 + health 30.00
    assert body["fee"] == "752.53"
    assert [line["label"] for line in body["fee_lines"]][:3] == [
        "3 h basic session",
        "1 overtime unit at 104.66",
        "double 1 (flute, 20 %)",
    ]
    payment = Payment.objects.get(engagement_id=body["id"])
    assert (payment.amount, payment.currency, payment.status) == (
        Decimal("637.00"),
        "USD",
        "pending",
    )

    quote = as_owner.get(f"/api/v1/engagements/{body['id']}/quote/").json()
    assert quote["total"] == "752.53"
    assert quote["stub"].startswith("3 h basic session 418.62; 1 overtime unit at 104.66 104.66; ")


def test_second_session_of_the_day_pays_the_lower_health(
    as_owner: APIClient,
    owner: Any,
    project: Project,
    room: Room,
    session: Session,
    player: Person,
    union: RateRule,
) -> None:
    engage(as_owner, session, player, union)
    later = as_owner.post(
        "/api/v1/sessions/",
        {
            "project": project.pk,
            "room": room.pk,
            "title": "Evening",
            "start": day(18).isoformat(),
            "end": day(21).isoformat(),
        },
        format="json",
    ).json()
    second = engage(as_owner, Session.objects.get(pk=later["id"]), player, union).json()
    assert second["fee_lines"][-1] == {
        "label": "health (employer, additional session that day)",
        "amount": "25.00",
        "employer": True,
    }


def test_viewer_sees_the_sheet_but_not_the_pay(
    as_owner: APIClient,
    as_collaborator: APIClient,
    as_outsider: APIClient,
    session: Session,
    player: Person,
    union: RateRule,
) -> None:
    created = engage(as_owner, session, player, union).json()
    seen = as_collaborator.get(f"/api/v1/engagements/{created['id']}/").json()
    assert seen["person"] == player.pk
    assert seen["fee"] is None and seen["fee_lines"] is None
    assert as_collaborator.get(f"/api/v1/engagements/{created['id']}/quote/").status_code == 403
    assert engage(as_collaborator, session, player, union, role="leader").status_code == 403
    assert as_outsider.get(f"/api/v1/engagements/{created['id']}/").status_code == 404
    assert as_outsider.get(f"/api/v1/sessions/{session.pk}/").status_code == 404
    assert as_collaborator.get("/api/v1/payments/").json()["count"] == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"hours": "-1"}, "hours"),
        ({"hours": "30"}, "hours"),
        ({"hours": "7"}, "hours"),  # the session lasts 6 hours
        ({"hours": "many"}, "hours"),
        ({"doubles": ["flute"], "instrument": ""}, "doubles"),
        ({"doubles": ["tenor sax"], "instrument": "tenor sax"}, "doubles"),
        ({"doubles": ["flute", "flute"], "instrument": "sax"}, "doubles"),
        ({"doubles": "flute"}, "doubles"),
        ({"doubles": ["flute"], "instrument": "desk", "role": "engineer"}, "doubles"),
        ({"role": "soloist"}, "role"),
        ({"person": 999999}, "person"),
    ],
)
def test_bad_engagement_input(
    as_owner: APIClient,
    session: Session,
    player: Person,
    union: RateRule,
    change: dict[str, Any],
    field: str,
) -> None:
    response = engage(as_owner, session, player, union, **change)
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not Engagement.objects.exists()
    assert not Payment.objects.exists()


def test_same_person_twice_in_one_role(
    as_owner: APIClient, session: Session, player: Person, union: RateRule
) -> None:
    assert engage(as_owner, session, player, union).status_code == 201
    again = engage(as_owner, session, player, union)
    assert again.status_code == 400
    assert "already on this session as musician" in again.json()["person"][0]
    assert engage(as_owner, session, player, union, role="leader").status_code == 201


def test_a_rule_missing_a_parameter(as_owner: APIClient, project: Project) -> None:
    response = as_owner.post(
        "/api/v1/rate-rules/",
        {
            "project": project.pk,
            "name": "Broken",
            "kind": "hourly",
            "currency": "EUR",
            "params": {"rate": "60"},
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["params"] == {"minimum_hours": "Required."}
    ok = as_owner.post(
        "/api/v1/rate-rules/",
        {
            "project": project.pk,
            "name": "Hourly",
            "kind": "hourly",
            "currency": "EUR",
            "params": {"rate": 60, "minimum_hours": "3"},
        },
        format="json",
    )
    assert ok.status_code == 201
    assert ok.json()["params"] == {"rate": "60", "minimum_hours": "3"}


def test_presets_are_read_only(as_owner: APIClient, union: RateRule) -> None:
    assert as_owner.get(f"/api/v1/rate-rules/{union.pk}/").json()["verified"] is False
    assert (
        as_owner.patch(
            f"/api/v1/rate-rules/{union.pk}/", {"name": "Mine"}, format="json"
        ).status_code
        == 403
    )
    assert as_owner.delete(f"/api/v1/rate-rules/{union.pk}/").status_code == 403


@pytest.mark.parametrize("null_project", [True, False])
def test_nobody_writes_a_preset(as_outsider: APIClient, null_project: bool) -> None:
    body: dict[str, object] = {
        "name": "Global",
        "kind": "flat",
        "currency": "EUR",
        "params": {"amount": "100"},
    }
    if null_project:
        body["project"] = None
    response = as_outsider.post("/api/v1/rate-rules/", body, format="json")
    assert response.status_code == 400
    assert "project" in response.json()
    assert not RateRule.objects.filter(name="Global").exists()


def test_approve_and_pay(
    as_owner: APIClient, project: Project, session: Session, player: Person, union: RateRule
) -> None:
    created = engage(as_owner, session, player, union).json()
    payment = Payment.objects.get(engagement_id=created["id"])
    accountant = UserFactory.create()
    MembershipFactory.create(project=project, user=accountant, role=Role.ACCOUNTANT)
    books = api_client_for(accountant)
    url = f"/api/v1/payments/{payment.pk}/"

    early = books.post(
        url + "pay/", {"paid_on": str(today()), "method": "bank_transfer"}, format="json"
    )
    assert early.status_code == 409
    assert books.post(url + "approve/").json()["status"] == "approved"
    # Approved money is agreed: the engagement behind it no longer changes.
    changed = as_owner.patch(f"/api/v1/engagements/{created['id']}/", {"hours": "4"}, format="json")
    assert changed.status_code == 409
    assert as_owner.delete(f"/api/v1/engagements/{created['id']}/").status_code == 409

    assert (
        books.post(
            url + "pay/", {"paid_on": "someday", "method": "bank_transfer"}, format="json"
        ).status_code
        == 400
    )
    assert (
        books.post(
            url + "pay/", {"paid_on": str(today()), "method": "barter"}, format="json"
        ).status_code
        == 400
    )
    paid = books.post(
        url + "pay/",
        {"paid_on": str(today()), "method": "bank_transfer", "reference": "TX-77"},
        format="json",
    )
    assert paid.status_code == 200
    assert (paid.json()["status"], paid.json()["reference"]) == ("paid", "TX-77")
    # An engineer runs sessions but neither approves nor sees pay (money is need-to-know).
    engineer = UserFactory.create()
    MembershipFactory.create(project=project, user=engineer, role=Role.ENGINEER)
    as_engineer = api_client_for(engineer)
    assert as_engineer.get(url).status_code == 404
    engagement = f"/api/v1/engagements/{created['id']}/"
    assert as_engineer.get(engagement).json()["wages"] is None
    assert as_engineer.get(engagement + "quote/").status_code == 403
    assert as_engineer.get(engagement + "statement/").status_code == 403


def test_pending_engagement_can_change_and_go(
    as_owner: APIClient, session: Session, player: Person, union: RateRule
) -> None:
    created = engage(as_owner, session, player, union).json()
    changed = as_owner.patch(f"/api/v1/engagements/{created['id']}/", {"hours": "4"}, format="json")
    assert changed.status_code == 200
    assert Payment.objects.get().amount == Decimal(changed.json()["wages"])
    assert as_owner.delete(f"/api/v1/engagements/{created['id']}/").status_code == 204
    assert not Payment.objects.exists()


def test_takes_and_gear_checks(as_owner: APIClient, session: Session, room: Room) -> None:
    first = as_owner.post(
        "/api/v1/takes/", {"session": session.pk, "song_name": "Low Tide"}, format="json"
    )
    second = as_owner.post(
        "/api/v1/takes/",
        {"session": session.pk, "song_name": "Low Tide", "keeper": True},
        format="json",
    )
    assert (first.json()["number"], second.json()["number"]) == (1, 2)
    duplicate = as_owner.post(
        "/api/v1/takes/",
        {"session": session.pk, "song_name": "Low Tide", "number": 2},
        format="json",
    )
    assert duplicate.status_code == 400
    assert "number" in duplicate.json()
    assert (
        as_owner.post(
            "/api/v1/takes/", {"session": session.pk, "song_name": "X", "rating": 6}, format="json"
        ).status_code
        == 400
    )

    mic = GearFactory.create(studio=room.studio, room=room, name="Tube mic")
    silent = as_owner.post(
        "/api/v1/gear-checks/",
        {"session": session.pk, "gear": mic.pk, "result": "fault"},
        format="json",
    )
    assert silent.status_code == 400
    assert "note" in silent.json()
    fault = as_owner.post(
        "/api/v1/gear-checks/",
        {"session": session.pk, "gear": mic.pk, "result": "fault", "note": "Hums"},
        format="json",
    )
    assert fault.status_code == 201
    mic.refresh_from_db()
    assert mic.status == Gear.Status.NEEDS_SERVICE
    foreign = GearFactory.create()
    assert (
        as_owner.post(
            "/api/v1/gear-checks/", {"session": session.pk, "gear": foreign.pk}, format="json"
        ).status_code
        == 400
    )

    # Edits keep the rules of creation.
    clash = as_owner.patch(f"/api/v1/takes/{first.json()['id']}/", {"number": 2}, format="json")
    assert clash.json() == {"number": ["Low Tide already has a take 2 in this session."]}
    renumbered = as_owner.patch(
        f"/api/v1/takes/{first.json()['id']}/", {"number": 3, "rating": 4}, format="json"
    )
    assert (renumbered.json()["number"], renumbered.json()["rating"]) == (3, 4)
    amp = GearFactory.create(studio=room.studio, room=room, name="Amp")
    check = f"/api/v1/gear-checks/{fault.json()['id']}/"
    moved = as_owner.patch(check, {"gear": amp.pk}, format="json")
    assert moved.json() == {"gear": ["A check stays with its gear: record a new one."]}
    fixed = as_owner.patch(check, {"result": "ok", "note": ""}, format="json")
    assert (fixed.status_code, fixed.json()["id"]) == (200, fault.json()["id"])
    assert GearCheck.objects.filter(session=session).count() == 1


def test_a_gear_check_says_its_result(as_owner: APIClient, session: Session, room: Room) -> None:
    # Without one the service was called short of an argument: a 500.
    mic = GearFactory.create(studio=room.studio, room=room, name="Tube mic")
    response = as_owner.post(
        "/api/v1/gear-checks/", {"session": session.pk, "gear": mic.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"result": ["This field is required."]}
    assert not GearCheck.objects.exists()


def test_session_edits_keep_the_rules(
    as_owner: APIClient,
    owner: Any,
    session: Session,
    player: Person,
    union: RateRule,
    room: Room,
) -> None:
    url = f"/api/v1/sessions/{session.pk}/"
    booking_id = session.booking_id
    elsewhere = ProjectFactory.create(currency="USD")
    MembershipFactory.create(project=elsewhere, user=owner, role=Role.PRODUCER)
    start = day(10) + datetime.timedelta(days=7)
    [theirs] = studio_services.booking_create(
        by=owner, room=room, project=elsewhere, start=start, end=start + datetime.timedelta(hours=2)
    )
    other = as_owner.patch(url, {"booking": theirs.pk}, format="json")
    assert other.json() == {"booking": ["The booking belongs to another project."]}
    assert engage(as_owner, session, player, union, hours="5").status_code == 201
    short = as_owner.patch(url, {"end": day(13).isoformat()}, format="json")
    assert short.json() == {"end": ["A player is engaged for 5 h; the session is shorter."]}
    longer = as_owner.patch(url, {"end": day(17).isoformat()}, format="json")
    assert longer.status_code == 200
    session.refresh_from_db()
    assert session.booking_id == booking_id
    assert session.end == day(17)


def test_bad_sessions(as_owner: APIClient, project: Project, room: Room) -> None:
    backwards = as_owner.post(
        "/api/v1/sessions/",
        {
            "project": project.pk,
            "room": room.pk,
            "title": "X",
            "start": day(18).isoformat(),
            "end": day(17).isoformat(),
        },
        format="json",
    )
    assert backwards.status_code == 400
    assert "end" in backwards.json()
    naive = as_owner.post(
        "/api/v1/sessions/",
        {
            "project": project.pk,
            "title": "X",
            "start": day(18).replace(tzinfo=None).isoformat(),
            "end": day(19).isoformat(),
        },
        format="json",
    )
    assert naive.status_code == 400
    without = as_owner.post(
        "/api/v1/sessions/", {"project": project.pk, "title": "X"}, format="json"
    )
    assert without.status_code == 400
    assert not Session.objects.exists()


def test_list_query_counts(
    as_owner: APIClient,
    project: Project,
    session: Session,
    union: RateRule,
    django_assert_num_queries: Any,
) -> None:
    for _ in range(8):
        engage(as_owner, session, PersonFactory.create(projects=[project]), union)
    # money projects, count, page with everything joined (the session filter looks nothing up)
    with django_assert_num_queries(3):
        rows = as_owner.get("/api/v1/engagements/", {"session": session.pk}).json()
    assert rows["count"] == 8
    with django_assert_num_queries(2):
        assert as_owner.get("/api/v1/payments/").json()["count"] == 8


def test_payee_details(
    as_owner: APIClient,
    as_collaborator: APIClient,
    as_outsider: APIClient,
    player: Person,
    session: Session,
    union: RateRule,
) -> None:
    # Payee details are the person's own or their payers': the owner engages the player first.
    engage(as_owner, session, player, union)
    created = as_owner.post(
        "/api/v1/payees/",
        {"person": player.pk, "tax_status": "vat", "vat_number": "de 136 695 976"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["vat_number"] == "DE136695976"  # checked and normalised
    bad = as_owner.patch(
        f"/api/v1/payees/{created.json()['id']}/", {"vat_number": "DE123"}, format="json"
    )
    assert bad.status_code == 400
    assert "vat_number" in bad.json()
    missing = as_owner.patch(
        f"/api/v1/payees/{created.json()['id']}/", {"vat_number": ""}, format="json"
    )
    assert missing.status_code == 400
    assert (
        as_owner.patch(
            f"/api/v1/payees/{created.json()['id']}/",
            {"tax_status": "w9", "vat_number": ""},
            format="json",
        ).status_code
        == 200
    )
    # Pay details are need-to-know: a viewer and an outsider do not see them.
    assert as_collaborator.get("/api/v1/payees/").json()["count"] == 0
    assert as_outsider.get(f"/api/v1/payees/{created.json()['id']}/").status_code == 404
    assert (
        as_outsider.post(
            "/api/v1/payees/", {"person": player.pk, "tax_status": "w9"}, format="json"
        ).status_code
        == 400
    )


def test_rule_in_another_currency_is_refused(
    as_owner: APIClient, project: Project, session: Session, player: Person
) -> None:
    euros = RateRule.objects.create(
        project=project,
        name="Euro hourly",
        kind="hourly",
        currency="EUR",
        params={"rate": "60", "minimum_hours": "3"},
    )
    response = engage(as_owner, session, player, euros)
    assert response.status_code == 400
    assert "pays in EUR, the project is in USD" in response.json()["rate_rule"][0]
    assert not Engagement.objects.exists()


def test_payments_csv(
    as_owner: APIClient,
    as_collaborator: APIClient,
    session: Session,
    player: Person,
    union: RateRule,
) -> None:
    engage(as_owner, session, player, union)
    body = (
        as_owner.get("/api/v1/payments/export/", {"status": "pending"})
        .content.decode()
        .splitlines()
    )
    assert body[0] == "created,person,project,amount,currency,status,paid_on,method,reference"
    assert ",Ezra Winds,Low Tide,418.62,USD,pending,,," in body[1]  # 3 h at scale
    assert as_collaborator.get("/api/v1/payments/export/").content.decode().splitlines()[1:] == []
