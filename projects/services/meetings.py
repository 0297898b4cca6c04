"""Meetings of a production: pre-production, listening sessions, calls (no room needed).

Who may write is the caller's check (``schedule.manage``, as for studio days): the pages and the
API refuse before calling. These functions keep the rules every way in shares: the end after
the start, the people on the project, a real IANA zone, a place or a link, and a ``sequence``
that grows with every change a calendar should see (RFC 5545: an update with the same UID and
a higher SEQUENCE replaces the event in place; a lower or equal one is ignored).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.errors import Conflict
from core.validators import validate_time_zone
from projects import invitations
from projects.models import Meeting, Person, Project

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# What an invited calendar shows: a change to any of these is a new SEQUENCE.
CALENDAR_FIELDS = ("title", "kind", "start", "end", "time_zone", "place", "link", "notes")


def _checked(
    *,
    project: Project,
    title: str,
    kind: str,
    start: datetime.datetime,
    end: datetime.datetime,
    time_zone: str,
    place: str,
    link: str,
    people: Iterable[Person],
) -> list[Person]:
    """Every refusal at once, each beside its field; the people, as a list, when all is well."""
    errors: dict[str, str] = {}
    people = list(people)
    if not title.strip():
        errors["title"] = "Give the meeting a title."
    if kind not in Meeting.Kind.values:
        errors["kind"] = f"Not a kind of meeting: {kind!r}."
    if timezone.is_naive(start) or timezone.is_naive(end):
        errors["start"] = "Give the time with its zone."
    elif end <= start:
        errors["end"] = "The meeting must end after it starts."
    try:
        validate_time_zone(time_zone)
    except ValidationError as error:
        errors["time_zone"] = error.messages[0]
    if not place.strip() and not link.strip():
        errors["place"] = "Give a place or a link."
    on_project = set(
        Person.objects.filter(pk__in={p.pk for p in people}, projects=project).values_list(
            "pk", flat=True
        )
    )
    strangers = [p.name for p in people if p.pk not in on_project]
    if strangers:
        errors["people"] = f"Not on this project: {', '.join(sorted(strangers))}."
    if errors:
        raise ValidationError(errors)
    return people


@transaction.atomic
def meeting_create(
    *,
    project: Project,
    title: str,
    start: datetime.datetime,
    end: datetime.datetime,
    time_zone: str,
    kind: str = Meeting.Kind.OTHER,
    place: str = "",
    link: str = "",
    people: Iterable[Person] = (),
    notes: str = "",
    by: User | None,
) -> Meeting:
    """Put a meeting on a project's calendar with the people it invites."""
    people = _checked(
        project=project,
        title=title,
        kind=kind,
        start=start,
        end=end,
        time_zone=time_zone,
        place=place,
        link=link,
        people=people,
    )
    meeting = Meeting(
        project=project,
        title=title.strip(),
        kind=kind,
        start=start,
        end=end,
        time_zone=time_zone,
        place=place.strip(),
        link=link.strip(),
        notes=notes,
        created_by=by,
    )
    meeting.full_clean()
    meeting.save()
    meeting.people.set(people)
    invitations.meeting_tell(meeting=meeting, method=invitations.REQUEST)
    return meeting


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    title: str,
    start: datetime.datetime,
    end: datetime.datetime,
    time_zone: str,
    kind: str,
    place: str,
    link: str,
    people: Iterable[Person],
    notes: str,
) -> Meeting:
    """Change a meeting; every field is given (a caller changing one passes the others as they
    are). A change a calendar shows, or to who is invited, bumps ``sequence``; saving it as it
    was changes nothing. A cancelled meeting stays cancelled: make a new one.

    The row is locked so that two edits at once give two sequences, not one twice."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.cancelled_at is not None:
        raise Conflict(f"{meeting.title} is cancelled; make a new meeting.", code="cancelled")
    people = _checked(
        project=meeting.project,
        title=title,
        kind=kind,
        start=start,
        end=end,
        time_zone=time_zone,
        place=place,
        link=link,
        people=people,
    )
    before = {name: getattr(meeting, name) for name in CALENDAR_FIELDS}
    invited_before = set(meeting.people.values_list("pk", flat=True))
    meeting.title, meeting.kind, meeting.time_zone = title.strip(), kind, time_zone
    meeting.start, meeting.end = start, end
    meeting.place, meeting.link, meeting.notes = place.strip(), link.strip(), notes
    after = {name: getattr(meeting, name) for name in CALENDAR_FIELDS}
    invited = {p.pk for p in people}
    if before == after and invited_before == invited:
        return meeting
    meeting.sequence += 1
    meeting.full_clean()
    meeting.save()
    meeting.people.set(people)
    # The invited get the change (same UID, higher SEQUENCE); those taken off, a cancellation.
    invitations.meeting_tell(meeting=meeting, method=invitations.REQUEST)
    dropped = invited_before - invited
    if dropped:
        invitations.meeting_tell(
            meeting=meeting,
            method=invitations.CANCEL,
            people=Person.objects.filter(pk__in=dropped),
        )
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting) -> Meeting:
    """Call a meeting off. The row stays (feeds show it cancelled, with a higher SEQUENCE, so
    subscribed calendars strike it instead of keeping a stale event)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.cancelled_at is not None:
        raise Conflict(f"{meeting.title} is already cancelled.", code="cancelled")
    meeting.cancelled_at = timezone.now()
    meeting.sequence += 1
    meeting.save(update_fields=["cancelled_at", "sequence", "updated_at"])
    invitations.meeting_tell(meeting=meeting, method=invitations.CANCEL)
    return meeting
