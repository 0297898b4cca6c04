"""Today, walked as the demo producer: confirm a hold that lapses within 48 hours (the browser
asks first), see the week's meetings and the challenge waiting on them, at desktop and phone
widths with axe-core."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from studio.models import Booking
from tests.browser.conftest import look

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MIX = "Mix review"  # the demo's hold that lapses 30 hours after loading


def test_confirm_a_lapsing_hold_from_today(page_as: Any, demo: dict[str, Any]) -> None:
    page = page_as(demo["demo"])
    page.goto("/")
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Today"))).to_be_visible()
    holds = page.locator("#agenda-holds")
    expect(holds.get_by_role("link", name=MIX)).to_be_visible()
    expect(holds.get_by_text(re.compile(r"lapses .* \(1 d \d+ h left\)"))).to_be_visible()
    meetings = page.locator("#agenda-meetings")
    expect(meetings.get_by_text("Pre-production: arrangement and keys")).to_be_visible()
    expect(meetings.get_by_text("Listening session: rough mixes")).to_be_visible()
    expect(meetings.get_by_role("link", name="Join link")).to_be_visible()
    expect(
        page.locator("#agenda-challenges").get_by_role("link", name="Sax overdub")
    ).to_be_visible()
    expect(page.locator("#agenda-songs").get_by_text("Breakwater")).to_be_visible()
    look(page, "today")

    # The browser asks first; dismissing it leaves the hold alone.
    page.once("dialog", lambda dialog: dialog.dismiss())
    holds.get_by_role("button", name=f"Confirm {MIX}").click()
    expect(holds.get_by_role("link", name=MIX)).to_be_visible()
    assert Booking.objects.get(title=MIX).status == Booking.Status.HOLD_1

    questions: list[str] = []

    def accept(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    holds.get_by_role("button", name=f"Confirm {MIX}").click()
    expect(page.locator("#agenda-holds").get_by_role("status")).to_have_text(f"Confirmed {MIX}.")
    assert "rate card" in questions[0]
    assert Booking.objects.get(title=MIX).status == Booking.Status.CONFIRMED
    expect(page.locator("#agenda-holds").get_by_text("No hold lapses")).to_be_visible()
    # The swapped section is the page's own: the week's studio days still show the day.
    page.reload()
    expect(page.locator("#agenda-bookings").get_by_role("link", name=MIX)).to_be_visible()
