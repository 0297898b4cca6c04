"""A project's meetings page, walked as the demo producer: from Today to the list, add a call
with a person by keyboard-labelled fields, then cancel it after the question."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import look
from tests.clock import today

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_meetings_page(page_as: Any, demo: dict[str, Any]) -> None:
    page = page_as(demo["demo"])
    page.goto("/")
    page.locator("#agenda-meetings").get_by_role("link", name="Low Tide Sessions").first.click()
    expect(page.get_by_role("heading", level=1, name="Meetings")).to_be_visible()
    look(page, "meetings")
    page.get_by_role("link", name="New meeting").click()
    page.get_by_label("Title").fill("Strings arrangement call")
    page.get_by_label("Kind").select_option(label="Call")
    page.get_by_label("Day").fill(str(today() + datetime.timedelta(days=21)))
    page.get_by_label("Start").fill("10:00")
    page.get_by_label("End").fill("10:45")
    page.get_by_label("Link").fill("https://meet.example.com/strings")
    page.get_by_label("Marisol Dunmore").check()
    look(page, "meeting-form")
    page.get_by_role("button", name="Add meeting").click()
    row = page.locator("li.meeting", has_text="Strings arrangement call")
    expect(row).to_contain_text("10:00–10:45")
    expect(row).to_contain_text("With Marisol Dunmore")
    row.get_by_role("link", name="Cancel Strings arrangement call").click()
    expect(page.get_by_role("heading", name="Cancel Strings arrangement call?")).to_be_visible()
    look(page, "meeting-cancel")
    page.get_by_role("button", name="Cancel the meeting").click()
    expect(
        page.locator("li.meeting-cancelled", has_text="Strings arrangement call")
    ).to_be_visible()
