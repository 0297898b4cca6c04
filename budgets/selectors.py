"""The budget report: planned against committed and actual money, all of it derived.

Committed: confirmed bookings (their frozen quotes), approved musician payments, ordered costs.
Actual: paid payments, paid costs, cancellation fees. Nothing is copied into a ledger: each
figure is summed from where it lives, in a fixed number of queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import DecimalField, F, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from budgets.models import (
    Budget,
    BudgetLine,
    Category,
    Cost,
    Invoice,
    InvoiceLine,
    InvoiceSeries,
    issuer_key,
)
from budgets.models.billing import BillingMilestone, BillingPlan
from core.money import round_money
from projects.models import Project
from sessions.models import Engagement, Payment
from studio.models import Booking

ROLE_CATEGORY = {
    Engagement.Role.VOCALIST: Category.VOCALISTS,
    Engagement.Role.ENGINEER: Category.ENGINEERS,
    Engagement.Role.ASSISTANT: Category.ENGINEERS,
}


@dataclass
class CategoryRow:
    category: str
    label: str
    planned: Decimal = Decimal(0)
    committed: Decimal = Decimal(0)
    actual: Decimal = Decimal(0)
    recoupable: Decimal = Decimal(0)
    compared_planned: Decimal | None = None
    # The total's forecast is the sum of the categories' forecasts, not max(plan, spent) of
    # the sums: one category's overspend is not hidden by another's slack.
    forecast_sum: Decimal | None = None

    @property
    def spent(self) -> Decimal:
        return self.committed + self.actual

    @property
    def remaining(self) -> Decimal:
        return self.planned - self.spent

    @property
    def forecast(self) -> Decimal:
        """At completion: what is spent, or the plan if more of it is still to spend."""
        if self.forecast_sum is not None:
            return self.forecast_sum
        return max(self.planned, self.spent)

    @property
    def variance(self) -> Decimal:
        return self.planned - self.forecast


@dataclass
class BudgetReport:
    budget: Budget
    rows: list[CategoryRow]
    total: CategoryRow
    warnings: list[str] = field(default_factory=list)
    compared_with: Budget | None = None
    # The allowance the contingency percentage puts on top of the lines' plan, and the
    # ceiling it makes: what the header's "contingency 10 %" amounts to, in money.
    contingency: Decimal = Decimal("0.00")
    ceiling: Decimal = Decimal("0.00")


def headline_budget(*, project_id: int) -> Budget | None:
    """The project's budget to show first: the approved version (the plan everyone agreed
    on), else the latest draft; one query."""
    return (
        Budget.objects.filter(project_id=project_id)
        .select_related("project")
        .order_by(F("approved_at").desc(nulls_last=True), "-version")
        .first()
    )


def budget_report(*, budget: Budget, compare: Budget | None = None) -> BudgetReport:
    """The report of ``budget``, its plan set beside ``compare``'s (by default the latest
    approved version, when that is another one)."""
    project, currency = budget.project, budget.currency
    rows, compare = _planned_rows(budget, compare)
    warnings: list[str] = []
    _add_studio_time(rows, project=project, currency=currency, warnings=warnings)
    _add_payments(rows, project=project, currency=currency, warnings=warnings)
    _add_costs(rows, project=project)
    ordered, total = _rounded_with_total(rows, currency=currency, compared=compare is not None)
    ceiling = _forecast_against_plan(total, ordered, budget=budget, warnings=warnings)
    return BudgetReport(
        budget=budget,
        rows=ordered,
        total=total,
        warnings=sorted(set(warnings)),
        compared_with=compare,
        contingency=ceiling - total.planned,
        ceiling=ceiling,
    )


def _planned_rows(
    budget: Budget, compare: Budget | None
) -> tuple[dict[str, CategoryRow], Budget | None]:
    """One row per category with the plan of ``budget`` and of the version compared with,
    and that version (found here when not given)."""
    project = budget.project
    # One query for the lines of this version and of the one compared with: by default the
    # latest approved other version, found by a subquery rather than a query of its own.
    if compare is not None:
        other: Any = compare.pk
    else:
        other = Subquery(
            Budget.objects.filter(project=project, approved_at__isnull=False)
            .exclude(pk=budget.pk)
            .order_by("-version")
            .values("pk")[:1]
        )
    rows = {value: CategoryRow(value, label) for value, label in Category.choices}
    compared_id = None
    for line in BudgetLine.objects.filter(Q(budget=budget) | Q(budget=other)).values(
        "budget_id", "category", "planned"
    ):
        entry = rows[line["category"]]
        if line["budget_id"] == budget.pk:
            entry.planned += line["planned"]
        else:
            compared_id = line["budget_id"]
            entry.compared_planned = (entry.compared_planned or Decimal(0)) + line["planned"]
    if compare is None and compared_id is not None:
        compare = Budget(pk=compared_id, project=project)
    return rows, compare


def _add_studio_time(
    rows: dict[str, CategoryRow], *, project: Project, currency: str, warnings: list[str]
) -> None:
    """Confirmed bookings' quotes are committed, cancellation fees actual."""
    bookings = (
        Booking.objects.filter(project=project)
        .values("status", "room__studio__currency")
        .annotate(quoted=Sum("quoted_amount"), fees=Sum("cancellation_fee"))
    )
    for row in bookings:
        if row["room__studio__currency"] != currency:
            warnings.append(
                f"Studio time in {row['room__studio__currency']} is left out: "
                f"the budget is in {currency}."
            )
            continue
        if row["status"] == Booking.Status.CONFIRMED:
            rows[Category.STUDIO_TIME].committed += row["quoted"] or 0
        elif row["status"] == Booking.Status.CANCELLED:
            rows[Category.STUDIO_TIME].actual += row["fees"] or 0


def _add_payments(
    rows: dict[str, CategoryRow], *, project: Project, currency: str, warnings: list[str]
) -> None:
    """Approved payments are committed, paid ones actual, in the category of the player's role."""
    payments = (
        Payment.objects.filter(
            project=project, status__in=[Payment.Status.APPROVED, Payment.Status.PAID]
        )
        .values("status", "currency", "engagement__role")
        .annotate(total=Sum("amount"))
    )
    for row in payments:
        if row["currency"] != currency:
            warnings.append(
                f"Payments in {row['currency']} are left out: the budget is in {currency}."
            )
            continue
        category = ROLE_CATEGORY.get(row["engagement__role"], Category.MUSICIANS)
        target = "actual" if row["status"] == Payment.Status.PAID else "committed"
        setattr(rows[category], target, getattr(rows[category], target) + row["total"])


def _add_costs(rows: dict[str, CategoryRow], *, project: Project) -> None:
    """Paid costs are actual, the others committed (already in the budget's currency)."""
    costs = (
        Cost.objects.filter(project=project)
        .values("category", "status", "recoupable")
        .annotate(total=Sum("amount_converted"))
    )
    for row in costs:
        target = "actual" if row["status"] == Cost.Status.PAID else "committed"
        entry = rows[row["category"]]
        setattr(entry, target, getattr(entry, target) + row["total"])
        if row["recoupable"]:
            entry.recoupable += row["total"]


def _rounded_with_total(
    rows: dict[str, CategoryRow], *, currency: str, compared: bool
) -> tuple[list[CategoryRow], CategoryRow]:
    """The rows rounded to the currency's cents, and their total."""
    ordered = []
    for entry in rows.values():
        # SQLite sums decimals as floats: every figure goes back to the currency's cents.
        for name in ("planned", "committed", "actual", "recoupable"):
            setattr(entry, name, round_money(getattr(entry, name), currency))
        ordered.append(entry)
    total = CategoryRow("total", "Total")
    for name in ("planned", "committed", "actual", "recoupable"):
        setattr(total, name, sum((getattr(e, name) for e in ordered), Decimal("0.00")))
    if compared:
        for entry in ordered:
            entry.compared_planned = round_money(entry.compared_planned or Decimal(0), currency)
        total.compared_planned = sum(
            (e.compared_planned or Decimal(0) for e in ordered), Decimal("0.00")
        )
    return ordered, total


def _forecast_against_plan(
    total: CategoryRow, ordered: list[CategoryRow], *, budget: Budget, warnings: list[str]
) -> Decimal:
    """Set the total's forecast, warn when it passes the plan, and return the ceiling (the
    plan with its contingency)."""
    currency = budget.currency
    forecast = sum((e.forecast for e in ordered), Decimal("0.00"))
    total.forecast_sum = forecast
    ceiling = round_money(total.planned * (1 + budget.contingency_percent / 100), currency)
    if forecast > ceiling:
        warnings.append(
            f"The forecast ({forecast} {currency}) passes the plan "
            f"with its contingency ({ceiling})."
        )
    elif forecast > total.planned:
        warnings.append(f"The forecast ({forecast} {currency}) passes the plan ({total.planned}).")
    return ceiling


@dataclass
class InvoiceTotals:
    line_nets: list[Decimal]
    by_rate: dict[Decimal, tuple[Decimal, Decimal]]  # rate -> (net, tax)
    net: Decimal
    tax: Decimal
    gross: Decimal


def invoice_totals(*, invoice: Invoice, lines: list[InvoiceLine]) -> InvoiceTotals:
    """Each line's net rounded half-up; tax per rate on the sum of that rate's nets, so the
    invoice's total is the sum of what it prints, to the cent."""
    currency = invoice.currency
    nets = [round_money(line.quantity * line.unit_price, currency) for line in lines]
    by_rate: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for line, net in zip(lines, nets, strict=True):
        rate = line.tax_rate
        previous = by_rate.get(rate, (Decimal("0.00"), Decimal("0.00")))[0]
        by_rate[rate] = (previous + net, Decimal(0))
    by_rate = {
        rate: (net, round_money(net * rate / 100, currency)) for rate, (net, _) in by_rate.items()
    }
    net = sum(nets, Decimal("0.00"))
    tax = sum((tax for _, tax in by_rate.values()), Decimal("0.00"))
    return InvoiceTotals(line_nets=nets, by_rate=by_rate, net=net, tax=tax, gross=net + tax)


@dataclass
class BurnPoint:
    day: datetime.date
    spent: Decimal


def burn_down(*, budget: Budget) -> list[BurnPoint]:
    """Cumulative actual spend by month: paid costs, paid payments and cancellation fees, in
    the budget's currency (three queries)."""
    project, currency = budget.project, budget.currency
    by_month: dict[datetime.date, Decimal] = {}

    def add(day: datetime.date | None, amount: Decimal | None) -> None:
        if day is None or amount is None:
            return
        month = day.replace(day=1)
        by_month[month] = by_month.get(month, Decimal(0)) + amount

    for day, amount in Cost.objects.filter(project=project, status=Cost.Status.PAID).values_list(
        "date", "amount_converted"
    ):
        add(day, amount)
    for paid_on, paid in Payment.objects.filter(
        project=project, status=Payment.Status.PAID, currency=currency
    ).values_list("paid_on", "amount"):
        add(paid_on, paid)
    for when, fee in Booking.objects.filter(
        project=project, cancellation_fee__gt=0, room__studio__currency=currency
    ).values_list("cancelled_at", "cancellation_fee"):
        add(when.date() if when else None, fee)
    points, running = [], Decimal(0)
    for month in sorted(by_month):
        running += by_month[month]
        points.append(BurnPoint(month, round_money(running, currency)))
    return points


def _next_month(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1)


def burn_down_series(*, budget: Budget, today: datetime.date) -> list[BurnPoint]:
    """The burn-down to draw: one point per month, without gaps, from nothing spent (the
    month before the first spend, or the project's start if earlier) to this month, each
    month carrying the cumulative spend of ``burn_down``. Empty when nothing is paid."""
    points = burn_down(budget=budget)
    if not points:
        return []
    first = points[0].day
    zero = (first - datetime.timedelta(days=1)).replace(day=1)
    start_date = budget.project.start_date
    if start_date is not None and start_date.replace(day=1) < zero:
        zero = start_date.replace(day=1)
    last = max(points[-1].day, today.replace(day=1))
    spent_by_month = {point.day: point.spent for point in points}
    series, running, month = [], Decimal("0.00"), zero
    while month <= last:
        running = spent_by_month.get(month, running)
        series.append(BurnPoint(month, running))
        month = _next_month(month)
    return series


# --- what is billed ---------------------------------------------------------------------------


def billing_lines(*, project_id: int) -> QuerySet[InvoiceLine]:
    """The invoice lines that bill a booking or an engagement of the project and still stand:
    on an invoice that is not cancelled, and not taken back in full by issued credit notes.
    A credited (cancelled) invoice frees what it billed, to be invoiced again."""
    return (
        InvoiceLine.objects.filter(
            invoice__project_id=project_id, invoice__kind=Invoice.Kind.INVOICE
        )
        .filter(Q(booking__isnull=False) | Q(engagement__isnull=False))
        .exclude(invoice__status=Invoice.Status.CANCELLED)
        .annotate(
            credited=Coalesce(
                Sum(
                    "credited_by__quantity",
                    filter=Q(credited_by__invoice__status=Invoice.Status.ISSUED),
                ),
                Value(Decimal(0)),
                output_field=DecimalField(max_digits=12, decimal_places=3),
            )
        )
        # Credit notes carry negative quantities: what is left is the sum.
        .filter(quantity__gt=-F("credited"))
        .select_related("invoice")
    )


@dataclass
class Billed:
    """Where bookings and engagements of a project are billed: their id -> the invoice."""

    bookings: dict[int, Invoice]
    engagements: dict[int, Invoice]


def billed_items(*, project_id: int) -> Billed:
    billed = Billed(bookings={}, engagements={})
    for line in billing_lines(project_id=project_id):
        if line.booking_id is not None:
            billed.bookings.setdefault(line.booking_id, line.invoice)
        if line.engagement_id is not None:
            billed.engagements.setdefault(line.engagement_id, line.invoice)
    return billed


def invoice_label(invoice: Invoice) -> str:
    """How a page names the invoice something is billed on: its number, or the draft."""
    return invoice.number or f"draft invoice #{invoice.pk}"


def invoice_next_number(*, invoice: Invoice, today: datetime.date) -> str:
    """The number issuing would give now (another issue may take it first)."""
    last = (
        InvoiceSeries.objects.filter(
            issuer_key=issuer_key(name=invoice.issuer_name, vat=invoice.issuer_vat),
            prefix=invoice.series,
            year=today.year,
        )
        .values_list("last_number", flat=True)
        .first()
    ) or 0
    return f"{invoice.series}-{today.year}-{last + 1:04d}"


ISSUER_FIELDS = ("issuer_name", "issuer_address", "issuer_vat", "issuer_iban", "issuer_bic")


def invoice_issuer_defaults(*, project: Project) -> dict[str, str]:
    """The issuer's details for a new draft: the settings' (INVOICE_ISSUER_*) when they name
    one, else as the project's last invoice carried them, else blank to fill in."""
    if settings.INVOICE_ISSUER_NAME:
        return {
            "issuer_name": settings.INVOICE_ISSUER_NAME,
            "issuer_address": settings.INVOICE_ISSUER_ADDRESS,
            "issuer_vat": settings.INVOICE_ISSUER_VAT,
            "issuer_iban": settings.INVOICE_ISSUER_IBAN,
            "issuer_bic": settings.INVOICE_ISSUER_BIC,
        }
    last = (
        Invoice.objects.filter(project=project, kind=Invoice.Kind.INVOICE)
        .order_by("-created_at", "-id")
        .values(*ISSUER_FIELDS)
        .first()
    )
    return dict(last) if last else dict.fromkeys(ISSUER_FIELDS, "")


def invoice_recipient_defaults(*, project: Project) -> dict[str, str]:
    """The client's details for a new draft: as the project's last invoice carried them (an
    address is typed once), else the project's client by name."""
    last = (
        Invoice.objects.filter(project=project, kind=Invoice.Kind.INVOICE)
        .order_by("-created_at", "-id")
        .values("recipient_name", "recipient_address", "recipient_vat", "recipient_email")
        .first()
    )
    if last is not None and (not project.client or last["recipient_name"] == project.client):
        return {name: str(value) for name, value in last.items()}
    return {
        "recipient_name": project.client or project.artist,
        "recipient_address": "",
        "recipient_vat": "",
        "recipient_email": "",
    }


def credited_so_far(*, invoice: Invoice) -> dict[int, Decimal]:
    """Per line of ``invoice``, the quantity its issued credit notes took back."""
    rows = (
        InvoiceLine.objects.filter(
            credits_line__invoice=invoice, invoice__status=Invoice.Status.ISSUED
        )
        .values("credits_line")
        .annotate(total=Sum("quantity"))
    )
    return {row["credits_line"]: -row["total"] for row in rows}


def milestone_amount(plan: BillingPlan, milestone: BillingMilestone) -> Decimal | None:
    """What the milestone bills: its amount, or its percent of the plan's total, rounded."""
    if milestone.amount is not None:
        return milestone.amount
    if milestone.percent is None or plan.total_fee is None:
        return None
    return round_money(plan.total_fee * milestone.percent / 100, plan.currency)
