"""Call sheets: what they say (who, when in the studio's zone, where, what to bring, whom to
call), sent from the sheet's page on request and the evening before by the beat task, once."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from projects.models import Membership, NoticeKind, NoticePreference, Project, Role
from sessions import call_sheets
from sessions.models import Engagement, RateRule, Session
from studio import services
from studio.models import Gear
from tests.factories import GearFactory, PersonFactory, RoomFactory, StudioFactory, UserFactory

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def session(owner: Any, project: Project) -> Session:
    """Tomorrow 10:00–16:00 in New York, on a booking with an engineer and a gear item, two
    players (one carting a vibraphone)."""
    owner.email = "owner@example.com"
    owner.save()
    PersonFactory.create(name="Pat Producer", user=owner, projects=[project], phone="+1 555 0100")
    studio = StudioFactory.create(
        name="Sear Test", time_zone="America/New_York", address="353 W 48th St\nNew York"
    )
    room = RoomFactory.create(studio=studio, name="Room A")
    mic = GearFactory.create(
        studio=studio, room=room, name="U 47", category=Gear.Category.MICROPHONE
    )
    engineer = PersonFactory.create(name="Eno Desk", projects=[project], phone="+1 555 0101")
    date = (timezone.now() + datetime.timedelta(days=3)).astimezone(NEW_YORK).date()
    start = datetime.datetime.combine(date, datetime.time(10), tzinfo=NEW_YORK)
    [booking] = services.booking_create(
        by=owner,
        room=room,
        project=project,
        start=start,
        end=start + datetime.timedelta(hours=6),
        engineer=engineer,
        gear=[mic],
    )
    made = Session.objects.create(
        project=project,
        booking=booking,
        room=room,
        title="Vibes and bass",
        start=booking.start,
        end=booking.end,
        notes="Bring charts for 'Low Tide'.",
    )
    rule = RateRule.objects.create(name="Flat", kind="flat", currency="USD", params={})
    for name, instrument, cartage in (
        ("Vera Mallets", "vibraphone", ["vibraphone"]),
        ("Bo Lowend", "bass", []),
    ):
        Engagement.objects.create(
            session=made,
            person=PersonFactory.create(name=name, projects=[project]),
            instrument=instrument,
            doubles=["marimba"] if cartage else [],
            cartage=cartage,
            hours=Decimal(6),
            rate_rule=rule,
        )
    return made


def test_the_sheet_says_who_when_where_what_to_bring_and_whom_to_call(session: Session) -> None:
    sheet = call_sheets.call_sheet(session=session)
    assert sheet.start.tzinfo is not None and sheet.start.hour == 10
    assert sheet.zone == "America/New_York"
    assert (sheet.studio, sheet.room, sheet.address) == (
        "Sear Test",
        "Room A",
        "353 W 48th St, New York",
    )
    assert sheet.engineer == "Eno Desk"
    assert [(p.name, p.plays, p.brings) for p in sheet.players] == [
        ("Bo Lowend", "bass", ""),
        ("Vera Mallets", "vibraphone, marimba", "vibraphone"),
    ]
    assert sheet.gear == ["U 47"]
    assert [(c.what, c.name, c.phone) for c in sheet.contacts] == [
        ("Producer", "Pat Producer", "+1 555 0100"),
        ("Engineer", "Eno Desk", "+1 555 0101"),
    ]


def test_sent_on_request_to_players_and_engineer(
    client: Client, owner: Any, session: Session, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(owner)
    page = client.get(f"/sessions/{session.pk}/call-sheet/")
    assert page.status_code == 200
    assert b"Send to 3 people" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/sessions/{session.pk}/call-sheet/")
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == [
        "bo.lowend@example.com",
        "eno.desk@example.com",
        "vera.mallets@example.com",
    ]
    message = next(m for m in mail.outbox if m.to == ["vera.mallets@example.com"])
    assert message.subject.startswith("Call sheet: Vibes and bass")
    for line in (
        "10:00–16:00 (America/New_York)",
        "Sear Test, Room A",
        "353 W 48th St, New York",
        "Vera Mallets: Musician (vibraphone, marimba)",
        "Vera Mallets: vibraphone",
        "The studio has ready: U 47",
        "Bring charts for 'Low Tide'.",
        "Producer: Pat Producer, +1 555 0100",
    ):
        assert line in message.body, line
    [(filename, html, mimetype)] = message.attachments
    assert (filename, mimetype) == ("call-sheet.html", "text/html")
    assert "Vera Mallets" in html and "353 W 48th St" in html
    # A second press in the same minute sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/sessions/{session.pk}/call-sheet/")
    assert len(mail.outbox) == 3


def test_the_page_refuses_outsiders_and_roles_that_do_not_run_sessions(
    client: Client, collaborator: Any, outsider: Any, session: Session
) -> None:
    client.force_login(outsider)
    assert client.get(f"/sessions/{session.pk}/call-sheet/").status_code == 404
    assert client.post(f"/sessions/{session.pk}/call-sheet/").status_code == 404
    client.force_login(collaborator)  # a viewer
    assert client.get(f"/sessions/{session.pk}/call-sheet/").status_code == 403
    assert client.post(f"/sessions/{session.pk}/call-sheet/").status_code == 403
    assert mail.outbox == []


def test_a_cancelled_session_gets_no_call_sheet(
    client: Client, owner: Any, session: Session
) -> None:
    Session.objects.filter(pk=session.pk).update(status=Session.Status.CANCELLED)
    client.force_login(owner)
    response = client.post(f"/sessions/{session.pk}/call-sheet/")
    assert response.status_code == 200
    assert b"no call sheet" in response.content
    assert mail.outbox == []


def test_sent_the_evening_before_once(
    session: Session, django_capture_on_commit_callbacks: Any
) -> None:
    NoticePreference.objects.create(
        person=Engagement.objects.get(session=session, instrument="bass").person,
        kind=NoticeKind.CALL_SHEET,
        enabled=False,
    )
    local_start = session.start.astimezone(NEW_YORK)
    eve = local_start.date() - datetime.timedelta(days=1)
    at = lambda hour, minute=0: datetime.datetime.combine(  # noqa: E731
        eve, datetime.time(hour, minute), tzinfo=NEW_YORK
    )
    two_days_before = at(18) - datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert call_sheets.call_sheets_send_due(now=two_days_before) == 0
        assert call_sheets.call_sheets_send_due(now=at(16, 45)) == 0
        assert call_sheets.call_sheets_send_due(now=at(17)) == 2
        assert call_sheets.call_sheets_send_due(now=at(17, 15)) == 0
        assert call_sheets.call_sheets_send_due(now=at(23, 45)) == 0
    assert sorted(m.to[0] for m in mail.outbox) == [
        "eno.desk@example.com",
        "vera.mallets@example.com",
    ]


def test_only_a_member_who_runs_sessions_sees_the_button(
    client: Client, owner: Any, collaborator: Any, session: Session
) -> None:
    client.force_login(owner)
    assert b"Send call sheet" in client.get(f"/sessions/{session.pk}/").content
    client.force_login(collaborator)
    assert b"Send call sheet" not in client.get(f"/sessions/{session.pk}/").content
    engineer_user = UserFactory.create(username="eng")
    Membership.objects.create(project=session.project, user=engineer_user, role=Role.ENGINEER)
    client.force_login(engineer_user)
    assert b"Send call sheet" in client.get(f"/sessions/{session.pk}/").content
