"""Sessions (on a booking or standalone, following its moves), their takes and gear checks."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError

from core.details import assign_details
from core.errors import Conflict
from core.intervals import check_interval
from projects.models import Person, Project
from sessions.models import (
    Engagement,
    GearCheck,
    Payment,
    Session,
    Take,
)
from songs.models import Part, Song
from songs.services.parts import song_part_mark_recorded
from songs.services.songs import song_for_take
from studio.models import Booking, Gear, Room
from studio.rates import booked_hours
from studio.services.bookings import booking_people_changed

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class SessionChanges(TypedDict, total=False):
    """What an edit may change on a session; it stays with its project."""

    booking: Booking | None
    room: Room | None
    title: str
    start: datetime.datetime
    end: datetime.datetime
    status: str
    notes: str
    songs: Sequence[Song]


def _check_songs(project: Project, songs: Sequence[Song]) -> list[Song]:
    songs = list(songs)
    if any(song.project_id != project.pk for song in songs):
        raise ValidationError({"songs": "Every song must be a song of this session's project."})
    return songs


def _check_booking(project: Project, booking: Booking) -> None:
    if booking.project_id != project.pk:
        raise ValidationError({"booking": "The booking belongs to another project."})
    if booking.status == Booking.Status.CANCELLED:
        raise ValidationError({"booking": "The booking is cancelled."})


@transaction.atomic
def session_create(
    *,
    project: Project,
    title: str,
    booking: Booking | None = None,
    room: Room | None = None,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    notes: str = "",
    status: str = Session.Status.PLANNED,
    songs: Sequence[Song] = (),
) -> Session:
    """A session, standalone or on a booking whose room and times it takes unless told, with
    the songs planned for it (of its project)."""
    songs = _check_songs(project, songs)
    if booking is not None:
        _check_booking(project, booking)
        room = room or booking.room
        start = start or booking.start
        end = end or booking.end
    if start is None or end is None:
        raise ValidationError({"start": "A session without a booking needs its start and end."})
    check_interval(start=start, end=end)
    session = Session(
        project=project,
        booking=booking,
        room=room,
        title=title,
        start=start,
        end=end,
        notes=notes,
        status=status,
    )
    session.full_clean()
    session.save()
    session.songs.set(songs)
    return session


@transaction.atomic
def session_update(*, session: Session, **fields: Unpack[SessionChanges]) -> Session:
    """Change a session under the rules it was made with; it may not become shorter than the
    hours its players are engaged for (their pay was worked out on them)."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    songs = fields.pop("songs", None)
    was_on = _day_of(session)
    assign_details(session, fields, SessionChanges)
    if session.booking is not None and "booking" in fields:
        _check_booking(session.project, session.booking)
    check_interval(start=session.start, end=session.end)
    longest = session.engagements.aggregate(hours=Max("hours"))["hours"]
    if longest is not None and booked_hours(session.start, session.end) < longest:
        raise ValidationError(
            {"end": f"A player is engaged for {longest.normalize():f} h; the session is shorter."}
        )
    session.full_clean()
    session.save()
    if songs is not None:
        session.songs.set(_check_songs(session.project, songs))
    now_on = _day_of(session)
    if was_on != now_on:
        players = list(Person.objects.filter(engagements__session=session).distinct())
        transaction.on_commit(partial(_players_follow, players, was_on, now_on))
    return session


@transaction.atomic
def session_delete(*, session: Session) -> None:
    """Delete a session with its players, their pending pay, its takes and gear checks.

    Refused (409) once a player's pay is approved or paid: that amount is fixed and may be on
    a numbered pay statement, so the session is cancelled instead. Refused too while an invoice
    bills one of its players. Its players leave its studio day after the commit, as when it is
    cancelled (``_players_follow``)."""
    # Engagements, then their payments, in the order every pay writer takes them
    # (lock_engagement_and_payment): an approval that went first is seen here, one that comes
    # after finds the payment gone. The session itself is not locked: a booking's move locks
    # the day and then its sessions, and this never waits on the day.
    engagement_ids = list(
        Engagement.objects.select_for_update()
        .filter(session=session)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    payments = list(
        Payment.objects.select_for_update().filter(engagement_id__in=engagement_ids).order_by("pk")
    )
    fixed = next((p for p in payments if p.status != Payment.Status.PENDING), None)
    if fixed is not None:
        raise Conflict(
            f"Session “{session.title}” has pay {fixed.get_status_display().lower()} for "
            f"{fixed.person}: approved pay is fixed and kept. Cancel the session instead.",
            code="session_pay_approved",
        )
    players = list(Person.objects.filter(engagements__session=session).distinct())
    was_on = _day_of(session)
    title = session.title
    Payment.objects.filter(pk__in=[payment.pk for payment in payments]).delete()
    try:
        session.delete()
    except ProtectedError as error:
        # Another app's record names one of its engagements (an invoice line billing it).
        # Raised before anything is deleted; the payments' delete rolls back with it.
        names = ", ".join(sorted({str(obj) for obj in error.protected_objects})[:3])
        raise Conflict(
            f"Session “{title}” has players billed on an invoice ({names}): remove those "
            "lines from the draft, or credit the invoice, first.",
            code="session_invoiced",
        ) from error
    if was_on is not None:
        transaction.on_commit(partial(_players_follow, players, was_on, None))


def _players_follow(players: list[Person], was_on: Booking | None, now_on: Booking | None) -> None:
    """The players follow their session: off the day it left (or was cancelled on), onto the
    day it joined; each told only if that day is confirmed. Run after the session's commit,
    in a transaction of its own: a booking's move locks the day and then its sessions, so the
    day is never locked while this session's lock is held."""
    if was_on is not None:
        booking_people_changed(booking=was_on, left=players)
    if now_on is not None:
        booking_people_changed(booking=now_on, joined=players)


def _day_of(session: Session) -> Booking | None:
    """The studio day whose invitation a session's players get, if any."""
    if session.status == Session.Status.CANCELLED:
        return None
    return session.booking


def sessions_follow_booking(
    *, booking: Booking, before: tuple[Room, datetime.datetime, datetime.datetime]
) -> None:
    """Move the sessions on ``booking`` with it, or refuse the booking's move saying why.

    Registered from ``RecordingConfig.ready()`` with ``studio.services.bookings``, which calls
    it inside the booking's move transaction after the booking is saved: ``studio`` imports no
    other app, so the rule that a session follows its booking lives here, above it, and a
    refusal raised here undoes the booking's move as well. Every caller of the move (the API's
    PATCH, the calendar's drag) gets it without knowing about sessions.

    A session with its booking's times takes the new ones; one inside the booking (an evening
    overdub on a lockout day) shifts with the start, and must still fit. Refused: a session
    shorter than a player's engaged hours, and a longer one when a player's pay is approved
    for fewer hours than the new length (approved pay is fixed; it was agreed on the old day).
    """
    old_room, old_start, old_end = before
    sessions = (
        Session.objects.select_for_update()
        .filter(booking=booking)
        .exclude(status=Session.Status.CANCELLED)
        .order_by("pk")
    )
    for session in sessions:
        if (session.start, session.end) == (old_start, old_end):
            start, end = booking.start, booking.end
        else:
            shift = booking.start - old_start
            start, end = session.start + shift, session.end + shift
            if start < booking.start or end > booking.end:
                raise Conflict(
                    f"Session “{session.title}” would fall outside the moved booking: "
                    "change the session's times first.",
                    code="session_outside_booking",
                )
        hours = booked_hours(start, end)
        longest = session.engagements.aggregate(hours=Max("hours"))["hours"]
        if longest is not None and hours < longest:
            raise Conflict(
                f"Session “{session.title}” has a player engaged for {longest.normalize():f} h; "
                f"the move would make it {hours.normalize():f} h.",
                code="session_shorter_than_engagement",
            )
        if hours > booked_hours(session.start, session.end):
            approved = (
                session.engagements.filter(
                    payment__status__in=(Payment.Status.APPROVED, Payment.Status.PAID),
                    hours__lt=hours,
                )
                .select_related("person")
                .order_by("hours", "pk")
                .first()
            )
            if approved is not None:
                raise Conflict(
                    f"Session “{session.title}” has approved pay for "
                    f"{approved.hours.normalize():f} h ({approved.person}); the move would make "
                    f"it {hours.normalize():f} h. Approved pay is fixed: keep the length, or "
                    "record the extra time as a new session.",
                    code="session_pay_approved",
                )
        session.start, session.end = start, end
        if session.room_id == old_room.pk:
            session.room = booking.room
        session.save(update_fields=["start", "end", "room"])


class TakeDetails(TypedDict, total=False):
    recorded_at: datetime.datetime | None
    notes: str
    rating: int | None
    keeper: bool
    part: Part | None


class TakeChanges(TakeDetails, total=False):
    song: Song | None
    song_name: str
    number: int


def _take_song(*, project: Project, song: Song | None, song_name: str) -> tuple[Song, str]:
    """The take's board song and the name it is logged under. A picked song gives its title;
    a typed name finds the project's song of that title or creates it (in tracking)."""
    if song is not None:
        if song.project_id != project.pk:
            raise ValidationError({"song": "Not a song of this session's project."})
        return song, song.title
    name = song_name.strip()
    if not name:
        raise ValidationError({"song_name": "Pick a song or name a new one."})
    return song_for_take(project=project, title=name), name


def _check_part(*, project: Project, part: Part | None) -> None:
    if part is not None and part.project_id != project.pk:
        raise ValidationError({"part": "Not a part of this session's project."})


def _keeper_marks_part(take: Take, by: User | None) -> None:
    # Inside the take's transaction: the cell and the take commit or roll back together.
    if take.keeper and take.song is not None and take.part is not None:
        song_part_mark_recorded(song=take.song, part=take.part, by=by)


@transaction.atomic
def take_update(*, take: Take, by: User | None = None, **fields: Unpack[TakeChanges]) -> Take:
    """Change a take; its song name and number stay unique in the session. A keeper take with
    a song and a part marks that part of the song recorded on the tracking sheet."""
    project = take.session.project
    song = fields.pop("song", None)
    name = fields.pop("song_name", None)
    if song is not None or (name is not None and name.strip() != take.song_name):
        take.song, take.song_name = _take_song(project=project, song=song, song_name=name or "")
    elif take.song_id is None and take.song_name.strip():
        take.song = song_for_take(project=project, title=take.song_name)
    assign_details(take, fields, TakeChanges)
    _check_part(project=project, part=take.part)
    clash = Take.objects.filter(session=take.session, song_name=take.song_name, number=take.number)
    if clash.exclude(pk=take.pk).exists():
        raise ValidationError(
            {"number": f"{take.song_name} already has a take {take.number} in this session."}
        )
    take.full_clean()
    take.save()
    _keeper_marks_part(take, by)
    return take


@transaction.atomic
def take_create(
    *,
    session: Session,
    song: Song | None = None,
    song_name: str = "",
    number: int | None = None,
    by: User | None = None,
    **fields: Unpack[TakeDetails],
) -> Take:
    """Log a take of a picked song, or of a song named by its title (found or created on the
    board); without a number it is the next one for that song in the session. A keeper take
    with a part marks that part of the song recorded on the tracking sheet."""
    song, name = _take_song(project=session.project, song=song, song_name=song_name)
    _check_part(project=session.project, part=fields.get("part"))
    if number is None:
        last = Take.objects.filter(session=session, song_name=name).order_by("-number").first()
        number = (last.number + 1) if last else 1
    elif Take.objects.filter(session=session, song_name=name, number=number).exists():
        raise ValidationError({"number": f"{name} already has a take {number} in this session."})
    take = Take(session=session, song=song, song_name=name, number=number)
    assign_details(take, fields, TakeDetails)
    take.full_clean()
    take.save()
    _keeper_marks_part(take, by)
    return take


@transaction.atomic
def take_delete(*, take: Take) -> None:
    """Delete a take from the log. A tracking-sheet cell its keeper marked recorded stays so:
    the part was recorded; the sheet is changed on its own."""
    take.delete()


@transaction.atomic
def gear_check_record(*, session: Session, gear: Gear, result: str, note: str = "") -> GearCheck:
    """Record a check; a fault marks the item as needing service on the studio's list."""
    if session.room is None or gear.studio_id != session.room.studio_id:
        raise ValidationError({"gear": "Not gear of this session's studio."})
    if result == GearCheck.Result.FAULT and not note.strip():
        raise ValidationError({"note": "Say what is wrong."})
    check, _ = GearCheck.objects.update_or_create(
        session=session, gear=gear, defaults={"result": result, "note": note}
    )
    if result == GearCheck.Result.FAULT and gear.status == Gear.Status.AVAILABLE:
        gear.status = Gear.Status.NEEDS_SERVICE
        gear.save(update_fields=["status"])
    return check


@transaction.atomic
def gear_checks_record(
    *, session: Session, results: Sequence[tuple[Gear, str, str]]
) -> list[GearCheck]:
    """Record the whole checklist at once (each item as ``gear_check_record`` does): one
    refusal and nothing is written, so a half-checked room never looks checked. A refusal
    names the item: ``{"<gear id>": [...]}``."""
    checks = []
    errors: dict[str, list[str]] = {}
    for gear, result, note in results:
        if result not in GearCheck.Result.values:
            errors[str(gear.pk)] = [f"One of {', '.join(GearCheck.Result.values)}."]
            continue
        try:
            checks.append(gear_check_record(session=session, gear=gear, result=result, note=note))
        except ValidationError as error:
            errors[str(gear.pk)] = error.messages
    if errors:
        raise ValidationError(errors)
    return checks


@transaction.atomic
def gear_check_delete(*, check: GearCheck) -> None:
    """Delete a check. The item keeps the status the check gave it: a fault sent it to
    service, and only the studio clears that (a deleted check proves no repair)."""
    check.delete()
