"""The project hub's money panel: the budget headline, open payments and open invoices, for the
roles that see money (registered from BudgetsConfig.ready; see projects.hub for why a registry)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from budgets.models import Invoice, InvoiceLine
from budgets.models.billing import BillingMilestone
from budgets.selectors import budget_report, headline_budget, invoice_totals, milestone_amount
from core.users import AnyUser
from projects.hub import HubPanel, register_panel
from projects.models import Project
from projects.permissions import Capability
from sessions.models import Payment

SHOWN = 5


def money_panel(project: Project, user: AnyUser) -> dict[str, Any]:
    """The headline is the approved version's (the plan everyone agreed on), else the latest
    draft's; then open payments, open invoices and where the billing plan stands. A fixed
    number of queries whatever the number of rows."""
    budget = headline_budget(project_id=project.pk)
    report = budget_report(budget=budget) if budget else None
    open_payments = Payment.objects.filter(
        project=project, status__in=[Payment.Status.PENDING, Payment.Status.APPROVED]
    )
    payments = list(open_payments.select_related("person").order_by("created_at", "pk")[:SHOWN])
    payment_count = open_payments.count()
    open_invoices = Invoice.objects.filter(
        project=project, status__in=[Invoice.Status.DRAFT, Invoice.Status.ISSUED]
    )
    invoices = list(
        open_invoices.prefetch_related(
            Prefetch("lines", queryset=InvoiceLine.objects.order_by("pk"), to_attr="all_lines")
        ).order_by("created_at", "pk")[:SHOWN]
    )
    invoice_rows = [
        {"invoice": i, "gross": invoice_totals(invoice=i, lines=i.all_lines).gross}
        for i in invoices
    ]
    return {
        "billing": _billing(project),
        "budget": budget,
        "total": report.total if report else None,
        "payments": payments,
        "payment_count": payment_count,
        "invoices": invoice_rows,
        "invoice_count": open_invoices.count(),
    }


def _billing(project: Project) -> list[dict[str, Any]]:
    """The billing plan's milestones in order, each with what it bills and, once reached, its
    invoice; one query. Empty without a plan (or with a plan of no milestones)."""
    milestones = (
        BillingMilestone.objects.filter(plan__project=project)
        .select_related("plan", "invoice")
        .order_by("position", "id")
    )
    return [
        {"milestone": milestone, "due": milestone_amount(milestone.plan, milestone)}
        for milestone in milestones
    ]


register_panel(
    HubPanel(
        key="money",
        title="Money",
        template="budgets/partials/hub_money.html",
        order=20,
        read=money_panel,
        capability=Capability.BUDGET_VIEW,
    )
)
