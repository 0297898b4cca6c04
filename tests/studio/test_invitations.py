"""Invitations to a studio day: confirmed, moved, cancelled. The engineer and the session's
players get one mail per change, each carrying an iTIP message with the booking's feed UID, a
growing SEQUENCE, METHOD:REQUEST then METHOD:CANCEL, and times ical.js reads as stored. The
holder is warned once before a hold lapses, and at once when a 2nd hold challenges it."""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from projects.models import Notice, NoticeKind, NoticePreference, Person, Project
from projects.notices import notice_sweep
from sessions.models import Engagement, RateRule, Session
from sessions.services import engagement_delete, engagement_save, session_update
from studio import invitations, services
from studio.feeds import build_feed
from studio.models import Booking, FeedToken
from tests.factories import PersonFactory, RoomFactory, StudioFactory, UserFactory

pytestmark = pytest.mark.django_db

READER = Path(__file__).resolve().parent.parent / "readers" / "ical_invitation.mjs"
ICALJS = Path(settings.BASE_DIR) / "node_modules" / "ical.js" / "package.json"
BERLIN = ZoneInfo("Europe/Berlin")


def read_with_icaljs(body: bytes) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None or not ICALJS.exists():
        message = "ical.js is not installed: run `make install` (node and npm)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run(  # noqa: S603 (our own script, no shell)
        [node, str(READER)], input=body, capture_output=True, check=True, timeout=60
    )
    return dict(json.loads(result.stdout))


def invitation(message: Any) -> tuple[str, bytes]:
    """The attached invite.ics and its content type; the inline alternative says the same."""
    [(name, content, mimetype)] = [a for a in message.attachments if a[0] == "invite.ics"]
    [(alternative, alt_type)] = message.alternatives
    assert alternative == content and alt_type == mimetype
    return mimetype, content.encode()


@pytest.fixture
def day(owner: Any, project: Project) -> dict[str, Any]:
    """A 1st hold ten days ahead, 10:00–18:00 in Berlin, with an engineer and a session with
    one player on it."""
    studio = StudioFactory.create(
        name="Hansa Test", managers=[owner], address="Köthener Str. 38\n10963 Berlin"
    )
    room = RoomFactory.create(studio=studio, name="Meistersaal")
    engineer = PersonFactory.create(name="Eno Desk", projects=[project])
    player = PersonFactory.create(name="Ezra Winds", projects=[project])
    date = (timezone.now() + datetime.timedelta(days=10)).astimezone(BERLIN).date()
    start = datetime.datetime.combine(date, datetime.time(10), tzinfo=BERLIN)
    [hold] = services.booking_create(
        by=owner,
        room=room,
        project=project,
        start=start,
        end=start + datetime.timedelta(hours=8),
        engineer=engineer,
    )
    session = Session.objects.create(
        project=project, booking=hold, room=room, title="Horns", start=hold.start, end=hold.end
    )
    rule = RateRule.objects.create(name="Flat", kind="flat", currency="EUR", params={})
    Engagement.objects.create(
        session=session, person=player, instrument="trumpet", hours=Decimal(8), rate_rule=rule
    )
    return {"hold": hold, "room": room, "engineer": engineer, "player": player}


def test_confirm_move_cancel_same_uid_growing_sequence(
    owner: Any, day: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    hold: Booking = day["hold"]
    original = hold.start
    assert mail.outbox == []  # a hold invites nobody
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_confirm(booking=hold)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_update(
            booking=hold,
            start=hold.start + datetime.timedelta(hours=2),
            end=hold.end + datetime.timedelta(hours=2),
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=hold)
    hold.refresh_from_db()

    by_person: dict[str, list[Any]] = {}
    for message in mail.outbox:
        by_person.setdefault(message.to[0], []).append(message)
    assert sorted(by_person) == ["eno.desk@example.com", "ezra.winds@example.com"]

    # What a subscribed calendar already shows for this booking: the feed's UID.
    feed = FeedToken.objects.create(owner=owner, kind="project", project=hold.project)
    feed_uids = {
        str(event["UID"])
        for event in Calendar.from_ical(build_feed(feed, Booking.objects.all())).walk("VEVENT")
    }
    for messages in by_person.values():
        assert [m.subject.split(":")[0] for m in messages] == [
            "Studio day",
            "Studio day",
            "Cancelled",
        ]
        read = []
        for message in messages:
            mimetype, ics = invitation(message)
            seen = read_with_icaljs(ics)
            [event] = seen["events"]
            assert mimetype == f"text/calendar; method={seen['method']}"
            read.append((seen["method"], event))
        assert [method for method, _ in read] == ["REQUEST", "REQUEST", "CANCEL"]
        uids = {event["uid"] for _, event in read}
        assert uids == {f"{hold.uid}@tracksheet"} and uids <= feed_uids
        sequences = [event["sequence"] for _, event in read]
        assert sequences == sorted(set(sequences)) and sequences[-1] == hold.sequence
        # Times as stored, in the studio's zone: 10:00 Berlin, then moved to 12:00.
        starts = [event["start"] for _, event in read]
        first = original.astimezone(datetime.UTC).replace(tzinfo=None)
        assert starts[0] == first.isoformat() + "Z"
        assert starts[1] == (first + datetime.timedelta(hours=2)).isoformat() + "Z"
        assert {event["zone"] for _, event in read} == {"Europe/Berlin"}
        assert read[0][1]["status"] == "CONFIRMED" and read[2][1]["status"] == "CANCELLED"
        assert read[0][1]["organizer"] == f"mailto:{settings.DEFAULT_FROM_EMAIL}"
        raw = messages[0].message().as_string()
        assert 'Content-Type: text/calendar; method="REQUEST"; charset="utf-8"' in raw
        assert 'Content-Disposition: attachment; filename="invite.ics"' in raw
        attendees = read[0][1]["attendees"]
        assert sorted(a["address"] for a in attendees) == [
            "mailto:eno.desk@example.com",
            "mailto:ezra.winds@example.com",
        ]
        assert {a["partstat"] for a in attendees} == {"NEEDS-ACTION"}
    body = by_person["ezra.winds@example.com"][0].body
    assert "Hansa Test, Meistersaal, Köthener Str. 38, 10963 Berlin" in body
    assert "10:00–18:00 (Europe/Berlin)" in body


def test_each_change_is_sent_once_even_when_told_twice(
    day: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_confirm(booking=day["hold"])
        invitations.booking_tell(booking=day["hold"], method=invitations.REQUEST)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_confirm(booking=day["hold"])  # already confirmed: no change, no mail
    assert len(mail.outbox) == 2
    assert Notice.objects.filter(kind=NoticeKind.BOOKING_INVITATION).count() == 2


def test_a_person_who_turned_invitations_off_gets_none(
    day: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    NoticePreference.objects.create(
        person=day["player"], kind=NoticeKind.BOOKING_INVITATION, enabled=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_confirm(booking=day["hold"])
    assert [m.to for m in mail.outbox] == [["eno.desk@example.com"]]


def test_an_engineer_taken_off_a_day_gets_its_cancellation(
    project: Project, day: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_confirm(booking=day["hold"])
    mail.outbox.clear()
    other = PersonFactory.create(name="Ola Board", projects=[project])
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_update(booking=day["hold"], engineer=other)
    methods = {m.to[0]: invitation(m)[0] for m in mail.outbox}
    assert methods == {
        "ola.board@example.com": "text/calendar; method=REQUEST",
        "ezra.winds@example.com": "text/calendar; method=REQUEST",
        "eno.desk@example.com": "text/calendar; method=CANCEL",
    }


def test_a_refused_move_tells_nobody(
    day: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_confirm(booking=day["hold"])
    mail.outbox.clear()
    hold = day["hold"]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception, match="Move"):
        services.booking_update(
            booking=hold,
            start=hold.start + datetime.timedelta(hours=1),
            end=hold.end + datetime.timedelta(hours=1),
            confirm_move=False,
        )
    assert mail.outbox == []


def test_an_invitation_outdated_before_it_went_is_not_sent(
    day: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    """A REQUEST whose day was cancelled before the worker got to it stays unsent; the
    cancellation goes."""
    services.booking_confirm(booking=day["hold"])  # its send never ran (no commit callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=day["hold"])
    assert notice_sweep(now=timezone.now() + datetime.timedelta(minutes=30)) == 2
    assert sorted(invitation(m)[0] for m in mail.outbox) == ["text/calendar; method=CANCEL"] * 2


def test_hold_lapsing_warns_the_holder_once(
    owner: Any, day: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    owner.email = "owner@example.com"
    owner.save()
    hold: Booking = day["hold"]
    now = timezone.now()
    assert invitations.holds_warn_lapsing(now=now) == 0  # lapses in 72 hours
    assert hold.expires_at is not None
    later = hold.expires_at - datetime.timedelta(hours=20)
    with django_capture_on_commit_callbacks(execute=True):
        assert invitations.holds_warn_lapsing(now=later) == 1
        assert invitations.holds_warn_lapsing(now=later + datetime.timedelta(minutes=15)) == 0
    [message] = mail.outbox
    assert message.to == ["owner@example.com"]
    assert "lapses" in message.subject
    assert "Confirm it or let it go" in message.body


def test_a_challenge_tells_the_first_holder_at_once(
    owner: Any, project: Project, day: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    owner.email = "owner@example.com"
    owner.save()
    rival = UserFactory.create(username="rival", email="rival@example.com")
    hold: Booking = day["hold"]
    [second] = services.booking_create(
        by=rival, room=day["room"], project=project, start=hold.start, end=hold.end
    )
    assert second.status == Booking.Status.HOLD_2
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_challenge(booking=second)
    [message] = mail.outbox
    assert message.to == ["owner@example.com"]
    assert message.subject.startswith("Your hold is challenged")
    assert "2nd hold challenged your 1st hold" in message.body
    assert Person.objects.filter(user=owner).count() == 0  # reached without a person


def test_nobody_without_an_address_is_invited(
    project: Project, day: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    day["engineer"].cards.update(email="")
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_confirm(booking=day["hold"])
    assert [m.to for m in mail.outbox] == [["ezra.winds@example.com"]]


def test_meeting_invitations_follow_create_change_and_cancel(
    owner: Any, project: Project, django_capture_on_commit_callbacks: Any
) -> None:
    from projects.services.meetings import meeting_cancel, meeting_create, meeting_update

    ada = PersonFactory.create(name="Ada Reed", projects=[project])
    cal = PersonFactory.create(name="Cal Brass", projects=[project])
    tokyo = ZoneInfo("Asia/Tokyo")
    date = (timezone.now() + datetime.timedelta(days=5)).astimezone(tokyo).date()
    start = datetime.datetime.combine(date, datetime.time(15), tzinfo=tokyo)
    fields: dict[str, Any] = {
        "title": "Listening",
        "start": start,
        "end": start + datetime.timedelta(hours=1),
        "time_zone": "Asia/Tokyo",
        "kind": "listening",
        "place": "Control room",
        "link": "",
        "notes": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_create(project=project, people=[ada, cal], by=owner, **fields)
    later = {**fields, "start": start + datetime.timedelta(hours=2)}
    later["end"] = later["start"] + datetime.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(meeting=meeting, people=[ada], **later)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_cancel(meeting=meeting)
    seen: dict[str, list[tuple[str, int, str]]] = {}
    for message in mail.outbox:
        read = read_with_icaljs(invitation(message)[1])
        [event] = read["events"]
        assert event["uid"] == f"{meeting.uid}@tracksheet"
        assert event["zone"] == "Asia/Tokyo"
        seen.setdefault(message.to[0], []).append(
            (read["method"], event["sequence"], event["start"])
        )
    first = start.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    moved = (start + datetime.timedelta(hours=2)).astimezone(datetime.UTC)
    assert seen["ada.reed@example.com"] == [
        ("REQUEST", 0, first),
        ("REQUEST", 1, moved.strftime("%Y-%m-%dT%H:%M:%SZ")),
        ("CANCEL", 2, moved.strftime("%Y-%m-%dT%H:%M:%SZ")),
    ]
    # Taken off at the change: the cancellation then, nothing after.
    assert [(m, s) for m, s, _ in seen["cal.brass@example.com"]] == [("REQUEST", 0), ("CANCEL", 1)]


def test_a_confirmed_series_invites_its_engineer_to_each_day(
    owner: Any, project: Project, django_capture_on_commit_callbacks: Any
) -> None:
    room = RoomFactory.create(studio=StudioFactory.create(managers=[owner]))
    engineer = PersonFactory.create(name="Eno Desk", projects=[project])
    date = (timezone.now() + datetime.timedelta(days=3)).astimezone(BERLIN).date()
    start = datetime.datetime.combine(date, datetime.time(10), tzinfo=BERLIN)
    with django_capture_on_commit_callbacks(execute=True):
        made = services.booking_create(
            by=owner,
            room=room,
            project=project,
            start=start,
            end=start + datetime.timedelta(hours=4),
            status="confirmed",
            engineer=engineer,
            rrule="FREQ=WEEKLY;COUNT=3",
        )
    uids = {read_with_icaljs(invitation(m)[1])["events"][0]["uid"] for m in mail.outbox}
    assert uids == {f"{booking.uid}@tracksheet" for booking in made}
    assert {m.to[0] for m in mail.outbox} == {"eno.desk@example.com"}


def test_a_past_day_logged_confirmed_invites_nobody(
    owner: Any, project: Project, django_capture_on_commit_callbacks: Any
) -> None:
    room = RoomFactory.create(studio=StudioFactory.create(managers=[owner]))
    engineer = PersonFactory.create(name="Eno Desk", projects=[project])
    start = timezone.now() - datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_create(
            by=owner,
            room=room,
            project=project,
            start=start,
            end=start + datetime.timedelta(hours=4),
            status="confirmed",
            engineer=engineer,
            past=True,
        )
    assert mail.outbox == []


def _confirmed(day: dict[str, Any], capture: Any) -> Session:
    with capture(execute=True):
        services.booking_confirm(booking=day["hold"])
    mail.outbox.clear()
    return Session.objects.get(booking=day["hold"])


@pytest.fixture
def rule(db: None) -> RateRule:
    return RateRule.objects.create(
        name="Flat 300", kind="flat", currency="EUR", params={"fee": "300.00"}
    )


def _methods() -> dict[str, str]:
    return {m.to[0]: invitation(m)[0].split("=")[1] for m in mail.outbox}


def test_a_player_engaged_on_a_confirmed_day_gets_its_invitation_and_leaving_cancels(
    project: Project, day: dict[str, Any], rule: RateRule, django_capture_on_commit_callbacks: Any
) -> None:
    session = _confirmed(day, django_capture_on_commit_callbacks)
    newcomer = PersonFactory.create(name="Noor Strings", projects=[project])
    with django_capture_on_commit_callbacks(execute=True):
        engagement = engagement_save(
            session=session, person=newcomer, rate_rule=rule, role="musician", hours=Decimal(3)
        )
    # Only the newcomer is told; the engineer and the first player already have the day.
    assert _methods() == {"noor.strings@example.com": "REQUEST"}
    [(_, ics)] = [invitation(m) for m in mail.outbox]
    seen = read_with_icaljs(ics)
    assert seen["method"] == "REQUEST"
    assert seen["events"][0]["uid"] == f"{day['hold'].uid}@tracksheet"
    invited_at = seen["events"][0]["sequence"]

    # Swapped for someone else: the one taken off gets the cancellation, the new one the day.
    mail.outbox.clear()
    other = PersonFactory.create(name="Omar Keys", projects=[project])
    with django_capture_on_commit_callbacks(execute=True):
        engagement = engagement_save(
            session=session,
            person=other,
            rate_rule=rule,
            role="musician",
            hours=Decimal(3),
            engagement=engagement,
        )
    assert _methods() == {"noor.strings@example.com": "CANCEL", "omar.keys@example.com": "REQUEST"}
    cancel = next(m for m in mail.outbox if m.to[0] == "noor.strings@example.com")
    [event] = read_with_icaljs(invitation(cancel)[1])["events"]
    assert event["sequence"] > invited_at  # the cancellation outranks the invitation

    # Deleted: a cancellation; the same change told twice sends once.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        engagement_delete(engagement=engagement)
    assert _methods() == {"omar.keys@example.com": "CANCEL"}
    assert notice_sweep(now=timezone.now() + datetime.timedelta(minutes=30)) == 0


def test_a_player_on_the_day_twice_or_back_again_is_told_right(
    project: Project, day: dict[str, Any], rule: RateRule, django_capture_on_commit_callbacks: Any
) -> None:
    session = _confirmed(day, django_capture_on_commit_callbacks)
    player = day["player"]
    # A second role on the same day: still on it, nothing new to tell.
    with django_capture_on_commit_callbacks(execute=True):
        second = engagement_save(
            session=session, person=player, rate_rule=rule, role="arranger", hours=Decimal(2)
        )
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        engagement_delete(engagement=second)
    assert mail.outbox == []  # still on the day as a musician

    # Off the day, then back: a cancellation, then a new invitation (not swallowed as a repeat).
    first = Engagement.objects.get(session=session, person=player, role="musician")
    with django_capture_on_commit_callbacks(execute=True):
        engagement_delete(engagement=first)
    with django_capture_on_commit_callbacks(execute=True):
        engagement_save(
            session=session, person=player, rate_rule=rule, role="musician", hours=Decimal(3)
        )
    assert [invitation(m)[0].split("=")[1] for m in mail.outbox] == ["CANCEL", "REQUEST"]


def test_a_cancelled_or_moved_session_takes_its_players_off_the_day(
    project: Project, day: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    session = _confirmed(day, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        session_update(session=session, status=Session.Status.CANCELLED)
    assert _methods() == {"ezra.winds@example.com": "CANCEL"}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        session_update(session=session, status=Session.Status.PLANNED)
    assert _methods() == {"ezra.winds@example.com": "REQUEST"}

    # Off its booking (an unbooked session): off the day as well.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        session_update(session=session, booking=None)
    assert _methods() == {"ezra.winds@example.com": "CANCEL"}


def test_a_player_on_a_hold_is_told_nothing_until_it_is_confirmed(
    project: Project, day: dict[str, Any], rule: RateRule, django_capture_on_commit_callbacks: Any
) -> None:
    session = Session.objects.get(booking=day["hold"])
    newcomer = PersonFactory.create(name="Noor Strings", projects=[project])
    with django_capture_on_commit_callbacks(execute=True):
        engagement_save(
            session=session, person=newcomer, rate_rule=rule, role="musician", hours=Decimal(3)
        )
    assert mail.outbox == []
