"""Today's pages as the demo producer sees them: axe-core, phone width, screenshots.

Each test walks one group of pages and asserts what the producer reads there; ``look`` checks
each page at 1366 and 390 px (see conftest.py).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from budgets.models import Budget, Invoice
from projects.models import Project
from releases.models import Release
from sessions.models import Session
from tests.browser.conftest import look

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def low_tide() -> Project:
    return Project.objects.get(title="Low Tide Sessions")


def test_login_and_dashboard(anonymous_page: Any, demo: dict[str, Any]) -> None:
    page = anonymous_page
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    look(page, "login")
    page.get_by_label("Username or e-mail").fill("demo")
    page.get_by_label("Password").fill("tracksheet-demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(r"^Today"))).to_be_visible()
    expect(page.get_by_text("Basic tracking, day 1")).to_be_visible()
    expect(page.get_by_role("link", name="Low Tide Sessions", exact=True).first).to_be_visible()
    look(page, "dashboard")


def test_calendar_month_and_week(page_as: Any, demo: dict[str, Any]) -> None:
    page = page_as(demo["demo"])
    page.goto("/calendar/")
    expect(page.get_by_role("heading", name=re.compile("Calendar: Harbour Lane"))).to_be_visible()
    page.get_by_role("button", name=re.compile("month", re.I)).click()
    headers = page.locator(".fc-col-header-cell").all_inner_texts()
    # Monday first, one column per weekday, in order.
    assert [h.strip().lower()[:3] for h in headers] == [
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
    ], headers
    expect(page.locator(".fc-event").first).to_be_visible()
    expect(page.get_by_role("button", name="Previous month")).to_be_visible()
    expect(page.get_by_role("button", name="Next month")).to_be_visible()
    look(page, "calendar-month")
    page.get_by_role("button", name=re.compile("week", re.I)).click()
    expect(page.locator(".fc-timegrid").first).to_be_visible()
    expect(page.get_by_role("button", name="Next week")).to_be_visible()
    look(page, "calendar-week")


def test_projects_and_people(page_as: Any, demo: dict[str, Any]) -> None:
    page = page_as(demo["demo"])
    page.goto("/projects/")
    expect(page.get_by_role("link", name="Low Tide Sessions", exact=True).first).to_be_visible()
    look(page, "projects")
    page.get_by_role("link", name="Low Tide Sessions", exact=True).first.click()
    expect(page.get_by_role("heading", level=1, name="Low Tide Sessions")).to_be_visible()
    expect(page.get_by_role("link", name="Edit", exact=True)).to_be_visible()
    # The money panel says where the billing plan stands: the deposit drafted, the rest waiting.
    billing = page.locator("h3", has_text="Billing plan").locator("xpath=..")
    expect(billing.locator("li").first).to_contain_text("Draft invoice")
    expect(billing.locator("li", has_text="Waiting")).to_have_count(3)
    look(page, "project")
    page.goto("/people/")
    expect(page.get_by_role("cell", name="Juniper Ashgrove").first).to_be_visible()
    look(page, "people")


def test_budget_costs_and_invoices(page_as: Any, demo: dict[str, Any]) -> None:
    page = page_as(demo["demo"])
    project = low_tide()
    page.goto("/budgets/")
    look(page, "budgets")
    budget = Budget.objects.filter(project=project).order_by("-version").first()
    assert budget is not None
    page.goto(f"/budgets/{budget.pk}/")
    expect(page.get_by_role("heading", name=re.compile("Budget v2"))).to_be_visible()
    body = page.locator("main").inner_text()
    assert "Remaining" in body
    look(page, "budget")
    page.goto(f"/projects/{project.pk}/costs/")
    total = page.locator("tfoot").inner_text()
    # Money has the currency's places, never SQLite's float tail (1,574.27 of costs and the
    # per-song fees of 1,020.00).
    assert re.search(r"\b2,?594\.27\b", total) and "2594.2700" not in total, total
    look(page, "costs")
    page.goto("/invoices/")
    look(page, "invoices")
    # The demo's first invoice (its billing plan's deposit draft comes after it).
    invoice = Invoice.objects.filter(project=project).order_by("pk").first()
    assert invoice is not None
    page.goto(f"/invoices/{invoice.pk}/")
    expect(page.get_by_role("link", name=re.compile("^Download PDF"))).to_be_visible()
    look(page, "invoice")


def test_sessions_and_pay(page_as: Any, demo: dict[str, Any]) -> None:
    page = page_as(demo["demo"])
    project = low_tide()
    session = Session.objects.get(project=project)
    page.goto(f"/sessions/{session.pk}/")
    expect(page.get_by_role("cell", name="Juniper Ashgrove").first).to_be_visible()
    look(page, "session")
    page.goto(f"/projects/{project.pk}/sessions/")
    look(page, "project-sessions")
    page.goto(f"/projects/{project.pk}/pay/")
    look(page, "project-pay")


def test_releases(page_as: Any, demo_measured: dict[str, Any]) -> None:
    page = page_as(demo_measured["demo"])
    page.goto("/releases/")
    look(page, "releases")
    release = Release.objects.get(title="Paper Lanterns")
    page.goto(f"/releases/{release.pk}/")
    expect(page.get_by_role("heading", level=1, name="Paper Lanterns")).to_be_visible()
    expect(page.get_by_text("LUFS").first).to_be_visible()
    look(page, "release")
    # While the render starts, the bar is empty: no track is done yet. (The request is held
    # here, so nothing renders.)
    page.route("**/render/", lambda route: None)
    page.get_by_role("button", name="Render deliverables").click()
    expect(page.locator("#render-status")).to_have_text("Starting…")
    assert page.locator("#render-progress").evaluate("bar => [bar.position, bar.value]") == [0, 0]


def test_api_token_and_error_pages(page_as: Any, demo: dict[str, Any]) -> None:
    page = page_as(demo["demo"])
    page.goto("/account/token/")
    page.get_by_role("button", name="Create a token").click()
    expect(page.locator("code.secret")).to_be_visible()
    look(page, "api-token")
    response = page.goto("/projects/999999/")
    assert response is not None and response.status == 404
    look(page, "404")
    viewer = page_as(demo["wren"])
    response = viewer.goto(f"/projects/{low_tide().pk}/edit/")
    assert response is not None and response.status in (403, 404)
    paper = Project.objects.get(title="Paper Lanterns (single)")
    response = viewer.goto(f"/projects/{paper.pk}/edit/")
    assert response is not None and response.status == 403
    look(viewer, "403")
