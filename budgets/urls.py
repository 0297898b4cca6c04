from django.urls import path

from budgets import views

urlpatterns = [
    path("budgets/", views.budget_index, name="budget-index"),
    path("budgets/<int:pk>/", views.budget_detail, name="budget-detail"),
    path("projects/<int:pk>/budget/new/", views.budget_create, name="budget-create"),
    path("budgets/<int:pk>/approve/", views.budget_approve, name="budget-approve"),
    path("budgets/<int:pk>/reforecast/", views.budget_reforecast, name="budget-reforecast"),
    path("budgets/<int:pk>/lines/", views.budget_line_add, name="budget-line-add"),
    path("budget-lines/<int:pk>/", views.budget_line_edit, name="budget-line-edit"),
    path("budget-lines/<int:pk>/delete/", views.budget_line_delete, name="budget-line-delete"),
    path("budgets/<int:pk>/songs/", views.budget_song_costs, name="budget-song-costs"),
    path("projects/<int:pk>/billing/", views.billing_plan, name="billing-plan"),
    path("billing-plans/<int:pk>/check/", views.billing_plan_check, name="billing-plan-check"),
    path(
        "billing-plans/<int:pk>/milestones/",
        views.billing_milestone_add,
        name="billing-milestone-add",
    ),
    path(
        "billing-milestones/<int:pk>/", views.billing_milestone_edit, name="billing-milestone-edit"
    ),
    path(
        "billing-milestones/<int:pk>/delete/",
        views.billing_milestone_delete,
        name="billing-milestone-delete",
    ),
    path(
        "billing-milestones/<int:pk>/reach/",
        views.billing_milestone_reach,
        name="billing-milestone-reach",
    ),
    path("projects/<int:pk>/costs/", views.cost_list, name="cost-list"),
    path("costs/<int:pk>/edit/", views.cost_edit, name="cost-edit"),
    path("costs/<int:pk>/delete/", views.cost_delete, name="cost-delete"),
    path("costs/<int:pk>/receipt/", views.cost_receipt, name="cost-receipt"),
    path("invoices/", views.invoice_list, name="invoice-list"),
    path("projects/<int:pk>/invoices/new/", views.invoice_from_project, name="invoice-new"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice-detail"),
    path("invoices/<int:pk>/lines/", views.invoice_line_add, name="invoice-line-add"),
    path("invoice-lines/<int:pk>/", views.invoice_line_edit, name="invoice-line-edit"),
    path("invoice-lines/<int:pk>/delete/", views.invoice_line_delete, name="invoice-line-delete"),
    path("invoices/<int:pk>/issue/", views.invoice_issue, name="invoice-issue"),
    path("invoices/<int:pk>/pay/", views.invoice_pay, name="invoice-pay"),
    path("invoices/<int:pk>/credit/", views.invoice_credit, name="invoice-credit"),
]
