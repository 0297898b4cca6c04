from django.urls import path

from budgets import views

urlpatterns = [
    path("budgets/", views.budget_index, name="budget-index"),
    path("budgets/<int:pk>/", views.budget_detail, name="budget-detail"),
    path("projects/<int:pk>/costs/", views.cost_list, name="cost-list"),
    path("costs/<int:pk>/receipt/", views.cost_receipt, name="cost-receipt"),
    path("invoices/", views.invoice_list, name="invoice-list"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice-detail"),
]
