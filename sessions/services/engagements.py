"""Engagements: who played on a session, checked and priced by their rate rule."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from core.errors import Conflict
from core.money import validate_amount
from projects.models import Person
from sessions import rates
from sessions.models import (
    Engagement,
    Payment,
    RateRule,
    Session,
)
from studio.rates import booked_hours
from studio.services.bookings import booking_people_changed


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
        engagement, payment = lock_engagement_and_payment(engagement_id=engagement.pk)
        if payment is not None and payment.status != Payment.Status.PENDING:
            raise Conflict(
                f"Its payment is already {payment.get_status_display().lower()}; "
                "the engagement can no longer change.",
                code="payment_approved",
            )
    before = engagement.person if engagement is not None else None
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
    if session.booking is not None and before != person:
        # A player new to a confirmed day gets its invitation; one swapped out, the cancellation.
        booking_people_changed(
            booking=session.booking,
            joined=[person],
            left=[before] if before is not None else [],
        )
    return engagement


@transaction.atomic
def engagement_delete(*, engagement: Engagement) -> None:
    engagement, payment = lock_engagement_and_payment(engagement_id=engagement.pk)
    if payment is not None:
        if payment.status != Payment.Status.PENDING:
            raise Conflict(
                f"Its payment is already {payment.get_status_display().lower()}; keep the record.",
                code="payment_approved",
            )
        payment.delete()
    engagement.delete()
    booking = engagement.session.booking
    if booking is not None:
        booking_people_changed(booking=booking, left=[engagement.person])


def lock_engagement_and_payment(*, engagement_id: int) -> tuple[Engagement, Payment | None]:
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
