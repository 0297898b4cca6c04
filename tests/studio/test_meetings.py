"""Meetings: the services' rules, the API (scoped, roles, bad input), the pages, and the
project's and person's iCal feeds (read back by icalendar and by ical.js)."""

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar
from rest_framework.test import APIClient

from core.errors import Conflict
from projects.models import Meeting, Person, Project, Role
from projects.services.meetings import meeting_cancel, meeting_create, meeting_update
from studio import services
from studio.models import FeedToken
from tests.factories import MembershipFactory, PersonFactory, ProjectFactory, UserFactory
from tests.studio.test_feed_icaljs import read_with_icaljs

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
URL = "/api/v1/meetings/"


def browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def at(days: int, hour: int, zone: ZoneInfo = BERLIN) -> datetime.datetime:
    day = timezone.now().astimezone(zone).date() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)


@pytest.fixture
def singer(project: Project) -> Person:
    return PersonFactory.create(name="Ada Singer", projects=[project])


def make(project: Project, owner: Any, **kw: Any) -> Meeting:
    values: dict[str, Any] = {
        "title": "Pre-production",
        "kind": Meeting.Kind.PRE_PRODUCTION,
        "start": at(2, 10),
        "end": at(2, 12),
        "time_zone": "Europe/Berlin",
        "place": "Harbour Lane, room B",
    }
    values.update(kw)
    return meeting_create(project=project, by=owner, **values)


# --- services ---------------------------------------------------------------------------------


def test_create_update_cancel_bump_sequence(project: Project, owner: Any, singer: Person) -> None:
    meeting = make(project, owner, people=[singer])
    assert meeting.sequence == 0
    assert list(meeting.people.all()) == [singer]
    uid = meeting.uid
    same: dict[str, Any] = dict(
        title=meeting.title,
        kind=meeting.kind,
        start=meeting.start,
        end=meeting.end,
        time_zone=meeting.time_zone,
        place=meeting.place,
        link="",
        people=[singer],
        notes="",
    )
    assert meeting_update(meeting=meeting, **same).sequence == 0  # nothing changed
    moved = meeting_update(meeting=meeting, **{**same, "start": at(3, 10), "end": at(3, 11)})
    assert moved.sequence == 1
    uninvited = meeting_update(
        meeting=moved, **{**same, "start": at(3, 10), "end": at(3, 11), "people": []}
    )
    assert uninvited.sequence == 2
    cancelled = meeting_cancel(meeting=uninvited)
    assert cancelled.sequence == 3
    assert cancelled.cancelled_at is not None
    assert cancelled.uid == uid
    with pytest.raises(Conflict):
        meeting_cancel(meeting=cancelled)
    with pytest.raises(Conflict):
        meeting_update(meeting=cancelled, **same)


def test_create_refuses_bad_input_beside_each_field(project: Project, owner: Any) -> None:
    stranger = PersonFactory.create(name="Not Here", projects=[ProjectFactory.create()])
    with pytest.raises(Exception) as refused:
        make(
            project,
            owner,
            title=" ",
            start=at(2, 12),
            end=at(2, 10),
            time_zone="Mars/Olympus",
            place="",
            link="",
            people=[stranger],
        )
    fields = refused.value.message_dict  # type: ignore[attr-defined]
    assert set(fields) == {"title", "end", "time_zone", "place", "people"}
    assert "Not Here" in fields["people"][0]
    assert Meeting.objects.count() == 0


# --- API ------------------------------------------------------------------------------------------


def body(project: Project, **kw: Any) -> dict[str, Any]:
    return {
        "project": project.pk,
        "title": "Listening session",
        "kind": "listening",
        "start": at(4, 19).isoformat(),
        "end": at(4, 21).isoformat(),
        "time_zone": "Europe/Berlin",
        "link": "https://meet.example.com/low-tide",
        **kw,
    }


def test_api_create_update_cancel(as_owner: APIClient, project: Project, singer: Person) -> None:
    created = as_owner.post(URL, body(project, people=[singer.pk]), format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["sequence"] == 0 and data["people"] == [singer.pk]
    pk = data["id"]
    patched = as_owner.patch(f"{URL}{pk}/", {"place": "Control room"}, format="json")
    assert patched.status_code == 200, patched.json()
    assert patched.json()["sequence"] == 1
    assert patched.json()["people"] == [singer.pk]  # untouched fields stay
    cancelled = as_owner.post(f"{URL}{pk}/cancel/")
    assert cancelled.status_code == 200
    assert cancelled.json()["sequence"] == 2 and cancelled.json()["cancelled_at"]
    again = as_owner.post(f"{URL}{pk}/cancel/")
    assert again.status_code == 409
    assert as_owner.delete(f"{URL}{pk}/").status_code == 405


def test_api_bad_input_is_400_with_field_messages(as_owner: APIClient, project: Project) -> None:
    stranger = PersonFactory.create(projects=[ProjectFactory.create()])
    cases = [
        ({"end": at(4, 18).isoformat()}, "end"),
        ({"time_zone": "Nowhere/Place"}, "time_zone"),
        ({"link": "", "place": ""}, "place"),
        ({"start": "2027-01-05T10:00:00"}, "start"),  # no offset
        ({"kind": "party"}, "kind"),
    ]
    for change, field in cases:
        response = as_owner.post(URL, body(project, **change), format="json")
        assert response.status_code == 400, (change, response.json())
        assert field in response.json(), (change, response.json())
    # A person not on the project: another production's contact is not even visible.
    response = as_owner.post(URL, body(project, people=[stranger.pk]), format="json")
    assert response.status_code == 400 and "people" in response.json()
    assert Meeting.objects.count() == 0


def test_api_scoped_roles(
    as_owner: APIClient,
    as_collaborator: APIClient,
    as_outsider: APIClient,
    project: Project,
    owner: Any,
) -> None:
    meeting = make(project, owner)
    # The viewer sees it and may not change it.
    assert as_collaborator.get(f"{URL}{meeting.pk}/").status_code == 200
    assert as_collaborator.patch(f"{URL}{meeting.pk}/", {"title": "x"}).status_code == 403
    assert as_collaborator.post(f"{URL}{meeting.pk}/cancel/").status_code == 403
    assert as_collaborator.post(URL, body(project), format="json").status_code == 403
    # The outsider does not know it exists.
    assert as_outsider.get(f"{URL}{meeting.pk}/").status_code == 404
    assert as_outsider.post(f"{URL}{meeting.pk}/cancel/").status_code == 404
    assert as_outsider.get(URL).json()["results"] == []
    response = as_outsider.post(URL, body(project), format="json")
    assert response.status_code in (400, 404)
    assert Meeting.objects.count() == 1
    # An engineer schedules.
    engineer = UserFactory.create(username="eng")
    MembershipFactory.create(project=project, user=engineer, role=Role.ENGINEER)
    client = APIClient()
    client.force_authenticate(engineer)
    assert client.patch(f"{URL}{meeting.pk}/", {"title": "Renamed"}).status_code == 200


def test_api_list_queries_do_not_grow(
    as_owner: APIClient, project: Project, owner: Any, django_assert_num_queries: Any
) -> None:
    people = [PersonFactory.create(projects=[project]) for _ in range(3)]
    make(project, owner, people=people)
    as_owner.get(URL)
    with django_assert_num_queries(3):  # count, page, their people (token auth: no session)
        one = as_owner.get(URL)
    for i in range(20):
        make(project, owner, title=f"Call {i}", people=people, start=at(5, 8), end=at(5, 9))
    with django_assert_num_queries(3):
        many = as_owner.get(URL)
    assert one.json()["count"] == 1 and many.json()["count"] == 21


# --- pages ----------------------------------------------------------------------------------------


def test_pages_add_edit_cancel(owner: Any, project: Project, singer: Person) -> None:
    client = browser(owner)
    base = f"/projects/{project.pk}/meetings/"
    day = (timezone.now() + datetime.timedelta(days=3)).date().isoformat()
    form = {
        "title": "Pre-production",
        "kind": "pre_production",
        "day": day,
        "start": "10:00",
        "end": "12:30",
        "time_zone": "Europe/Berlin",
        "place": "Harbour Lane",
        "link": "",
        "people": [singer.pk],
        "notes": "Bring demos.",
    }
    refused = client.post(f"{base}new/", {**form, "time_zone": "Atlantis"})
    assert refused.status_code == 200
    assert "Atlantis is not an IANA time zone" in refused.content.decode()
    # 02:30 on the last Sunday of March 2027 is skipped in Berlin (clocks go 02:00 -> 03:00).
    refused = client.post(f"{base}new/", {**form, "day": "2027-03-28", "start": "02:30"})
    assert "02:30 does not exist in Europe/Berlin that day." in refused.content.decode()
    refused = client.post(f"{base}new/", {**form, "place": ""})  # the service's refusal
    assert refused.status_code == 200
    assert "Give a place or a link." in refused.content.decode()
    assert Meeting.objects.count() == 0
    assert client.post(f"{base}new/", form).status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.start.astimezone(BERLIN).time() == datetime.time(10)
    assert meeting.end.astimezone(BERLIN).time() == datetime.time(12, 30)
    listing = client.get(base).content.decode()
    assert "Pre-production" in listing and "Ada Singer" in listing and "10:00–12:30" in listing
    edit = f"{base}{meeting.pk}/edit/"
    assert 'value="10:00"' in client.get(edit).content.decode()
    assert client.post(edit, {**form, "start": "11:00"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    ask = client.get(f"{base}{meeting.pk}/cancel/").content.decode()
    assert "Cancel Pre-production?" in ask and "will show it cancelled" in ask
    assert client.post(f"{base}{meeting.pk}/cancel/").status_code == 302
    meeting.refresh_from_db()
    assert meeting.cancelled_at is not None and meeting.sequence == 2
    # The hub links the meetings page.
    assert base in client.get(f"/projects/{project.pk}/").content.decode()


def test_pages_roles_and_outsider(
    owner: Any, collaborator: Any, outsider: Any, project: Project
) -> None:
    meeting = make(project, owner)
    base = f"/projects/{project.pk}/meetings/"
    viewer = browser(collaborator)
    assert "Pre-production" in viewer.get(base).content.decode()
    assert "New meeting" not in viewer.get(base).content.decode()
    assert viewer.get(f"{base}new/").status_code == 403
    assert viewer.post(f"{base}{meeting.pk}/cancel/").status_code == 403
    stranger = browser(outsider)
    for url in (base, f"{base}new/", f"{base}{meeting.pk}/edit/", f"{base}{meeting.pk}/cancel/"):
        assert stranger.get(url).status_code == 404, url
    other = ProjectFactory.create()
    MembershipFactory.create(project=other, user=owner, role=Role.PRODUCER)
    # A meeting is reached only through its own project.
    assert (
        browser(owner).get(f"/projects/{other.pk}/meetings/{meeting.pk}/edit/").status_code == 404
    )
    meeting.refresh_from_db()
    assert meeting.cancelled_at is None


# --- feeds ----------------------------------------------------------------------------------------


def feed_url(feed: FeedToken) -> str:
    return f"/feeds/{feed.token}.ics"


def events(content: bytes) -> dict[str, Any]:
    calendar = Calendar.from_ical(content)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_project_and_person_feeds_carry_meetings(
    client: Client, owner: Any, project: Project, singer: Person
) -> None:
    invited = make(project, owner, people=[singer], link="https://meet.example.com/x")
    other = make(project, owner, title="Mix call", place="", link="https://meet.example.com/y")
    project_feed = services.feed_token_create(owner=owner, target=project)
    person_feed = services.feed_token_create(owner=owner, target=singer)
    shown = events(client.get(feed_url(project_feed)).content)
    uid = f"{invited.uid}@tracksheet"
    assert set(shown) == {uid, f"{other.uid}@tracksheet"}
    event = shown[uid]
    assert str(event["LOCATION"]) == "Harbour Lane, room B"
    assert str(event["URL"]) == "https://meet.example.com/x"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == invited.start
    assert str(event["DTSTART"].params["TZID"]) == "Europe/Berlin"
    assert "Ada Singer" in str(event["DESCRIPTION"])
    assert (
        str(
            events(client.get(feed_url(project_feed)).content)[f"{other.uid}@tracksheet"][
                "LOCATION"
            ]
        )
        == "https://meet.example.com/y"
    )
    # The person's feed: only what they are invited to.
    assert set(events(client.get(feed_url(person_feed)).content)) == {uid}
    # A room's feed has no meetings (they take no room).


def test_feed_etag_changes_with_a_meeting_and_cancel_shows(
    client: Client, owner: Any, project: Project
) -> None:
    feed = services.feed_token_create(owner=owner, target=project)
    empty = client.get(feed_url(feed))
    meeting = make(project, owner)
    first = client.get(feed_url(feed), HTTP_IF_NONE_MATCH=empty["ETag"])
    assert first.status_code == 200 and first["ETag"] != empty["ETag"]
    assert client.get(feed_url(feed), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    meeting_cancel(meeting=meeting)
    after = client.get(feed_url(feed), HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200
    event = events(after.content)[f"{meeting.uid}@tracksheet"]
    assert str(event["STATUS"]) == "CANCELLED" and event["SEQUENCE"] == 1


def test_feed_hides_meetings_of_projects_the_owner_left(
    client: Client, owner: Any, collaborator: Any, project: Project
) -> None:
    make(project, owner)
    feed = services.feed_token_create(owner=collaborator, target=project)
    assert len(events(client.get(feed_url(feed)).content)) == 1
    project.memberships.filter(user=collaborator).delete()
    response = client.get(feed_url(feed))
    # The token still answers (a calendar app keeps its subscription), with nothing in it.
    assert response.status_code == 200
    assert events(response.content) == {}


@pytest.mark.parametrize("zone_name", ["Europe/Berlin", "America/New_York", "Australia/Sydney"])
def test_icaljs_reads_meeting_times_as_stored(
    client: Client, owner: Any, project: Project, zone_name: str
) -> None:
    zone = ZoneInfo(zone_name)
    # One meeting in each half of the year, so both sides of a clock change are read.
    meetings = [
        make(
            project,
            owner,
            title=f"M{d}",
            start=at(d, 18, zone),
            end=at(d, 20, zone),
            time_zone=zone_name,
        )
        for d in (10, 190)
    ]
    meeting_cancel(meeting=meetings[1])
    feed = services.feed_token_create(owner=owner, target=project)
    read = read_with_icaljs(client.get(feed_url(feed)).content)
    for meeting in meetings:
        event = read[str(meeting.uid)]
        assert event["zone"] == zone_name
        assert (
            datetime.datetime.fromisoformat(event["start"]).replace(tzinfo=datetime.UTC)
            == meeting.start
        )
        assert (
            datetime.datetime.fromisoformat(event["end"]).replace(tzinfo=datetime.UTC)
            == meeting.end
        )
    assert read[str(meetings[1].uid)]["status"] == "CANCELLED"
    assert read[str(meetings[1].uid)]["sequence"] == 1


def test_api_filters(as_owner: APIClient, project: Project, owner: Any) -> None:
    soon = make(project, owner, title="Soon", start=at(1, 10), end=at(1, 11))
    later = make(project, owner, title="Later", start=at(20, 10), end=at(20, 11))
    other = ProjectFactory.create()
    MembershipFactory.create(project=other, user=owner, role=Role.PRODUCER)
    elsewhere = make(other, owner, title="Elsewhere")
    ids = lambda query: [row["id"] for row in as_owner.get(URL, query).json()["results"]]  # noqa: E731
    assert ids({"project": project.pk}) == [soon.pk, later.pk]
    assert ids({"start_after": at(10, 0).isoformat()}) == [later.pk]
    assert ids({"start_before": at(10, 0).isoformat()}) == [soon.pk, elsewhere.pk]
    assert ids({"kind": "pre_production", "project": other.pk}) == [elsewhere.pk]
    assert as_owner.get(URL, {"start_after": "2027-01-05T10:00:00"}).status_code == 400


def test_hub_panel_lists_the_next_meetings(owner: Any, project: Project) -> None:
    make(project, owner, title="Next week's call")
    gone = make(project, owner, title="Called off")
    meeting_cancel(meeting=gone)
    page = browser(owner).get(f"/projects/{project.pk}/").content.decode()
    assert 'id="hub-meetings"' in page
    assert "Next week&#x27;s call" in page and "Called off" not in page
