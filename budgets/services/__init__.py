"""Writes with rules for budgets: versions from the template, approval, costs, invoices.

One package, named parts: ``budgets`` (budgets, lines, costs), ``invoices`` (drafts, issuing,
payment, credit notes, reminders), ``from_project`` (a draft from the project's records),
``billing`` (milestone billing plans) and ``details`` (what a caller may set). Callers keep
writing ``services.invoice_issue(...)``.
"""

from budgets.services.billing import (
    billing_check,
    billing_milestone_delete,
    billing_milestone_reach,
    billing_milestone_save,
    billing_plan_create,
    billing_plan_update,
)
from budgets.services.budgets import (
    budget_approve,
    budget_create,
    budget_line_delete,
    budget_line_save,
    cost_delete,
    cost_save,
)
from budgets.services.details import (
    BudgetLineDetails,
    CostDetails,
    InvoiceDetails,
    InvoiceLineDetails,
)
from budgets.services.from_project import invoice_from_project
from budgets.services.invoices import (
    PARTY_FIELDS,
    invoice_create,
    invoice_credit,
    invoice_delete,
    invoice_issue,
    invoice_line_delete,
    invoice_line_save,
    invoice_pay,
    invoice_update,
    invoices_remind_overdue,
)

__all__ = [
    "PARTY_FIELDS",
    "BudgetLineDetails",
    "CostDetails",
    "InvoiceDetails",
    "InvoiceLineDetails",
    "billing_check",
    "billing_milestone_delete",
    "billing_milestone_reach",
    "billing_milestone_save",
    "billing_plan_create",
    "billing_plan_update",
    "budget_approve",
    "budget_create",
    "budget_line_delete",
    "budget_line_save",
    "cost_delete",
    "cost_save",
    "invoice_create",
    "invoice_credit",
    "invoice_delete",
    "invoice_from_project",
    "invoice_issue",
    "invoice_line_delete",
    "invoice_line_save",
    "invoice_pay",
    "invoice_update",
    "invoices_remind_overdue",
]
