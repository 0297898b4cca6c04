"""HTML pages of budgets: the budget page with its chart and burn-down, costs, invoices. Each
page reads through budgets.selectors and writes through budgets.services, as the API does."""

from budgets.views.billing_pages import (
    billing_milestone_add,
    billing_milestone_delete,
    billing_milestone_edit,
    billing_milestone_reach,
    billing_plan,
    billing_plan_check,
)
from budgets.views.budget_pages import (
    budget_approve,
    budget_create,
    budget_detail,
    budget_index,
    budget_line_add,
    budget_line_delete,
    budget_line_edit,
    budget_reforecast,
)
from budgets.views.cost_pages import cost_delete, cost_edit, cost_list, cost_receipt
from budgets.views.invoice_pages import (
    invoice_credit,
    invoice_detail,
    invoice_from_project,
    invoice_issue,
    invoice_line_add,
    invoice_line_delete,
    invoice_line_edit,
    invoice_list,
    invoice_pay,
)
from budgets.views.song_cost_pages import budget_song_costs

__all__ = [
    "billing_milestone_add",
    "billing_milestone_delete",
    "billing_milestone_edit",
    "billing_milestone_reach",
    "billing_plan",
    "billing_plan_check",
    "budget_approve",
    "budget_create",
    "budget_detail",
    "budget_index",
    "budget_line_add",
    "budget_line_delete",
    "budget_line_edit",
    "budget_reforecast",
    "budget_song_costs",
    "cost_delete",
    "cost_edit",
    "cost_list",
    "cost_receipt",
    "invoice_credit",
    "invoice_detail",
    "invoice_from_project",
    "invoice_issue",
    "invoice_line_add",
    "invoice_line_delete",
    "invoice_line_edit",
    "invoice_list",
    "invoice_pay",
]
