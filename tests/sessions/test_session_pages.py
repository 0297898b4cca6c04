"""The session sheet as a page: started from a booking, players with a live quote, approve and
pay, the take log, the gear checklist; who may do what; queries pinned."""

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from projects.models import Person, Project, Role
from sessions import services
from sessions.models import Engagement, GearCheck, PayeeDetails, Payment, RateRule, Session, Take
from studio import services as studio_services
from studio.models import Booking, Gear, Room
from tests.clock import today, upcoming
from tests.factories import GearFactory, MembershipFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def engineer(project: Project) -> Any:
    user = UserFactory.create(username="engineer")
    MembershipFactory.create(project=project, user=user, role=Role.ENGINEER)
    return user


@pytest.fixture
def gear(room: Room) -> list[Gear]:
    return [
        GearFactory.create(studio=room.studio, room=room, name="Condenser mic"),
        GearFactory.create(studio=room.studio, room=room, name="Preamp"),
    ]


def add_player(client: Client, session: Session, who: Person, rule: RateRule, **extra: Any) -> Any:
    data = {"person": who.pk, "role": "musician", "hours": "3", "rate_rule": rule.pk, **extra}
    return client.post(f"/sessions/{session.pk}/players/", data, **extra.pop("headers", {}))


def engaged(session: Session, who: Person, rule: RateRule, hours: str = "3") -> Engagement:
    return services.engagement_save(
        session=session, person=who, rate_rule=rule, role="musician", hours=Decimal(hours)
    )


# --- who may -----------------------------------------------------------------------------------


def test_sheet_by_role(
    owner: Any,
    engineer: Any,
    collaborator: Any,
    outsider: Any,
    session: Session,
    player: Person,
    union: RateRule,
) -> None:
    engaged(session, player, union)
    producer_page = client_for(owner).get(f"/sessions/{session.pk}/").content.decode()
    assert "Add player" in producer_page and "Log take" in producer_page
    assert "418.62 USD" in producer_page and "Approve…" in producer_page

    # The engineer runs the sheet but sees no amounts (money is need-to-know, as in the API).
    engineer_page = client_for(engineer).get(f"/sessions/{session.pk}/").content.decode()
    assert "Add player" in engineer_page and "Log take" in engineer_page
    assert "Ezra Winds" in engineer_page
    assert "418.62" not in engineer_page and "Approve…" not in engineer_page
    assert "Quote" not in engineer_page

    viewer_page = client_for(collaborator).get(f"/sessions/{session.pk}/").content.decode()
    assert "Ezra Winds" in viewer_page
    assert "Add player" not in viewer_page and "Log take" not in viewer_page

    assert client_for(outsider).get(f"/sessions/{session.pk}/").status_code == 404


def test_writes_refused_to_a_viewer_and_hidden_from_an_outsider(
    collaborator: Any, outsider: Any, session: Session, player: Person, union: RateRule
) -> None:
    engagement = engaged(session, player, union)
    writes = [
        (f"/sessions/{session.pk}/players/", {"person": player.pk}),
        (f"/sessions/{session.pk}/players/quote/", {}),
        (f"/sessions/{session.pk}/takes/", {"song_name": "Low Tide"}),
        (f"/sessions/{session.pk}/gear/", {}),
        (f"/sessions/{session.pk}/status/", {"status": "completed"}),
        (f"/sessions/players/{engagement.pk}/", {"hours": "2"}),
        (f"/sessions/players/{engagement.pk}/remove/", {}),
        (f"/sessions/payments/{engagement.payment.pk}/approve/", {}),
        (f"/sessions/payments/{engagement.payment.pk}/pay/", {}),
        (f"/bookings/{session.booking_id}/session/", {}),
    ]
    for url, data in writes:
        assert client_for(collaborator).post(url, data).status_code == 403, url
        assert client_for(outsider).post(url, data).status_code == 404, url
    assert Engagement.objects.get().hours == Decimal("3.00")
    assert not Take.objects.exists() and not GearCheck.objects.exists()


def test_set_the_status(engineer: Any, session: Session) -> None:
    client = client_for(engineer)
    done = client.post(f"/sessions/{session.pk}/status/", {"status": "in_progress"}, follow=True)
    assert "The session is in progress." in done.content.decode()
    session.refresh_from_db()
    assert session.status == Session.Status.IN_PROGRESS
    refused = client.post(f"/sessions/{session.pk}/status/", {"status": "finished"})
    assert 'id="status-error">Select a valid choice.' in refused.content.decode()
    session.refresh_from_db()
    assert session.status == Session.Status.IN_PROGRESS


# --- starting a session from a booking ---------------------------------------------------------


@pytest.fixture
def booking(owner: Any, room: Room, project: Project) -> Booking:
    start = upcoming(days=14, hour=10, zone=BERLIN)
    [booking] = studio_services.booking_create(
        by=owner,
        room=room,
        project=project,
        start=start,
        end=start + datetime.timedelta(hours=8),
        title="Strings",
    )
    return booking


def test_start_a_session_from_a_booking(
    engineer: Any, collaborator: Any, outsider: Any, booking: Booking
) -> None:
    client = client_for(engineer)
    assert client.get(f"/bookings/{booking.pk}/session/").json() == {
        "session": None,
        "start": f"/bookings/{booking.pk}/session/",
    }
    # A viewer may look but not start; an outsider does not see the booking at all.
    assert client_for(collaborator).get(f"/bookings/{booking.pk}/session/").json() == {
        "session": None,
        "start": None,
    }
    assert client_for(outsider).get(f"/bookings/{booking.pk}/session/").status_code == 404

    response = client.post(f"/bookings/{booking.pk}/session/")
    session = Session.objects.get(booking=booking)
    assert response.status_code == 302 and response["Location"] == f"/sessions/{session.pk}/"
    assert (session.title, session.room, session.start, session.end) == (
        "Strings",
        booking.room,
        booking.start,
        booking.end,
    )
    # Started twice, it opens the one session.
    again = client.post(f"/bookings/{booking.pk}/session/")
    assert again["Location"] == f"/sessions/{session.pk}/"
    assert Session.objects.filter(booking=booking).count() == 1
    assert client.get(f"/bookings/{booking.pk}/session/").json() == {
        "session": f"/sessions/{session.pk}/",
        "start": None,
    }
    page = client.get(f"/sessions/{session.pk}/").content.decode()
    assert "open it on the calendar" in page and f"?room={booking.room_id}" in page


def test_project_sessions_lists_days_to_start(
    owner: Any, collaborator: Any, booking: Booking, project: Project
) -> None:
    page = client_for(owner).get(f"/projects/{project.pk}/sessions/").content.decode()
    assert "Studio days without a session" in page and "Start session" in page
    viewer = client_for(collaborator).get(f"/projects/{project.pk}/sessions/").content.decode()
    assert "Strings" in viewer and "Start session" not in viewer


def test_dashboard_rows_start_or_open_their_session(
    owner: Any, collaborator: Any, room: Room, project: Project
) -> None:
    soon = datetime.datetime.now(tz=BERLIN).replace(microsecond=0) + datetime.timedelta(hours=2)
    [first] = studio_services.booking_create(
        by=owner, room=room, project=project, start=soon, end=soon + datetime.timedelta(hours=2)
    )
    later = soon + datetime.timedelta(days=1)
    [second] = studio_services.booking_create(
        by=owner, room=room, project=project, start=later, end=later + datetime.timedelta(hours=2)
    )
    session = services.session_create(project=project, booking=second, title="Day two")
    page = client_for(owner).get("/").content.decode()
    assert f'action="/bookings/{first.pk}/session/"' in page
    assert f'href="/sessions/{session.pk}/"' in page
    viewer = client_for(collaborator).get("/").content.decode()
    assert f'action="/bookings/{first.pk}/session/"' not in viewer
    assert f'href="/sessions/{session.pk}/"' in viewer


# --- players -----------------------------------------------------------------------------------


def test_add_a_player(owner: Any, session: Session, player: Person, union: RateRule) -> None:
    response = add_player(client_for(owner), session, player, union, instrument="tenor sax")
    assert response.status_code == 302
    assert response["Location"] == f"/sessions/{session.pk}/#players"
    engagement = Engagement.objects.get()
    assert (engagement.person, engagement.hours, engagement.wages) == (
        player,
        Decimal("3.00"),
        Decimal("418.62"),
    )
    assert Payment.objects.get().status == Payment.Status.PENDING


def test_add_a_player_with_htmx_swaps_the_players(
    owner: Any, session: Session, player: Person, union: RateRule
) -> None:
    response = client_for(owner).post(
        f"/sessions/{session.pk}/players/",
        {"person": player.pk, "role": "musician", "hours": "3", "rate_rule": union.pk},
        **HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="players"')
    assert "Added Ezra Winds." in body and "418.62 USD" in body
    assert "<html" not in body


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"hours": "7"}, "hours", "More hours than the session lasts (6 h)."),
        ({"doubles": "flute", "instrument": ""}, "doubles", "Doubles need a main instrument"),
        ({"hours": "-1"}, "hours", "greater than or equal to 0"),
    ],
)
def test_a_refused_player_is_told_beside_the_field(
    owner: Any,
    session: Session,
    player: Person,
    union: RateRule,
    extra: dict[str, str],
    field: str,
    words: str,
) -> None:
    response = add_player(client_for(owner), session, player, union, **extra)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="id_{field}-error">' in body
    error = body.split(f'id="id_{field}-error">')[1].split("</p>")[0]
    assert words in error
    assert not Engagement.objects.exists() and not Payment.objects.exists()


def test_the_same_player_twice_is_refused_beside_the_player(
    owner: Any, session: Session, player: Person, union: RateRule
) -> None:
    engaged(session, player, union)
    body = add_player(client_for(owner), session, player, union).content.decode()
    assert 'id="id_person-error">Ezra Winds is already on this session as musician.' in body
    assert Engagement.objects.count() == 1


def test_live_quote_follows_the_hours(
    owner: Any, engineer: Any, session: Session, player: Person, union: RateRule
) -> None:
    url = f"/sessions/{session.pk}/players/quote/"
    data = {"person": player.pk, "role": "musician", "hours": "3", "rate_rule": union.pk}
    three = client_for(owner).post(url, data, **HTMX).content.decode()
    assert "3 h basic session" in three and "418.62" in three
    four = client_for(owner).post(url, {**data, "hours": "4"}, **HTMX).content.decode()
    assert "3 h basic session" in four and "2 overtime units at 104.66" in four
    incomplete = client_for(owner).post(url, {**data, "hours": ""}, **HTMX).content.decode()
    assert "Pick the player, hours and rate rule to see the fee." in incomplete
    refused = client_for(owner).post(url, {**data, "hours": "9"}, **HTMX).content.decode()
    assert "Hours: More hours than the session lasts (6 h)." in refused
    # Nothing is saved by a quote; an engineer does not see pay, so gets no quote.
    assert not Engagement.objects.exists()
    assert client_for(engineer).post(url, data, **HTMX).status_code == 403


def test_edit_and_remove_a_player_while_pending(
    owner: Any, session: Session, player: Person, union: RateRule
) -> None:
    engagement = engaged(session, player, union)
    client = client_for(owner)
    page = client.get(f"/sessions/players/{engagement.pk}/").content.decode()
    assert 'value="3"' in page and "Remove Ezra Winds from the session" in page
    assert "the pending payment of 418.62 USD with it" in page
    response = client.post(
        f"/sessions/players/{engagement.pk}/",
        {"person": player.pk, "role": "musician", "hours": "4", "rate_rule": union.pk},
    )
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.hours == Decimal("4.00")
    assert Payment.objects.get().amount == engagement.wages > Decimal("418.62")
    refused = client.post(
        f"/sessions/players/{engagement.pk}/",
        {"person": player.pk, "role": "musician", "hours": "9", "rate_rule": union.pk},
    )
    assert 'id="id_hours-error">More hours than the session lasts' in refused.content.decode()
    engagement.refresh_from_db()
    assert engagement.hours == Decimal("4.00")

    assert client.post(f"/sessions/players/{engagement.pk}/remove/").status_code == 302
    assert not Engagement.objects.exists() and not Payment.objects.exists()


def test_an_approved_engagement_is_fixed(
    owner: Any, session: Session, player: Person, union: RateRule
) -> None:
    engagement = engaged(session, player, union)
    services.payment_approve(payment=engagement.payment, by=owner)
    client = client_for(owner)
    sheet = client.get(f"/sessions/{session.pk}/").content.decode()
    assert "Fixed: approved" in sheet and f"/sessions/players/{engagement.pk}/" not in sheet
    page = client.get(f"/sessions/players/{engagement.pk}/").content.decode()
    assert "This engagement is fixed: its payment is approved" in page
    assert "Remove Ezra Winds" not in page
    refused = client.post(
        f"/sessions/players/{engagement.pk}/",
        {"person": player.pk, "role": "musician", "hours": "4", "rate_rule": union.pk},
    )
    assert refused.status_code == 200
    assert "the engagement can no longer change" in refused.content.decode()
    removed = client.post(f"/sessions/players/{engagement.pk}/remove/", follow=True)
    assert "keep the record" in removed.content.decode()
    engagement.refresh_from_db()
    assert engagement.hours == Decimal("3.00")


# --- approve and pay ---------------------------------------------------------------------------


def test_approve_then_pay_asks_first(
    owner: Any, engineer: Any, session: Session, player: Person, union: RateRule
) -> None:
    payment = engaged(session, player, union).payment
    client = client_for(owner)
    ask = client.get(f"/sessions/payments/{payment.pk}/approve/").content.decode()
    assert "Approve 418.62 USD for Ezra Winds?" in ask and "the amount is fixed" in ask
    assert client_for(engineer).get(f"/sessions/payments/{payment.pk}/approve/").status_code == 403
    assert client_for(engineer).post(f"/sessions/payments/{payment.pk}/approve/").status_code == 403
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING

    assert client.post(f"/sessions/payments/{payment.pk}/approve/").status_code == 302
    payment.refresh_from_db()
    assert (payment.status, payment.approved_by) == (Payment.Status.APPROVED, owner)
    twice = client.post(f"/sessions/payments/{payment.pk}/approve/").content.decode()
    assert "The payment is already approved." in twice

    ask = client.get(f"/sessions/payments/{payment.pk}/pay/").content.decode()
    assert "Pay 418.62 USD to Ezra Winds?" in ask
    assert client_for(engineer).post(f"/sessions/payments/{payment.pk}/pay/").status_code == 403
    paid_on = today()
    refused = client.post(
        f"/sessions/payments/{payment.pk}/pay/", {"paid_on": str(paid_on), "method": "barter"}
    ).content.decode()
    assert 'id="id_method-error">Select a valid choice.' in refused
    payment.refresh_from_db()
    assert payment.status == Payment.Status.APPROVED
    done = client.post(
        f"/sessions/payments/{payment.pk}/pay/",
        {"paid_on": str(paid_on), "method": "bank_transfer", "reference": "TX-1"},
        follow=True,
    ).content.decode()
    assert f"Paid 418.62 USD to Ezra Winds on {paid_on:%d %b %Y}." in done
    payment.refresh_from_db()
    assert (payment.status, payment.paid_on, payment.method, payment.reference) == (
        Payment.Status.PAID,
        paid_on,
        "bank_transfer",
        "TX-1",
    )


def test_paying_a_pending_payment_is_refused(
    owner: Any, session: Session, player: Person, union: RateRule
) -> None:
    payment = engaged(session, player, union).payment
    refused = client_for(owner).post(
        f"/sessions/payments/{payment.pk}/pay/", {"paid_on": "2026-12-04", "method": "cash"}
    )
    assert "Only an approved payment can be paid" in refused.content.decode()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


# --- takes -------------------------------------------------------------------------------------


def test_log_takes_numbered_and_ready_for_the_next(engineer: Any, session: Session) -> None:
    client = client_for(engineer)
    url = f"/sessions/{session.pk}/takes/"
    first = client.post(url, {"song_name": "Low Tide", "rating": "3", "notes": "rushed"})
    assert first.status_code == 302 and first["Location"] == f"/sessions/{session.pk}/#takes"
    second = client.post(url, {"song_name": "Low Tide", "keeper": "on", "notes": "good"}, **HTMX)
    body = second.content.decode()
    assert body.lstrip().startswith('<section id="takes"')
    assert "Logged Low Tide take 2." in body
    # Ready for the next: same song, take 3, focus back on the notes.
    song = Take.objects.get(number=1).song
    assert song is not None and song.title == "Low Tide"
    assert f'<option value="{song.pk}" selected>Low Tide</option>' in body
    assert 'name="number" value="3"' in body
    assert 'name="notes" id="id_notes" maxlength="2000" autocomplete="off" autofocus' in body
    assert [(t.song_name, t.number, t.keeper) for t in Take.objects.order_by("number")] == [
        ("Low Tide", 1, False),
        ("Low Tide", 2, True),
    ]


def test_a_taken_number_is_refused_beside_it(owner: Any, session: Session) -> None:
    services.take_create(session=session, song_name="Low Tide")
    body = (
        client_for(owner)
        .post(f"/sessions/{session.pk}/takes/", {"song_name": "Low Tide", "number": "1"})
        .content.decode()
    )
    assert 'id="take-number-error">Low Tide already has a take 1 in this session.' in body
    assert Take.objects.count() == 1


# --- gear --------------------------------------------------------------------------------------


def test_gear_checklist_with_a_fault(owner: Any, session: Session, gear: list[Gear]) -> None:
    mic, preamp = gear
    client = client_for(owner)
    page = client.get(f"/sessions/{session.pk}/").content.decode()
    assert "Condenser mic" in page and "Save gear check" in page
    data = {
        f"result_{mic.pk}": "fault",
        f"note_{mic.pk}": "Crackles on the pad",
        f"result_{preamp.pk}": "ok",
        f"note_{preamp.pk}": "",
    }
    response = client.post(f"/sessions/{session.pk}/gear/", data, **HTMX)
    assert "Gear checked: 2 items, 1 sent to service." in response.content.decode()
    assert {(c.gear.name, c.result) for c in GearCheck.objects.select_related("gear")} == {
        ("Condenser mic", "fault"),
        ("Preamp", "ok"),
    }
    mic.refresh_from_db()
    assert mic.status == Gear.Status.NEEDS_SERVICE


def test_a_fault_without_a_note_writes_nothing(
    owner: Any, session: Session, gear: list[Gear]
) -> None:
    mic, preamp = gear
    data = {f"result_{mic.pk}": "ok", f"result_{preamp.pk}": "fault", f"note_{preamp.pk}": ""}
    body = client_for(owner).post(f"/sessions/{session.pk}/gear/", data).content.decode()
    assert "Say what is wrong." in body
    assert body.index("Say what is wrong.") > body.index("<legend>Preamp")
    assert not GearCheck.objects.exists()
    preamp.refresh_from_db()
    assert preamp.status == Gear.Status.AVAILABLE


# --- queries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 15])
def test_sheet_queries_do_not_grow(
    owner: Any,
    session: Session,
    project: Project,
    union: RateRule,
    gear: list[Gear],
    rows: int,
    django_assert_num_queries: Any,
) -> None:
    for n in range(rows):
        who = PersonFactory.create(name=f"Player {n:02d}", projects=[project])
        engaged(session, who, union)
        services.take_create(session=session, song_name=f"Song {n % 3}", keeper=n == 0)
    services.gear_check_record(session=session, gear=gear[0], result="ok")
    client = client_for(owner)
    # session, user, the session, role; players, takes, checks, gear to check; the take form's
    # songs and parts; the player and rate-rule choices of the add form; the menu's "sees money"
    with django_assert_num_queries(13):
        response = client.get(f"/sessions/{session.pk}/")
    assert response.content.decode().count("/statement/") == rows


# --- services for rate rules and payees -------------------------------------------------------


def test_rate_rule_services_check_the_parameters(project: Project) -> None:
    rule = services.rate_rule_create(
        project=project,
        name="Session hourly",
        kind="hourly",
        currency="USD",
        params={"rate": "80", "minimum_hours": "3"},
    )
    assert rule.params == {"rate": "80", "minimum_hours": "3"}
    with pytest.raises(ValidationError) as refused:
        services.rate_rule_update(rule=rule, params={"rate": "-5"})
    assert "params" in refused.value.message_dict
    rule.refresh_from_db()
    assert rule.params["rate"] == "80"


def test_payee_save_checks_the_vat_number(player: Person) -> None:
    with pytest.raises(ValidationError) as refused:
        services.payee_save(person=player, tax_status="vat", vat_number="DE123")
    assert "vat_number" in refused.value.message_dict
    assert not PayeeDetails.objects.exists()
    saved = services.payee_save(person=player, tax_status="non_us", legal_name="E. Winds")
    assert (saved.tax_status, saved.legal_name) == ("non_us", "E. Winds")
    assert services.payee_save(person=player, tax_status="w9").pk == saved.pk
