"""Calendar feeds, read back with an independent parser (recurring-ical-events)."""

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
import time_machine
from django.test import Client
from django.utils import timezone
from icalendar import Calendar
from rest_framework.test import APIClient

from projects.models import Person, Project, Role
from studio import feeds, services
from studio.models import Booking, FeedToken, Room
from tests.clock import AUTUMN_2026, freeze_at
from tests.factories import (
    MembershipFactory,
    PersonFactory,
    ProjectFactory,
    RoomFactory,
    StudioFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def room(owner: Any, project: Project) -> Room:
    studio = StudioFactory.create(name="Feed Studio", time_zone="Europe/Berlin", managers=[owner])
    project.studios.add(studio)
    return RoomFactory.create(studio=studio, name="A")


@pytest.fixture
def engineer(project: Project) -> Person:
    return PersonFactory.create(name="Kit Engineer", projects=[project])


def make(
    owner: Any, room: Room, project: Project, start: datetime.datetime, hours: float, **kw: Any
) -> Booking:
    [booking] = services.booking_create(
        by=owner,
        room=room,
        project=project,
        start=start,
        end=start + datetime.timedelta(hours=hours),
        # Feeds reach 90 days back: some of these bookings log past sessions on purpose.
        past=True,
        **kw,
    )
    return booking


def parse(body: bytes) -> tuple[Calendar, list[Any]]:
    calendar = Calendar.from_ical(body)
    far = (
        datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC),
        datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC),
    )
    return calendar, list(recurring_ical_events.of(calendar).between(*far))


def by_uid(events: list[Any]) -> dict[str, Any]:
    return {str(event["UID"]).removesuffix("@tracksheet"): event for event in events}


def feed_url(feed: FeedToken) -> str:
    return f"/feeds/{feed.token}.ics"


def test_every_booking_comes_back_with_times_and_status(
    client: Client, owner: Any, room: Room, project: Project, engineer: Person
) -> None:
    base = timezone.now().astimezone(BERLIN).replace(hour=10, minute=0, second=0, microsecond=0)
    hold = make(owner, room, project, base + datetime.timedelta(days=3), 4)
    confirmed = make(
        owner,
        room,
        project,
        base + datetime.timedelta(days=4),
        10,
        status="confirmed",
        engineer=engineer,
    )
    cancelled = make(owner, room, project, base + datetime.timedelta(days=5), 2, status="confirmed")
    services.booking_cancel(booking=cancelled)
    feed = services.feed_token_create(owner=owner, target=room)

    response = client.get(feed_url(feed))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar, events = parse(response.content)
    found = by_uid(events)
    expected = {hold: "TENTATIVE", confirmed: "CONFIRMED", cancelled: "CANCELLED"}
    assert set(found) == {str(b.uid) for b in expected}
    for booking, status in expected.items():
        booking.refresh_from_db()
        event = found[str(booking.uid)]
        assert event["DTSTART"].dt.astimezone(datetime.UTC) == booking.start
        assert event["DTEND"].dt.astimezone(datetime.UTC) == booking.end
        assert str(event["STATUS"]) == status
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
        assert int(event["SEQUENCE"]) == booking.sequence
    assert "Engineer: Kit Engineer" in str(found[str(confirmed.uid)]["DESCRIPTION"])
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in response.content
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H"


@freeze_at(AUTUMN_2026)
def test_dst_night_keeps_its_true_length(
    client: Client, owner: Any, room: Room, project: Project
) -> None:
    start = datetime.datetime(2027, 3, 27, 22, tzinfo=BERLIN)
    [booking] = services.booking_create(
        by=owner,
        room=room,
        project=project,
        start=start,
        end=datetime.datetime(2027, 3, 28, 8, tzinfo=BERLIN),
    )
    feed = services.feed_token_create(owner=owner, target=project)
    now = datetime.datetime(2027, 1, 10, tzinfo=datetime.UTC)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: now)
        _, events = parse(client.get(feed_url(feed)).content)
    event = by_uid(events)[str(booking.uid)]
    assert event["DTEND"].dt - event["DTSTART"].dt == datetime.timedelta(hours=10)  # wall clock
    assert event["DTEND"].dt.astimezone(datetime.UTC) - event["DTSTART"].dt.astimezone(
        datetime.UTC
    ) == datetime.timedelta(hours=9)


def test_uid_stays_and_sequence_grows_when_moved(
    client: Client, owner: Any, room: Room, project: Project
) -> None:
    start = timezone.now() + datetime.timedelta(days=10)
    booking = make(owner, room, project, start, 2)
    feed = services.feed_token_create(owner=owner, target=project)
    before = by_uid(parse(client.get(feed_url(feed)).content)[1])[str(booking.uid)]
    services.booking_update(
        booking=booking,
        start=start + datetime.timedelta(hours=1),
        end=start + datetime.timedelta(hours=4),
    )
    after = by_uid(parse(client.get(feed_url(feed)).content)[1])[str(booking.uid)]
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after["DTSTART"].dt - before["DTSTART"].dt == datetime.timedelta(hours=1)


def test_window(client: Client, owner: Any, room: Room, project: Project) -> None:
    now = timezone.now()
    inside = [
        make(owner, room, project, now + delta, 2)
        for delta in (datetime.timedelta(days=-80), datetime.timedelta(days=517))
    ]
    outside = [
        make(owner, room, project, now + delta, 2)
        for delta in (datetime.timedelta(days=-100), datetime.timedelta(days=580))
    ]
    feed = services.feed_token_create(owner=owner, target=room)
    found = by_uid(parse(client.get(feed_url(feed)).content)[1])
    assert set(found) == {str(b.uid) for b in inside}
    assert not {str(b.uid) for b in outside} & set(found)


def test_each_kind_shows_its_bookings_only(
    client: Client, owner: Any, room: Room, project: Project, engineer: Person
) -> None:
    start = timezone.now() + datetime.timedelta(days=5)
    other_room = RoomFactory.create(studio=room.studio, name="B")
    with_engineer = make(owner, room, project, start, 2, engineer=engineer)
    in_b = make(owner, other_room, project, start, 2)
    second = ProjectFactory.create()
    MembershipFactory.create(project=second, user=owner, role=Role.PRODUCER)
    of_second = make(owner, other_room, second, start + datetime.timedelta(hours=3), 2)
    expectations: dict[Any, set[Booking]] = {
        engineer: {with_engineer},
        room: {with_engineer},
        other_room: {in_b, of_second},
        room.studio: {with_engineer, in_b, of_second},
        project: {with_engineer, in_b},
        second: {of_second},
    }
    for target, bookings in expectations.items():
        feed = services.feed_token_create(owner=owner, target=target)
        found = by_uid(parse(client.get(feed_url(feed)).content)[1])
        assert set(found) == {str(b.uid) for b in bookings}, target


def test_feed_shows_only_what_the_owner_may_see(
    client: Client, owner: Any, collaborator: Any, room: Room, project: Project
) -> None:
    start = timezone.now() + datetime.timedelta(days=5)
    mine = make(owner, room, project, start, 2)
    foreign = ProjectFactory.create()
    MembershipFactory.create(project=foreign, user=owner, role=Role.PRODUCER)
    theirs = make(owner, room, foreign, start + datetime.timedelta(hours=3), 2)
    # The collaborator (a viewer of `project`, not a studio manager) subscribes to the room.
    feed = services.feed_token_create(owner=collaborator, target=room)
    assert set(by_uid(parse(client.get(feed_url(feed)).content)[1])) == {str(mine.uid)}
    # Removed from the project, the same address shows nothing of it any more.
    project.memberships.filter(user=collaborator).delete()
    assert parse(client.get(feed_url(feed)).content)[1] == []
    assert theirs.pk


def test_conditional_requests(
    client: Client, owner: Any, room: Room, project: Project, django_assert_max_num_queries: Any
) -> None:
    booking = make(owner, room, project, timezone.now() + datetime.timedelta(days=5), 2)
    feed = services.feed_token_create(owner=owner, target=project)
    first = client.get(feed_url(feed))
    etag, last_modified = first["ETag"], first["Last-Modified"]
    with django_assert_max_num_queries(2):
        again = client.get(feed_url(feed), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert client.get(feed_url(feed), HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304

    services.booking_confirm(booking=booking)
    changed = client.get(feed_url(feed), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "CONFIRMED" in str(by_uid(parse(changed.content)[1])[str(booking.uid)]["STATUS"])


def test_if_none_match_compares_weakly_and_star_matches(
    client: Client, owner: Any, room: Room, project: Project
) -> None:
    make(owner, room, project, timezone.now() + datetime.timedelta(days=5), 2)
    feed = services.feed_token_create(owner=owner, target=project)
    etag = client.get(feed_url(feed))["ETag"]
    assert etag.startswith('"')
    for header in (f"W/{etag}", f'"other", W/{etag}', "*", f'{etag}, W/"x"'):
        assert client.get(feed_url(feed), HTTP_IF_NONE_MATCH=header).status_code == 304, header
    for header in ('"other"', 'W/"other"', etag[:-2] + '"'):
        assert client.get(feed_url(feed), HTTP_IF_NONE_MATCH=header).status_code == 200, header
    # If-None-Match decides alone when given: an old tag with a fresh date is a full answer.
    stale = client.get(
        feed_url(feed),
        HTTP_IF_NONE_MATCH='"old"',
        HTTP_IF_MODIFIED_SINCE="Fri, 01 Jan 2100 00:00:00 GMT",
    )
    assert stale.status_code == 200


def test_repeat_full_get_is_served_from_the_cache_until_a_change(
    client: Client,
    owner: Any,
    room: Room,
    project: Project,
    django_assert_num_queries: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    booking = make(owner, room, project, timezone.now() + datetime.timedelta(days=5), 2)
    feed = services.feed_token_create(owner=owner, target=project)
    builds: list[int] = []
    real_build = feeds.build_feed

    def counted_build(*args: Any) -> bytes:
        builds.append(1)
        return real_build(*args)

    monkeypatch.setattr(feeds, "build_feed", counted_build)
    first = client.get(feed_url(feed))
    # Google polls without If-None-Match: the body comes from the cache, in two queries.
    with django_assert_num_queries(2):
        again = client.get(feed_url(feed))
    assert again.status_code == 200
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert len(builds) == 1
    services.booking_confirm(booking=booking)
    changed = client.get(feed_url(feed))
    assert len(builds) == 2
    assert changed["ETag"] != first["ETag"]
    assert "CONFIRMED" in str(by_uid(parse(changed.content)[1])[str(booking.uid)]["STATUS"])


def test_unknown_revoked_and_rotated(
    client: Client, as_owner: APIClient, owner: Any, room: Room
) -> None:
    assert client.get("/feeds/not-a-token.ics").status_code == 404
    created = as_owner.post("/api/v1/feeds/", {"kind": "room", "target": room.pk}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["url"].startswith("http://testserver/feeds/")
    path = body["url"].removeprefix("http://testserver")
    assert client.get(path).status_code == 200

    rotated = as_owner.post(f"/api/v1/feeds/{body['id']}/rotate/").json()
    assert client.get(path).status_code == 404
    new_path = rotated["url"].removeprefix("http://testserver")
    assert client.get(new_path).status_code == 200

    assert as_owner.delete(f"/api/v1/feeds/{body['id']}/").status_code == 204
    assert client.get(new_path).status_code == 404
    assert as_owner.get(f"/api/v1/feeds/{body['id']}/").json()["url"] is None
    assert as_owner.post(f"/api/v1/feeds/{body['id']}/rotate/").status_code == 400


def test_token_api_trio_and_bad_input(
    as_owner: APIClient,
    as_outsider: APIClient,
    room: Room,
    project: Project,
    django_assert_num_queries: Any,
) -> None:
    mine = as_owner.post(
        "/api/v1/feeds/", {"kind": "project", "target": project.pk}, format="json"
    ).json()
    assert as_outsider.get(f"/api/v1/feeds/{mine['id']}/").status_code == 404
    assert as_outsider.delete(f"/api/v1/feeds/{mine['id']}/").status_code == 404
    assert as_outsider.get("/api/v1/feeds/").json()["count"] == 0
    for kind, target in [("room", room.pk), ("project", project.pk), ("studio", room.studio_id)]:
        response = as_outsider.post(
            "/api/v1/feeds/", {"kind": kind, "target": target}, format="json"
        )
        assert response.status_code == 400
        assert "target" in response.json()
    assert (
        "kind"
        in as_owner.post("/api/v1/feeds/", {"kind": "planet", "target": 1}, format="json").json()
    )
    assert (
        "target"
        in as_owner.post("/api/v1/feeds/", {"kind": "room", "target": "x"}, format="json").json()
    )
    assert FeedToken.objects.count() == 1

    for _ in range(5):
        as_owner.post("/api/v1/feeds/", {"kind": "room", "target": room.pk}, format="json")
    with django_assert_num_queries(2):  # count, page with targets joined
        assert as_owner.get("/api/v1/feeds/").json()["count"] == 6


def test_inactive_owner_feed_is_gone(client: Client, room: Room) -> None:
    user = UserFactory.create()
    feed = services.feed_token_create(owner=user, target=room)
    user.is_active = False
    user.save()
    assert client.get(feed_url(feed)).status_code == 404


def test_a_lapsed_hold_shows_cancelled_without_beat(
    client: Client, owner: Any, room: Room, project: Project
) -> None:
    """Nobody marked the hold (beat is not running): the feed judges it by the clock, and a
    poll with the old ETag gets the change, not a 304."""
    hold = make(owner, room, project, timezone.now() + datetime.timedelta(days=5), 2)
    feed = services.feed_token_create(owner=owner, target=room)
    before = client.get(feed_url(feed))
    assert str(by_uid(parse(before.content)[1])[str(hold.uid)]["STATUS"]) == "TENTATIVE"
    assert hold.expires_at is not None
    with time_machine.travel(hold.expires_at + datetime.timedelta(minutes=1), tick=False):
        after = client.get(feed_url(feed), HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    event = by_uid(parse(after.content)[1])[str(hold.uid)]
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]).startswith("[hold lapsed]")
    assert int(event["SEQUENCE"]) == hold.sequence + 1
    hold.refresh_from_db()
    assert hold.status == Booking.Status.HOLD_1  # still unmarked: only the clock has moved
