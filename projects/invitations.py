"""Calendar invitations (iTIP, RFC 5546) for meetings: sent when a meeting is set, changed or
called off, each change once per person (the notice's key carries the sequence). The pieces
every invitation shares (the calendar, the organizer and attendees, the site's links) are
here too; studio.invitations builds the studio days' on them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from core.vtimezone import vtimezone
from projects.calendar import meeting_event
from projects.models import Meeting, Notice, NoticeKind, Person
from projects.notices import (
    Letter,
    addresses,
    notice_tell,
    notice_writer_register,
)

PRODID = "-//Tracksheet//Invitations//EN"


REQUEST, CANCEL = "REQUEST", "CANCEL"


def site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def when_words(start: datetime.datetime, end: datetime.datetime, zone: datetime.tzinfo) -> str:
    """ "Thu 3 Dec 2026, 10:00–18:00 (Europe/Berlin)", in the zone's wall clock."""
    start, end = start.astimezone(zone), end.astimezone(zone)
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%a} {end.day} {end:%b %H:%M}"
    return f"{start:%a} {start.day} {start:%b %Y}, {start:%H:%M}–{until} ({zone})"


def itip_calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def cal_address(email: str, name: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    return address


def add_people(event: Event, *, organizer: str, attendees: list[tuple[str, str]]) -> None:
    """ORGANIZER is the site's sender (replies go nowhere we read, so RSVP is not asked);
    ATTENDEE per person invited, their answer not given yet."""
    event.add("organizer", cal_address(settings.DEFAULT_FROM_EMAIL, organizer))
    for name, email in attendees:
        attendee = cal_address(email, name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee, encode=False)


def zone_span(
    start: datetime.datetime, end: datetime.datetime
) -> tuple[datetime.date, datetime.date]:
    return start.date() - datetime.timedelta(days=1), end.date() + datetime.timedelta(days=1)


def meeting_invitation_ics(
    *, meeting: Meeting, method: str, attendees: list[tuple[str, str]]
) -> bytes:
    """The meeting's feed event (same UID, SEQUENCE, zone and words) as an iTIP message."""
    calendar = itip_calendar(method)
    calendar.add_component(vtimezone(meeting.time_zone, *zone_span(meeting.start, meeting.end)))
    event = meeting_event(meeting, stamp=timezone.now())
    if method == CANCEL and meeting.cancelled_at is None:
        # A person taken off a meeting that still stands: for them it is off.
        event["status"] = vText("CANCELLED")
    add_people(event, organizer=str(meeting.project), attendees=attendees)
    calendar.add_component(event)
    return bytes(calendar.to_ical())


def meeting_tell(*, meeting: Meeting, method: str, people: Iterable[Person] | None = None) -> int:
    """Send the meeting's people (or ``people``, e.g. those taken off it) its invitation or
    cancellation at its current sequence, after the caller's transaction commits."""
    meeting = Meeting.objects.select_related("project").get(pk=meeting.pk)
    if meeting.end <= timezone.now():
        return 0  # over: no calendar needs it
    what = "Cancelled" if method == CANCEL else "Meeting"
    made = notice_tell(
        kind=NoticeKind.MEETING_INVITATION,
        key=f"meeting:{meeting.uid}:{meeting.sequence}:{method.lower()}",
        subject=f"{what}: {meeting.title}, {when_words(meeting.start, meeting.end, meeting.zone)}",
        project=meeting.project,
        people=list(meeting.people.all()) if people is None else people,
    )
    return len(made)


def _meeting_letter(*, event: str, notice: Notice) -> Letter | None:
    _, uid, _, method_word = event.split(":")
    method = method_word.upper()
    meeting = Meeting.objects.select_related("project").filter(uid=uid).first()
    person = notice.person
    if meeting is None or person is None:
        return None
    people = list(meeting.people.select_related("user"))
    invited = any(p.pk == person.pk for p in people)
    called_off = meeting.cancelled_at is not None
    if method == REQUEST and (called_off or not invited):
        return None
    if method == CANCEL and not called_off and invited:
        return None
    shown = people if invited else [*people, person]
    emails = addresses(project=meeting.project, people=shown)
    attendees = [(p.name, emails[p.pk]) for p in shown if p.pk in emails]
    body = render_to_string(
        "projects/notices/meeting_invitation.txt",
        {
            "meeting": meeting,
            "person": person,
            "cancelled": method == CANCEL,
            "still_on": method == CANCEL and not called_off,
            "when": when_words(meeting.start, meeting.end, meeting.zone),
            "people": people,
        },
    )
    return Letter(
        subject=notice.subject,
        body=body,
        calendar=meeting_invitation_ics(meeting=meeting, method=method, attendees=attendees),
        method=method,
    )


notice_writer_register("meeting", _meeting_letter)
