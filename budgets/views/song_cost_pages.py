"""The "Cost by song" page under a project's budget (budgets.song_costs says the rule)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from budgets.models import Budget
from budgets.song_costs import song_costs
from budgets.views.common import money_projects


@login_required
def budget_song_costs(request: HttpRequest, pk: int) -> HttpResponse:
    budget = get_object_or_404(
        Budget.objects.filter(project__in=money_projects(request)).select_related("project"), pk=pk
    )
    report = song_costs(project=budget.project)
    return render(request, "budgets/song_costs.html", {"budget": budget, "report": report})
