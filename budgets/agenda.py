"""Today's overdue invoices: issued, unpaid, past their due date (registered from
BudgetsConfig.ready; see projects.agenda for why a registry)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch

from budgets.models import Invoice, InvoiceLine
from budgets.selectors import invoice_totals
from core.users import AnyUser
from projects.agenda import AgendaSection, register_section
from projects.permissions import Capability, projects_with


def read_overdue(user: AnyUser, today: datetime.date, now: datetime.datetime) -> dict[str, Any]:
    """Issued invoices past due on projects whose money the user sees. Two queries: the
    invoices and their lines (for the amount owed)."""
    invoices = (
        Invoice.objects.filter(
            project__in=projects_with(user, Capability.BUDGET_VIEW),
            kind=Invoice.Kind.INVOICE,
            status=Invoice.Status.ISSUED,
            due_date__lt=today,
        )
        .select_related("project")
        .prefetch_related(
            Prefetch("lines", queryset=InvoiceLine.objects.order_by("pk"), to_attr="all_lines")
        )
        .order_by("due_date", "pk")
    )
    rows = [
        {
            "invoice": invoice,
            "gross": invoice_totals(invoice=invoice, lines=invoice.all_lines).gross,
            "days_late": (today - invoice.due_date).days,  # type: ignore[operator]
        }
        for invoice in invoices
    ]
    return {"rows": rows}


register_section(
    AgendaSection(
        key="overdue-invoices",
        title="Overdue invoices",
        template="budgets/partials/agenda_overdue.html",
        order=50,
        read=read_overdue,
        empty="No invoice is overdue.",
        hide_empty=True,
    )
)
