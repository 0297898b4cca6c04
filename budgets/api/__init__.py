"""REST API of the money: ``budgets`` (versions, lines, costs, the report) and ``invoices``
(drafts, lines, issue, pay, credit notes, PDFs), ``billing`` (milestone billing plans);
``common`` holds what both use."""

from budgets.api.billing import BillingMilestoneViewSet, BillingPlanViewSet
from budgets.api.budgets import BudgetLineViewSet, BudgetViewSet, CostViewSet
from budgets.api.invoices import InvoiceLineViewSet, InvoiceViewSet

__all__ = [
    "BillingMilestoneViewSet",
    "BillingPlanViewSet",
    "BudgetLineViewSet",
    "BudgetViewSet",
    "CostViewSet",
    "InvoiceLineViewSet",
    "InvoiceViewSet",
]
