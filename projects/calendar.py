"""A meeting as a calendar event (RFC 5545): the same UID, SEQUENCE and zone in the feeds
(studio.feeds) and in the invitations (projects.invitations), so a calendar app that has the
meeting from one updates it in place when the other speaks of it."""

from __future__ import annotations

import datetime

from icalendar import Event, vText

from projects.models import Meeting, Project


def meeting_uid(meeting: Meeting) -> str:
    """The meeting's UID in every calendar object that speaks of it (feeds, invitations)."""
    return f"{meeting.uid}@tracksheet"


def _meeting_description(meeting: Meeting, project: Project) -> str:
    lines = [f"Project: {project.artist}: {project.title}", meeting.get_kind_display()]
    names = [person.name for person in meeting.people.all()]
    if names:
        lines.append(f"With: {', '.join(names)}")
    if meeting.link:
        lines.append(f"Link: {meeting.link}")
    if meeting.notes:
        lines += ["", meeting.notes]
    return "\n".join(lines)


def meeting_event(meeting: Meeting, *, stamp: datetime.datetime) -> Event:
    """A meeting as a VEVENT, its times in the meeting's own zone (the calendar needs that
    zone's VTIMEZONE: ``vtimezone(meeting.time_zone, ...)``). ``meeting.people`` is read
    through ``.all()``: prefetch it for many meetings."""
    project = meeting.project
    zone = meeting.zone
    cancelled = meeting.cancelled_at is not None
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", stamp)
    event.add("dtstart", meeting.start.astimezone(zone))
    event.add("dtend", meeting.end.astimezone(zone))
    prefix = "[cancelled] " if cancelled else ""
    event.add("summary", f"{prefix}{meeting.title} · {project.title}")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", meeting.sequence)
    event.add("created", meeting.created_at)
    event.add("last-modified", meeting.updated_at)
    location = (meeting.place or meeting.link).replace("\n", ", ")
    if location:
        event.add("location", vText(location))
    if meeting.link:
        event.add("url", meeting.link)
    event.add("description", _meeting_description(meeting, project))
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return event
