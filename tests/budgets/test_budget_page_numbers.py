"""The budget page's numbers: remaining, the contingency in money, the burn-down from zero,
and the costs total in the currency's places (SQLite sums decimals as floats)."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from budgets import services
from budgets.models import Budget
from budgets.selectors import BurnPoint, budget_report, burn_down_series
from projects.models import Project

pytestmark = pytest.mark.django_db


def planned(project: Project, amounts: dict[str, str], contingency: str = "10") -> Budget:
    budget = services.budget_create(project=project, contingency_percent=Decimal(contingency))
    for line in budget.lines.all():
        if line.category in amounts:
            services.budget_line_save(
                budget=budget, line=line, planned=Decimal(amounts[line.category])
            )
    return budget


def cost(
    project: Project,
    amount: str,
    day: datetime.date,
    *,
    paid: bool = True,
    category: str = "travel",
) -> None:
    services.cost_save(
        project=project,
        amount=Decimal(amount),
        currency="EUR",
        category=category,
        vendor="Northline Rail",
        date=day,
        status="paid" if paid else "committed",
    )


def test_remaining_contingency_and_ceiling(project: Project) -> None:
    budget = planned(project, {"travel": "700.00", "artwork": "1200.00"}, contingency="12.5")
    cost(project, "486.40", datetime.date(2026, 11, 6))
    cost(project, "650.00", datetime.date(2026, 11, 23), paid=False, category="artwork")
    report = budget_report(budget=budget)
    travel = next(row for row in report.rows if row.category == "travel")
    assert (travel.actual, travel.remaining, travel.variance) == (
        Decimal("486.40"),
        Decimal("213.60"),
        Decimal("0.00"),
    )
    # 12.5 % of 1900.00 is 237.50: the header's percentage, in money, and the ceiling it makes.
    assert (report.contingency, report.ceiling) == (Decimal("237.50"), Decimal("2137.50"))
    assert report.total.remaining == Decimal("1900.00") - Decimal("486.40") - Decimal("650.00")


def test_burn_down_starts_from_nothing_and_runs_to_this_month(project: Project) -> None:
    project.start_date = datetime.date(2026, 9, 14)
    project.save()
    budget = planned(project, {"travel": "700.00"})
    cost(project, "100.00", datetime.date(2026, 10, 2))
    cost(project, "50.00", datetime.date(2026, 12, 20))
    cost(project, "999.00", datetime.date(2026, 11, 1), paid=False)  # ordered, not spent
    series = burn_down_series(budget=budget, today=datetime.date(2027, 1, 15))
    assert series == [
        BurnPoint(datetime.date(2026, 9, 1), Decimal("0.00")),
        BurnPoint(datetime.date(2026, 10, 1), Decimal("100.00")),
        BurnPoint(datetime.date(2026, 11, 1), Decimal("100.00")),
        BurnPoint(datetime.date(2026, 12, 1), Decimal("150.00")),
        BurnPoint(datetime.date(2027, 1, 1), Decimal("150.00")),
    ]


def test_one_month_of_spend_is_a_line_not_a_dot(project: Project) -> None:
    budget = planned(project, {"travel": "700.00"})
    cost(project, "486.40", datetime.date(2026, 11, 6))
    series = burn_down_series(budget=budget, today=datetime.date(2026, 11, 26))
    assert [(p.day, p.spent) for p in series] == [
        (datetime.date(2026, 10, 1), Decimal("0.00")),
        (datetime.date(2026, 11, 1), Decimal("486.40")),
    ]


def test_budget_page_shows_the_numbers(owner: Any, project: Project) -> None:
    budget = planned(project, {"travel": "700.00"})
    for amount in ("486.40", "0.10", "0.20"):  # floats would add these to 486.70000000001
        cost(project, amount, datetime.date(2026, 11, 6))
    client = Client()
    client.force_login(owner)
    page = client.get(f"/budgets/{budget.pk}/").content.decode()
    assert "Remaining" in page and "213.30" in page
    assert "contingency 10 % = 70.00 on top of the plan" in page
    assert "Ceiling with contingency" in page and "770.00" in page
    # The burn-down starts from nothing the month before the first payment.
    assert "October 2026: 0.00 EUR paid" in page and "November 2026: 486.70 EUR paid" in page
    costs = client.get(f"/projects/{project.pk}/costs/").content.decode()
    assert "486.70 EUR" in costs and "486.7000" not in costs
