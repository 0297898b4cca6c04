"""HTML pages of budgets: the budget page with its chart and burn-down, costs, invoices."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from budgets.models import Budget, Category, Cost, Invoice
from budgets.selectors import budget_report, burn_down_series, invoice_totals
from studio.models import Project
from studio.permissions import Capability, has_capability, projects_with

CHART_WIDTH = 520  # px of the longest bar


def _money_projects(request: HttpRequest) -> QuerySet[Project]:
    return projects_with(request.user, Capability.BUDGET_VIEW)


@login_required
def budget_index(request: HttpRequest) -> HttpResponse:
    budgets = (
        Budget.objects.filter(project__in=_money_projects(request))
        .select_related("project")
        .order_by("project__title", "-version")
    )
    latest: dict[int, Budget] = {}
    for budget in budgets:
        latest.setdefault(budget.project_id, budget)
    return render(request, "budgets/index.html", {"budgets": list(latest.values())})


@login_required
def budget_detail(request: HttpRequest, pk: int) -> HttpResponse:
    budget = get_object_or_404(
        Budget.objects.filter(project__in=_money_projects(request)).select_related("project"), pk=pk
    )
    report = budget_report(budget=budget)
    scale = max([row.forecast for row in report.rows] + [Decimal(1)])
    bars = [
        {
            "row": row,
            "planned": int(row.planned / scale * CHART_WIDTH),
            "actual": int(row.actual / scale * CHART_WIDTH),
            "committed": int(row.committed / scale * CHART_WIDTH),
            "y": 8 + index * 30,
        }
        for index, row in enumerate(report.rows)
    ]
    points = burn_down_series(budget=budget, today=timezone.localdate())
    top = max([p.spent for p in points] + [report.ceiling, Decimal(1)])
    step = 500 / max(len(points) - 1, 1)
    # At most about eight month labels, whatever the length of the production.
    every = max(1, -(-len(points) // 8))
    burn = [
        {
            "x": int(40 + i * step),
            "y": int(180 - p.spent / top * 160),
            "point": p,
            "tick": i % every == 0 or i == len(points) - 1,
        }
        for i, p in enumerate(points)
    ]
    context = {
        "budget": budget,
        "report": report,
        "bars": bars,
        "chart_height": 16 + len(bars) * 30,
        "label_x": CHART_WIDTH + 190,
        "burn": burn,
        "burn_path": " ".join(f"{p['x']},{p['y']}" for p in burn),
        "plan_y": int(180 - report.total.planned / top * 160),
        "ceiling_y": int(180 - report.ceiling / top * 160),
        "may_manage": has_capability(request.user, budget.project, Capability.BUDGET_MANAGE),
        "costs": Cost.objects.filter(project=budget.project).order_by("-date", "-id")[:25],
        "versions": Budget.objects.filter(project=budget.project).order_by("-version"),
    }
    return render(request, "budgets/budget.html", context)


@login_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    invoices = (
        Invoice.objects.filter(project__in=_money_projects(request))
        .select_related("project")
        .order_by("-created_at")[:100]
    )
    return render(request, "budgets/invoices.html", {"invoices": invoices})


@login_required
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(
        Invoice.objects.filter(project__in=_money_projects(request)).select_related(
            "project", "credits"
        ),
        pk=pk,
    )
    lines = list(invoice.lines.all())
    totals = invoice_totals(invoice=invoice, lines=lines)
    rows = list(zip(lines, totals.line_nets, strict=True))
    context = {
        "invoice": invoice,
        "rows": rows,
        "totals": totals,
        "rates": sorted(totals.by_rate.items()),
        "credit_notes": invoice.credit_notes.all(),
    }
    return render(request, "budgets/invoice.html", context)


@login_required
def cost_list(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(_money_projects(request), pk=pk)
    costs = Cost.objects.filter(project=project).order_by("-date", "-id")
    category = request.GET.get("category", "")
    status = request.GET.get("status", "")
    if category in Category.values:
        costs = costs.filter(category=category)
    if status in Cost.Status.values:
        costs = costs.filter(status=status)
    page = Paginator(costs, 50).get_page(request.GET.get("page"))
    context = {
        "project": project,
        "page": page,
        "category": category,
        "status": status,
        "categories": Category.choices,
        "statuses": Cost.Status.choices,
        "total": costs.aggregate(total=Sum("amount_converted"))["total"] or Decimal("0.00"),
    }
    return render(request, "budgets/costs.html", context)


@login_required
def cost_receipt(request: HttpRequest, pk: int) -> FileResponse:
    """A cost's receipt, for those who see the project's money (media are not public)."""
    cost = get_object_or_404(Cost.objects.filter(project__in=_money_projects(request)), pk=pk)
    if not cost.receipt:
        raise Http404("This cost has no receipt.")
    return FileResponse(
        cost.receipt.open("rb"), as_attachment=False, filename=cost.receipt.name.rsplit("/", 1)[-1]
    )
