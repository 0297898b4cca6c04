"""The chrome follows the role: an engineer and a viewer see only what they may do."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from projects.models import Membership, Project, Role
from releases.models import Release
from sessions.models import Session
from tests.browser.conftest import look
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def menu(page: Any) -> list[str]:
    return [
        t.strip()
        for t in page.get_by_role("navigation", name="Main").inner_text().split("\n")
        if t.strip()
    ]


def test_engineer_runs_sessions_but_sees_no_money(page_as: Any, demo: dict[str, Any]) -> None:
    page = page_as(demo["kit"])  # the engineer of both productions
    page.goto("/")
    assert menu(page) == ["Today", "Calendar", "Projects", "People", "Studios", "Releases"]
    project = Project.objects.get(title="Low Tide Sessions")
    page.goto(f"/projects/{project.pk}/")
    expect(page.get_by_role("heading", level=1, name="Low Tide Sessions")).to_be_visible()
    expect(page.get_by_role("link", name="Sessions", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Musician pay", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Add member")).to_have_count(0)
    session = Session.objects.get(project=project)
    page.goto(f"/sessions/{session.pk}/")
    expect(page.get_by_role("cell", name="Juniper Ashgrove").first).to_be_visible()
    main = page.locator("main").inner_text()
    assert "Wages" not in main and "Pay statement" not in main and "EUR" not in main
    look(page, "engineer-session")
    page.goto("/budgets/")
    expect(page.get_by_text("your roles do not include them")).to_be_visible()
    response = page.goto("/invoices/")
    assert response is not None and response.status == 200
    expect(page.get_by_text("No invoices yet.")).to_be_visible()


def test_viewer_sees_no_edit_buttons(page_as: Any, demo: dict[str, Any]) -> None:
    viewer = UserFactory.create(username="vera")
    for project in Project.objects.all():
        Membership.objects.create(project=project, user=viewer, role=Role.VIEWER)
    page = page_as(viewer)
    page.goto("/projects/")
    assert "Budgets" not in menu(page)
    page.get_by_role("link", name="Low Tide Sessions", exact=True).first.click()
    expect(page.get_by_role("heading", level=1, name="Low Tide Sessions")).to_be_visible()
    for name in ("Edit", "Musician pay"):
        expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Add member")).to_have_count(0)
    release = Release.objects.get(title="Paper Lanterns")
    page.goto(f"/releases/{release.pk}/")
    expect(page.get_by_role("heading", level=1, name="Paper Lanterns")).to_be_visible()
    for button in ("Render deliverables", "Add credit", "Upload", "Replace", "remove"):
        expect(page.get_by_role("button", name=button)).to_have_count(0)
    expect(page.get_by_role("link", name="Distributor CSV")).to_be_visible()
    look(page, "viewer-release")
    response = page.goto(f"/projects/{release.project_id}/edit/")
    assert response is not None and response.status == 403
