"""Paying players: approving and paying an engagement's payment, pay statements, payee details."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.errors import Conflict
from projects.models import Person, Project
from sessions.models import (
    Engagement,
    PayeeDetails,
    Payment,
    PayStatement,
)
from sessions.services.engagements import lock_engagement_and_payment

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def payment_approve(*, payment: Payment, by: User) -> Payment:
    _, locked = lock_engagement_and_payment(engagement_id=payment.engagement_id)
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
    _, locked = lock_engagement_and_payment(engagement_id=payment.engagement_id)
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


@transaction.atomic
def payee_details_delete(*, details: PayeeDetails) -> None:
    """Delete a person's payee details while nothing was approved or paid to them. After
    that the year's totals (``payee_year``) read their tax status for the 1099-NEC
    report: the details are corrected, not removed."""
    details = PayeeDetails.objects.select_for_update().select_related("person").get(pk=details.pk)
    owed = Payment.objects.filter(
        person=details.person, status__in=(Payment.Status.APPROVED, Payment.Status.PAID)
    )
    if owed.exists():
        raise Conflict(
            f"{details.person} has approved or paid payments: the year-end report reads "
            "these details. Change them instead.",
            code="payee_paid",
        )
    details.delete()
