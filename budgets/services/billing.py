"""Milestone billing: a project's plan, its milestones, and drafting a milestone's invoice
once when it is reached (by a song's move, through budgets.milestones, or "check now")."""

from __future__ import annotations

from decimal import Decimal
from typing import TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone

from budgets.milestones import milestone_reached
from budgets.models import Invoice, VatExemption
from budgets.models.billing import BillingMilestone, BillingPlan, MilestoneKind
from budgets.selectors import milestone_amount
from budgets.services.details import exact_amount
from budgets.services.invoices import PARTY_FIELDS, _check_iban, invoice_create, invoice_line_save
from core.details import assign_details
from core.errors import Conflict
from core.money import round_money
from projects.models import Project
from songs.models import Song


class BillingParties(TypedDict, total=False):
    """Who bills whom on every draft of a plan."""

    issuer_name: str
    issuer_address: str
    issuer_vat: str
    issuer_iban: str
    issuer_bic: str
    recipient_name: str
    recipient_address: str
    recipient_vat: str
    recipient_email: str


class BillingPlanDetails(BillingParties, total=False):
    """What a caller may set on a plan; its project and currency are the project's."""

    total_fee: Decimal | None
    series: str
    payment_terms_days: int
    tax_rate: Decimal
    vat_exemption: str
    vat_exemption_reference: str


class MilestoneDetails(TypedDict, total=False):
    kind: str
    label: str
    amount: Decimal | None
    percent: Decimal | None
    position: int


# What a plan carries besides its project and currency (BillingPlanDetails' keys, in the order
# the page and the API show them).
PLAN_FIELDS = (
    "total_fee",
    "series",
    "payment_terms_days",
    *PARTY_FIELDS,
    "recipient_email",
    "tax_rate",
    "vat_exemption",
    "vat_exemption_reference",
)

# What a plan hands to every draft, as the invoice service names it.
INVOICE_FIELDS = (*PARTY_FIELDS, "recipient_email", "series", "payment_terms_days")


@transaction.atomic
def billing_plan_create(*, project: Project, **fields: Unpack[BillingPlanDetails]) -> BillingPlan:
    """The project's billing plan, in its currency; a project has one."""
    Project.objects.select_for_update().filter(pk=project.pk).first()
    if BillingPlan.objects.filter(project=project).exists():
        raise Conflict(f"{project} already has a billing plan: change that one.", code="exists")
    plan = BillingPlan(project=project, currency=project.currency)
    _apply(plan, fields)
    return plan


@transaction.atomic
def billing_plan_update(*, plan: BillingPlan, **fields: Unpack[BillingPlanDetails]) -> BillingPlan:
    """Change the plan; reached milestones keep the drafts they made (edit those on the
    invoice page)."""
    plan = BillingPlan.objects.select_for_update().get(pk=plan.pk)
    _apply(plan, fields)
    if plan.total_fee is None and _waiting_in_percent(plan).exists():
        raise ValidationError(
            {"total_fee": "Milestones in percent are shares of the total: keep a total fee."}
        )
    return plan


def _waiting_in_percent(plan: BillingPlan) -> QuerySet[BillingMilestone]:
    return plan.milestones.filter(percent__isnull=False, reached_at__isnull=True)


def _apply(plan: BillingPlan, fields: BillingPlanDetails) -> None:
    """Set and check the plan's fields, then save it. Every check a draft invoice would make
    is made here, so that a milestone reached while a song moves drafts without a refusal."""
    assign_details(plan, fields, BillingPlanDetails)
    if plan.total_fee is not None:
        plan.total_fee = exact_amount(plan.total_fee, plan.currency, "total_fee")
        if plan.total_fee <= 0:
            raise ValidationError({"total_fee": "A total fee is more than zero (or left out)."})
    plan.issuer_iban = _check_iban(plan.issuer_iban)
    if plan.vat_exemption and plan.vat_exemption not in VatExemption.values:
        raise ValidationError({"vat_exemption": f"Not a reason: {plan.vat_exemption!r}."})
    if plan.tax_rate is not None and plan.tax_rate != 0 and plan.vat_exemption:
        raise ValidationError(
            {"vat_exemption": f"Lines taxed at {plan.tax_rate.normalize():f} % are not exempt."}
        )
    if plan.vat_exemption_reference and not plan.vat_exemption:
        raise ValidationError(
            {"vat_exemption_reference": "A provision goes with a reason: give vat_exemption."}
        )
    plan.full_clean(exclude=["project"])
    # The invoice's own checks (series, email, lengths) on a draft made of the plan's fields.
    Invoice(
        project=plan.project,
        currency=plan.currency,
        **{name: getattr(plan, name) for name in INVOICE_FIELDS},
    ).full_clean(exclude=["project", "number", "issuer_key"])
    plan.save()


@transaction.atomic
def billing_milestone_save(
    *,
    plan: BillingPlan,
    milestone: BillingMilestone | None = None,
    **fields: Unpack[MilestoneDetails],
) -> BillingMilestone:
    """Add or change a milestone: an amount, or a percent of the plan's total (exactly one).
    A reached milestone has drafted its invoice and no longer changes. A deposit is reached
    as soon as it is saved: its invoice is drafted at once."""
    plan = BillingPlan.objects.select_for_update().select_related("project").get(pk=plan.pk)
    if milestone is not None:
        milestone = BillingMilestone.objects.get(pk=milestone.pk, plan=plan)
        _refuse_reached(milestone)
    milestone = milestone or BillingMilestone(plan=plan)
    assign_details(milestone, fields, MilestoneDetails)
    if milestone.kind not in MilestoneKind.values:
        raise ValidationError({"kind": f"Not a milestone: {milestone.kind!r}."})
    milestone.label = (milestone.label or "").strip() or MilestoneKind(milestone.kind).label
    _check_share(plan, milestone)
    milestone.full_clean(exclude=["plan", "invoice"])
    milestone.save()
    billing_check(project=plan.project)
    milestone.refresh_from_db()
    return milestone


def _check_share(plan: BillingPlan, milestone: BillingMilestone) -> None:
    amount, percent = milestone.amount, milestone.percent
    if (amount is None) == (percent is None):
        message = (
            "Give an amount or a percent of the total, not both."
            if amount is not None
            else "Give an amount, or a percent of the plan's total fee."
        )
        raise ValidationError({"amount": message, "percent": message})
    if amount is not None:
        milestone.amount = exact_amount(amount, plan.currency, "amount")
        if milestone.amount <= 0:
            raise ValidationError({"amount": "An instalment is more than zero."})
        return
    assert percent is not None  # noqa: S101  (one of the two, checked above)
    if plan.total_fee is None:
        raise ValidationError(
            {"percent": "A percent is a share of the plan's total fee: set the total first."}
        )
    if not Decimal(0) < percent <= Decimal(100) or percent != percent.quantize(Decimal("0.01")):
        raise ValidationError({"percent": "A percent is more than 0 and at most 100, to 0.01."})
    # SQLite sums decimals as floats: back to hundredths.
    others = round_money(
        plan.milestones.exclude(pk=milestone.pk).aggregate(total=Sum("percent"))["total"] or 0
    )
    if others + percent > 100:
        raise ValidationError(
            {"percent": f"The other milestones take {others:f} % already: at most 100 % in all."}
        )


def _refuse_reached(milestone: BillingMilestone) -> None:
    if milestone.reached_at is not None:
        raise Conflict(
            f"{milestone.label} was reached on {milestone.reached_at:%d %b %Y} and its invoice "
            "drafted: it no longer changes (edit or delete the draft on the invoice page).",
            code="milestone_reached",
        )


@transaction.atomic
def billing_milestone_delete(*, milestone: BillingMilestone) -> None:
    """Remove a milestone still waiting; a reached one stays with its invoice."""
    BillingPlan.objects.select_for_update().filter(pk=milestone.plan_id).first()
    milestone = BillingMilestone.objects.get(pk=milestone.pk)
    _refuse_reached(milestone)
    milestone.delete()


@transaction.atomic
def billing_plan_delete(*, plan: BillingPlan) -> None:
    """Remove a plan whose milestones all still wait; one reached has drafted its invoice, and
    the plan stays with it (as billing_milestone_delete keeps that milestone)."""
    plan = BillingPlan.objects.select_for_update().get(pk=plan.pk)
    reached = plan.milestones.filter(reached_at__isnull=False).order_by("position", "pk").first()
    if reached is not None:
        _refuse_reached(reached)
    plan.delete()


@transaction.atomic
def billing_milestone_reach(*, milestone: BillingMilestone) -> BillingMilestone:
    """Mark a waiting milestone reached now, whatever the songs say (the master went out by
    other means), and draft its invoice."""
    plan = (
        BillingPlan.objects.select_for_update().select_related("project").get(pk=milestone.plan_id)
    )
    milestone = BillingMilestone.objects.get(pk=milestone.pk)
    _refuse_reached(milestone)
    _draft(plan, milestone)
    return milestone


@transaction.atomic
def billing_check(*, project: Project) -> list[BillingMilestone]:
    """Draft the invoice of every waiting milestone of the project's plan that the songs'
    stages now reach; return those. The plan's row lock makes concurrent checks (two songs
    moved at once) take turns, and the second finds the milestone reached: each drafts once."""
    plan = (
        BillingPlan.objects.select_for_update()
        .select_related("project")
        .filter(project=project)
        .first()
    )
    if plan is None:
        return []
    waiting = list(plan.milestones.filter(reached_at__isnull=True).order_by("position", "pk"))
    if not waiting:
        return []
    stages = list(Song.objects.filter(project=project).values_list("stage", flat=True))
    skipped = plan.project.skipped_song_stages or []
    reached = [m for m in waiting if milestone_reached(m.kind, stages, skipped)]
    for milestone in reached:
        _draft(plan, milestone)
    return reached


def _draft(plan: BillingPlan, milestone: BillingMilestone) -> None:
    """The milestone's draft invoice, through the invoice services (series, parties and VAT as
    any draft), one line "<label>: <project>", linked to the milestone with the time."""
    amount = milestone_amount(plan, milestone)
    if amount is None:
        raise ValidationError({"percent": "A percent is a share of the plan's total fee."})
    project = plan.project
    invoice = invoice_create(
        project=project,
        currency=plan.currency,
        notes=f"{milestone.label}: an instalment of the billing plan.",
        **{name: getattr(plan, name) for name in INVOICE_FIELDS},
    )
    invoice_line_save(
        invoice=invoice,
        description=f"{milestone.label}: {project.title}",
        quantity=Decimal(1),
        unit_price=amount,
        tax_rate=plan.tax_rate,
        vat_exemption=plan.vat_exemption,
        vat_exemption_reference=plan.vat_exemption_reference,
    )
    milestone.reached_at = timezone.now()
    milestone.invoice = invoice
    milestone.save(update_fields=["reached_at", "invoice"])
