"""The budget pages: versions from the template, lines edited in place, approval, re-forecasts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from budgets import services
from budgets.forms import (
    BudgetLineForm,
    show_refusal,
)
from budgets.models import Budget, BudgetLine, Cost
from budgets.selectors import (
    budget_report,
    burn_down_series,
)
from budgets.views.common import CHART_WIDTH, money_projects, object_for_write
from core.errors import Conflict
from core.pages import is_htmx
from projects.models import Project
from projects.permissions import Capability, has_capability, projects_with


@login_required
def budget_index(request: HttpRequest) -> HttpResponse:
    budgets = (
        Budget.objects.filter(project__in=money_projects(request))
        .select_related("project")
        .order_by("project__title", "-version")
    )
    latest: dict[int, Budget] = {}
    for budget in budgets:
        latest.setdefault(budget.project_id, budget)
    without = (
        projects_with(request.user, Capability.BUDGET_MANAGE)
        .exclude(pk__in=list(latest))
        .order_by("title")
    )
    return render(
        request,
        "budgets/index.html",
        {"budgets": list(latest.values()), "without_budget": list(without)},
    )


@login_required
@require_POST
def budget_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A first budget from the record-budget template, in one click."""
    project = object_for_write(request, Project.objects.all(), pk, "pk", Capability.BUDGET_MANAGE)
    budget = services.budget_create(project=project)
    messages.success(request, f"Budget v{budget.version} made from the template: plan each line.")
    return redirect("budget-detail", pk=budget.pk)


@login_required
def budget_detail(request: HttpRequest, pk: int, _editor: Any = None) -> HttpResponse:
    budget = get_object_or_404(
        Budget.objects.filter(project__in=money_projects(request)).select_related("project"), pk=pk
    )
    extra = {"editor": _editor} if _editor is not None else {}
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
    may_manage = has_capability(request.user, budget.project, Capability.BUDGET_MANAGE)
    versions = list(Budget.objects.filter(project=budget.project).order_by("-version"))
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
        "may_manage": may_manage,
        "costs": Cost.objects.filter(project=budget.project).order_by("-date", "-id")[:25],
        "versions": versions,
        # A re-forecast copies the approved version when it is the latest; a later draft is
        # where the re-forecast already is.
        "may_reforecast": may_manage and budget.is_approved and versions[0].pk == budget.pk,
        "editor": _line_editor(budget) if may_manage and not budget.is_approved else None,
        **extra,
    }
    return render(request, "budgets/budget.html", context)


def _line_form(line: BudgetLine, data: Any = None) -> BudgetLineForm:
    form = BudgetLineForm(
        data,
        prefix=f"line-{line.pk}",
        initial={
            "category": line.category,
            "planned": line.planned,
            "description": line.description,
        },
    )
    form.fields["category"].required = False
    return form


def _line_editor(budget: Budget, **forms: Any) -> dict[str, Any]:
    lines = list(budget.lines.all())
    return {
        "rows": [(line, forms.get(f"line-{line.pk}") or _line_form(line)) for line in lines],
        "add": forms.get("add") or BudgetLineForm(prefix="add", initial={"planned": "0"}),
        "total": sum((line.planned for line in lines), Decimal(0)),
    }


def _budget_write(request: HttpRequest, budget: Budget, **forms: Any) -> HttpResponse:
    """After a line write: the editor partial for htmx (the lines with their forms), else
    the page (with a refused form in place) or a redirect to it."""
    refused = any(form.errors for form in forms.values())
    if is_htmx(request):
        context = {"budget": budget, "editor": _line_editor(budget, **(forms if refused else {}))}
        return render(request, "budgets/budget.html#line-editor", context)
    if refused:
        return budget_detail(request, budget.pk, _editor=_line_editor(budget, **forms))
    return redirect("budget-detail", pk=budget.pk)


@login_required
@require_POST
def budget_line_add(request: HttpRequest, pk: int) -> HttpResponse:
    budget = object_for_write(
        request, Budget.objects.all(), pk, "project", Capability.BUDGET_MANAGE
    )
    form = BudgetLineForm(request.POST, prefix="add")
    if form.is_valid():
        try:
            services.budget_line_save(
                budget=budget,
                category=form.cleaned_data["category"],
                planned=form.cleaned_data["planned"],
                description=form.cleaned_data["description"],
            )
        except (ValidationError, Conflict) as refusal:
            show_refusal(form, refusal)
    return _budget_write(request, budget, add=form)


@login_required
@require_POST
def budget_line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    line = object_for_write(
        request,
        BudgetLine.objects.select_related("budget__project"),
        pk,
        "budget__project",
        Capability.BUDGET_MANAGE,
    )
    form = _line_form(line, request.POST)
    if form.is_valid():
        try:
            services.budget_line_save(
                budget=line.budget,
                line=line,
                planned=form.cleaned_data["planned"],
                description=form.cleaned_data["description"],
            )
        except (ValidationError, Conflict) as refusal:
            show_refusal(form, refusal)
    return _budget_write(request, line.budget, **{f"line-{line.pk}": form})


@login_required
@require_POST
def budget_line_delete(request: HttpRequest, pk: int) -> HttpResponse:
    line = object_for_write(
        request,
        BudgetLine.objects.select_related("budget__project"),
        pk,
        "budget__project",
        Capability.BUDGET_MANAGE,
    )
    try:
        services.budget_line_delete(line=line)
    except Conflict as conflict:
        messages.error(request, conflict.detail)
    return _budget_write(request, line.budget)


@login_required
@require_POST
def budget_approve(request: HttpRequest, pk: int) -> HttpResponse:
    budget = object_for_write(
        request, Budget.objects.all(), pk, "project", Capability.BUDGET_MANAGE
    )
    try:
        services.budget_approve(budget=budget)
    except Conflict as conflict:
        messages.error(request, conflict.detail)
    else:
        messages.success(
            request, f"Version {budget.version} approved: the report compares against it."
        )
    return redirect("budget-detail", pk=budget.pk)


@login_required
@require_POST
def budget_reforecast(request: HttpRequest, pk: int) -> HttpResponse:
    budget = object_for_write(
        request, Budget.objects.all(), pk, "project", Capability.BUDGET_MANAGE
    )
    latest = Budget.objects.filter(project=budget.project).order_by("-version").first()
    if latest is None or latest.pk != budget.pk or not budget.is_approved:
        messages.error(request, "Re-forecast from the latest approved version.")
        return redirect("budget-detail", pk=budget.pk)
    new = services.budget_create(project=budget.project)
    messages.success(
        request, f"Version {new.version} copies version {budget.version}: change what moved."
    )
    return redirect("budget-detail", pk=new.pk)
