"""Budgets (versions from the template, approval), their lines, and costs."""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import partial
from typing import Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from budgets.models import (
    Budget,
    BudgetLine,
    Category,
    Cost,
)
from budgets.services.details import (
    BudgetLineDetails,
    CostDetails,
    exact_amount,
)
from core.details import assign_details
from core.errors import Conflict
from core.money import round_money
from projects.models import Project


@transaction.atomic
def budget_create(
    *, project: Project, contingency_percent: Decimal | None = None, notes: str = ""
) -> Budget:
    """A new version: the record-budget template for a first budget, a copy of the latest
    version's lines for a re-forecast."""
    Project.objects.select_for_update().filter(pk=project.pk).first()
    versions = Budget.objects.filter(project=project)
    latest = versions.order_by("-version").first()
    budget = Budget.objects.create(
        project=project,
        version=(versions.aggregate(n=Max("version"))["n"] or 0) + 1,
        currency=project.currency,
        contingency_percent=contingency_percent
        if contingency_percent is not None
        else (latest.contingency_percent if latest else Decimal(10)),
        notes=notes,
    )
    if latest is None:
        lines = [BudgetLine(budget=budget, category=category) for category in Category.values]
    else:
        lines = [
            BudgetLine(
                budget=budget,
                category=line.category,
                description=line.description,
                planned=line.planned,
            )
            for line in latest.lines.all()
        ]
    BudgetLine.objects.bulk_create(lines)
    return budget


def _require_draft(budget: Budget) -> None:
    if budget.is_approved:
        raise Conflict(
            f"Version {budget.version} is approved and kept as it is; "
            "make a new version to re-forecast.",
            code="approved",
        )


@transaction.atomic
def budget_approve(*, budget: Budget) -> Budget:
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    _require_draft(budget)
    budget.approved_at = timezone.now()
    budget.save(update_fields=["approved_at"])
    return budget


@transaction.atomic
def budget_delete(*, budget: Budget) -> None:
    """Delete a draft version with its lines; an approved one is the record of what was agreed
    and stays (a re-forecast is a new version)."""
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    _require_draft(budget)
    budget.delete()


@transaction.atomic
def budget_line_save(
    *, budget: Budget, line: BudgetLine | None = None, **fields: Unpack[BudgetLineDetails]
) -> BudgetLine:
    _require_draft(budget)
    line = line or BudgetLine(budget=budget)
    assign_details(line, fields, BudgetLineDetails)
    if "planned" in fields:
        line.planned = exact_amount(fields["planned"], budget.currency, "planned")
    line.full_clean()
    line.save()
    return line


@transaction.atomic
def budget_line_delete(*, line: BudgetLine) -> None:
    _require_draft(line.budget)
    line.delete()


@transaction.atomic
def cost_save(
    *,
    project: Project,
    amount: Decimal,
    currency: str,
    exchange_rate: Decimal | None = None,
    cost: Cost | None = None,
    **fields: Unpack[CostDetails],
) -> Cost:
    """Create or change a cost; in a foreign currency the rate of its date converts it."""
    amount = exact_amount(amount, currency, "amount")
    if currency == project.currency:
        if exchange_rate not in (None, Decimal(1)):
            raise ValidationError(
                {"exchange_rate": "A cost in the project's currency has no exchange rate."}
            )
        exchange_rate = Decimal(1)
    elif exchange_rate is None or exchange_rate <= 0:
        raise ValidationError(
            {"exchange_rate": f"Give the {currency}→{project.currency} rate of the cost's date."}
        )
    cost = cost or Cost(project=project)
    assign_details(cost, fields, CostDetails)
    cost.amount, cost.currency, cost.exchange_rate = amount, currency, exchange_rate
    cost.amount_converted = round_money(amount * exchange_rate, project.currency)
    if cost.date and cost.date > timezone.now().date() + datetime.timedelta(days=366):
        raise ValidationError(
            {"date": "A cost more than a year ahead is a plan: put it in the budget."}
        )
    if cost.song is not None and cost.song.project_id != project.pk:
        raise ValidationError({"song": "Not a song of this cost's project."})
    cost.full_clean()
    cost.save()
    return cost


@transaction.atomic
def cost_delete(*, cost: Cost) -> None:
    """Delete a cost entered by hand, and its receipt's file once the row is gone for good (a
    delete rolled back keeps both). Nothing else names a cost: an invoice drafted from one
    copied its amount and text, so there is no rule against deleting it."""
    # Read under the row's lock: a receipt replaced at this moment is the file removed.
    cost = Cost.objects.select_for_update().get(pk=cost.pk)
    receipt = cost.receipt.name if cost.receipt else ""
    storage = cost.receipt.storage
    cost.delete()
    if receipt:
        transaction.on_commit(partial(storage.delete, receipt))
