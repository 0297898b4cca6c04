"""Writes with rules for sessions: sessions, engagements and their pay, takes, gear checks."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from sessions import rates
from sessions.models import (
    Engagement,
    GearCheck,
    PayeeDetails,
    Payment,
    PayStatement,
    RateRule,
    Session,
    Take,
)
from studio.details import assign_details
from studio.errors import Conflict
from studio.intervals import check_interval
from studio.models import Booking, Gear, Person, Project, Room
from studio.money import validate_amount
from studio.rates import booked_hours
from studio.services.songs import song_for_take

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


class TakeDetails(TypedDict, total=False):
    recorded_at: datetime.datetime | None
    notes: str
    rating: int | None
    keeper: bool


class TakeChanges(TakeDetails, total=False):
    song: str
    number: int


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
) -> Session:
    """A session, standalone or on a booking whose room and times it takes unless told."""
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
    return session


@transaction.atomic
def session_update(*, session: Session, **fields: Unpack[SessionChanges]) -> Session:
    """Change a session under the rules it was made with; it may not become shorter than the
    hours its players are engaged for (their pay was worked out on them)."""
    session = Session.objects.select_for_update().get(pk=session.pk)
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
    return session


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


def _earlier_sessions_today(*, session: Session, person: Person) -> int:
    """How many sessions this person played earlier on the session's local day: the health
    contribution is one amount for the first session of a day, another for each further one."""
    zone = session.zone
    local_day = session.start.astimezone(zone).date()
    day_start = datetime.datetime.combine(local_day, datetime.time(0), tzinfo=zone)
    return (
        Engagement.objects.filter(
            person=person,
            session__start__gte=day_start,
            session__start__lt=session.start,
        )
        .exclude(session__status=Session.Status.CANCELLED)
        .exclude(session=session)
        .values("session")
        .distinct()
        .count()
    )


def _work(
    *,
    session: Session,
    person: Person,
    role: str,
    hours: Decimal,
    doubles: Sequence[str],
    cartage: Sequence[str],
) -> rates.Work:
    return rates.Work(
        role=role,
        hours=hours,
        doubles=tuple(doubles),
        cartage=tuple(cartage),
        earlier_sessions_today=_earlier_sessions_today(session=session, person=person),
    )


def _check_engagement(
    *,
    session: Session,
    rule: RateRule,
    role: str,
    instrument: str,
    doubles: Sequence[str],
    hours: Decimal,
    cartage: Sequence[str],
) -> None:
    errors: dict[str, str] = {}
    if rule.project_id not in (None, session.project_id):
        errors["rate_rule"] = "That rate rule belongs to another project."
    elif rule.currency != session.project.currency:
        # Pay is owed in the project's currency, so that the budget adds like with like.
        errors["rate_rule"] = (
            f"The rule pays in {rule.currency}, the project is in {session.project.currency}: "
            "copy the rule into the project in its currency."
        )
    length = booked_hours(session.start, session.end)
    if hours < 0:
        errors["hours"] = "Hours cannot be negative."
    elif hours > min(length, Decimal(24)):
        errors["hours"] = f"More hours than the session lasts ({length.normalize():f} h)."
    if not all(isinstance(item, str) and item.strip() for item in doubles):
        errors["doubles"] = "A list of the extra instruments played."
    elif doubles and role not in rates.DOUBLING_ROLES_AT_SCALE:
        errors["doubles"] = f"Players double; a {role} does not."
    elif doubles and not instrument.strip():
        errors["doubles"] = "Doubles need a main instrument: name the instrument first."
    elif instrument.strip().lower() in {d.strip().lower() for d in doubles}:
        errors["doubles"] = "The main instrument is not a double; list only the extra ones."
    elif len({d.strip().lower() for d in doubles}) != len(doubles):
        errors["doubles"] = "Each double once."
    if not all(isinstance(item, str) and item.strip() for item in cartage):
        errors["cartage"] = "A list of the instruments carted."
    if errors:
        raise ValidationError(errors)


def engagement_quote(
    *,
    session: Session,
    person: Person,
    rate_rule: RateRule,
    role: str,
    hours: Decimal,
    instrument: str = "",
    doubles: Sequence[str] = (),
    cartage: Sequence[str] = (),
) -> rates.Fee:
    """What an engagement would pay, without saving anything."""
    _check_engagement(
        session=session,
        rule=rate_rule,
        role=role,
        instrument=instrument,
        doubles=doubles,
        hours=hours,
        cartage=cartage,
    )
    work = _work(
        session=session, person=person, role=role, hours=hours, doubles=doubles, cartage=cartage
    )
    try:
        fee = rates.price(
            kind=rate_rule.kind, params=rate_rule.params, work=work, currency=rate_rule.currency
        )
    except rates.RuleError as error:
        raise ValidationError(
            {"rate_rule": f"The rule {rate_rule} is incomplete: {error}"}
        ) from error
    try:
        # Each parameter fits its column, but a product of them (scale × multiplier ×
        # overtime) may not: refused here rather than by the database.
        validate_amount(fee.total, currency=fee.currency)
    except ValidationError as error:
        raise ValidationError(
            {
                "rate_rule": f"The rule {rate_rule} prices this work out of range: "
                f"{error.messages[0]}"
            }
        ) from error
    return fee


@transaction.atomic
def engagement_save(
    *,
    session: Session,
    person: Person,
    rate_rule: RateRule,
    role: str,
    hours: Decimal,
    instrument: str = "",
    doubles: Sequence[str] = (),
    cartage: Sequence[str] = (),
    engagement: Engagement | None = None,
) -> Engagement:
    """Create or change an engagement, price it, and keep its pending payment in step.

    An engagement whose payment is approved or paid no longer changes: the money was agreed.
    """
    if engagement is not None:
        engagement, payment = _lock_engagement_and_payment(engagement_id=engagement.pk)
        if payment is not None and payment.status != Payment.Status.PENDING:
            raise Conflict(
                f"Its payment is already {payment.get_status_display().lower()}; "
                "the engagement can no longer change.",
                code="payment_approved",
            )
    duplicate = Engagement.objects.filter(session=session, person=person, role=role)
    if engagement is not None:
        duplicate = duplicate.exclude(pk=engagement.pk)
    if duplicate.exists():
        raise ValidationError({"person": f"{person} is already on this session as {role}."})
    fee = engagement_quote(
        session=session,
        person=person,
        rate_rule=rate_rule,
        role=role,
        hours=hours,
        instrument=instrument,
        doubles=doubles,
        cartage=cartage,
    )
    engagement = engagement or Engagement(session=session)
    for name, value in {
        "person": person,
        "role": role,
        "instrument": instrument,
        "doubles": list(doubles),
        "hours": hours,
        "cartage": list(cartage),
        "rate_rule": rate_rule,
        "wages": fee.wages,
        "employer_contributions": fee.employer,
        "fee": fee.total,
        "fee_lines": [line.as_json() for line in fee.lines],
        "currency": fee.currency,
    }.items():
        setattr(engagement, name, value)
    engagement.save()
    if not person.projects.filter(pk=session.project_id).exists():
        person.projects.add(session.project)
    # The player is owed the wages; pension and health go to the funds on their behalf.
    Payment.objects.update_or_create(
        engagement=engagement,
        defaults={
            "person": person,
            "project_id": session.project_id,
            "amount": fee.wages,
            "currency": fee.currency,
        },
    )
    return engagement


@transaction.atomic
def engagement_delete(*, engagement: Engagement) -> None:
    engagement, payment = _lock_engagement_and_payment(engagement_id=engagement.pk)
    if payment is not None:
        if payment.status != Payment.Status.PENDING:
            raise Conflict(
                f"Its payment is already {payment.get_status_display().lower()}; keep the record.",
                code="payment_approved",
            )
        payment.delete()
    engagement.delete()


@transaction.atomic
def take_update(*, take: Take, **fields: Unpack[TakeChanges]) -> Take:
    """Change a take; its song and number stay unique in the session."""
    renamed = "song" in fields and fields["song"] != take.song
    assign_details(take, fields, TakeChanges)
    if renamed or take.linked_song_id is None:
        take.linked_song = (
            song_for_take(project=take.session.project, title=take.song)
            if take.song.strip()
            else None
        )
    clash = Take.objects.filter(session=take.session, song=take.song, number=take.number)
    if clash.exclude(pk=take.pk).exists():
        raise ValidationError(
            {"number": f"{take.song} already has a take {take.number} in this session."}
        )
    take.full_clean()
    take.save()
    return take


@transaction.atomic
def take_create(
    *, session: Session, song: str, number: int | None = None, **fields: Unpack[TakeDetails]
) -> Take:
    """Log a take; without a number it is the next one for that song."""
    if number is None:
        last = Take.objects.filter(session=session, song=song).order_by("-number").first()
        number = (last.number + 1) if last else 1
    elif Take.objects.filter(session=session, song=song, number=number).exists():
        raise ValidationError({"number": f"{song} already has a take {number} in this session."})
    take = Take(session=session, song=song, number=number)
    take.linked_song = song_for_take(project=session.project, title=song) if song.strip() else None
    assign_details(take, fields, TakeDetails)
    take.full_clean()
    take.save()
    return take


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


def _lock_engagement_and_payment(*, engagement_id: int) -> tuple[Engagement, Payment | None]:
    """Lock an engagement and then its payment, always in that order.

    An edit reprices the engagement and rewrites the pending payment's amount; an approval
    fixes that amount. Each must see the other's committed result: with the payment read
    unlocked, an edit could pass the "still pending" check, wait while the approval commits,
    and then overwrite the approved amount. One order for every writer (engagement, then
    payment) also means two of them never wait on each other in a cycle.
    """
    engagement = Engagement.objects.select_for_update().get(pk=engagement_id)
    payment = Payment.objects.select_for_update().filter(engagement_id=engagement_id).first()
    return engagement, payment


@transaction.atomic
def payment_approve(*, payment: Payment, by: User) -> Payment:
    _, locked = _lock_engagement_and_payment(engagement_id=payment.engagement_id)
    if locked is None:
        raise Conflict("The payment's engagement was removed.")
    payment = locked
    if payment.status != Payment.Status.PENDING:
        raise Conflict(f"The payment is already {payment.get_status_display().lower()}.")
    payment.status = Payment.Status.APPROVED
    payment.approved_at = timezone.now()
    payment.approved_by = by
    payment.save()
    return payment


@transaction.atomic
def payment_pay(
    *, payment: Payment, paid_on: datetime.date, method: str, reference: str = ""
) -> Payment:
    _, locked = _lock_engagement_and_payment(engagement_id=payment.engagement_id)
    if locked is None:
        raise Conflict("The payment's engagement was removed.")
    payment = locked
    if payment.status != Payment.Status.APPROVED:
        raise Conflict(
            "Only an approved payment can be paid; "
            f"this one is {payment.get_status_display().lower()}."
        )
    if method not in Payment.Method.values:
        raise ValidationError({"method": f"One of {', '.join(Payment.Method.values)}."})
    payment.status = Payment.Status.PAID
    payment.paid_on = paid_on
    payment.method = method
    payment.reference = reference
    payment.save()
    return payment


@transaction.atomic
def pay_statement_issue(
    *,
    engagement: Engagement,
    payer_name: str = "",
    payer_address: str = "",
    payer_tax_id: str = "",
) -> PayStatement:
    """Number the engagement's pay statement and date it today, with the payer's details.

    Left blank, the payer is the one on the project's last statement (typed once per
    production), and the name falls back to the project's client (who pays). A statement is
    issued once its payment is approved, so the amount it states no longer changes.
    """
    # The project's row lock is the queue for its numbers: two issues never read the same
    # last sequence.
    project = Project.objects.select_for_update().get(pk=engagement.session.project_id)
    existing = PayStatement.objects.filter(engagement=engagement).first()
    if existing is not None:
        raise Conflict(
            f"This engagement's statement is already issued: {existing.number}.",
            code="pay_statement_issued",
        )
    payment = Payment.objects.filter(engagement=engagement).first()
    if payment is None or payment.status == Payment.Status.PENDING:
        raise Conflict(
            "Approve the payment first: a numbered statement states an amount that is fixed.",
            code="payment_pending",
        )
    previous = PayStatement.objects.filter(project=project).order_by("-created_at", "-pk").first()
    if not payer_name and not payer_address and previous is not None:
        payer_name, payer_address = previous.payer_name, previous.payer_address
        payer_tax_id = payer_tax_id or previous.payer_tax_id
    payer_name = payer_name.strip() or project.client.strip()
    if not payer_name:
        raise ValidationError({"payer_name": "Who pays the player: a name is required."})
    if not payer_address.strip():
        raise ValidationError({"payer_address": "The payer's postal address is required."})
    today = timezone.localdate()
    last = PayStatement.objects.filter(project=project, year=today.year).aggregate(
        n=Max("sequence")
    )["n"]
    sequence = (last or 0) + 1
    statement = PayStatement(
        engagement=engagement,
        project=project,
        year=today.year,
        sequence=sequence,
        number=f"PS-{project.pk}-{today.year}-{sequence:04d}",
        issued_on=today,
        payer_name=payer_name,
        payer_address=payer_address.strip(),
        payer_tax_id=payer_tax_id.strip(),
    )
    statement.full_clean()
    statement.save()
    return statement


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


def _rule_params(*, kind: str, params: object, currency: str) -> dict[str, str]:
    """The rule's parameters checked for its kind and kept as decimal strings."""
    try:
        values = rates.validate_params(kind, params, currency=currency)
    except rates.RuleError as error:
        raise ValidationError({"params": [f"{k}: {v}" for k, v in error.errors.items()]}) from error
    return {name: str(value) for name, value in values.items()}


class RateRuleChanges(TypedDict, total=False):
    """What an edit may change on a project's rate rule; it stays with its project."""

    name: str
    kind: str
    currency: str
    params: dict[str, object]
    source: str


@transaction.atomic
def rate_rule_create(
    *,
    project: Project,
    name: str,
    kind: str,
    currency: str,
    params: Mapping[str, object],
    source: str = "",
) -> RateRule:
    """A project's own rate rule, its parameters checked for its kind. Presets (no project)
    come with the app and are never written here."""
    rule = RateRule(
        project=project,
        name=name,
        kind=kind,
        currency=currency,
        params=_rule_params(kind=kind, params=dict(params), currency=currency),
        source=source,
    )
    rule.full_clean()
    rule.save()
    return rule


@transaction.atomic
def rate_rule_update(*, rule: RateRule, **fields: Unpack[RateRuleChanges]) -> RateRule:
    """Change a project's rule; engagements already priced keep the fee they were given."""
    if rule.project_id is None:
        raise ValidationError({"project": "Presets are shared: copy one into your project."})
    rule = RateRule.objects.select_for_update().get(pk=rule.pk)
    assign_details(rule, fields, RateRuleChanges)
    rule.params = _rule_params(kind=rule.kind, params=rule.params, currency=rule.currency)
    rule.full_clean()
    rule.save()
    return rule


@transaction.atomic
def payee_save(
    *,
    person: Person,
    tax_status: str,
    vat_number: str = "",
    legal_name: str = "",
    address: str = "",
) -> PayeeDetails:
    """Create or change a person's payee details; a VAT number is checked and normalised."""
    details = PayeeDetails.objects.select_for_update().filter(person=person).first()
    details = details or PayeeDetails(person=person)
    details.tax_status = tax_status
    details.vat_number = vat_number
    details.legal_name = legal_name
    details.address = address
    details.clean()  # normalises the VAT number
    details.full_clean()
    details.save()
    return details
