"""The account page: a member turns a kind of mail off and on, by keyboard or pointer, at
desktop and phone widths; someone without a contact card is told why there is nothing to set."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from projects.models import NoticeKind, NoticePreference
from tests.browser.conftest import look
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_member_chooses_which_mail_to_get(page_as: Any, demo: dict[str, Any]) -> None:
    user = demo["kit"]
    page = page_as(user)
    page.goto("/")
    page.get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", level=1, name="Your account")).to_be_visible()
    boxes = page.get_by_role("checkbox")
    expect(boxes).to_have_count(len(NoticeKind.values))
    for label in NoticeKind.labels:
        expect(page.get_by_label(label)).to_be_checked()
    look(page, "account")

    page.get_by_label(NoticeKind.CALL_SHEET.label).uncheck()
    # The keyboard reaches the boxes and the button.
    page.get_by_label(NoticeKind.HOLD_LAPSING.label).focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your mail preferences are saved.")).to_be_visible()
    expect(page.get_by_label(NoticeKind.CALL_SHEET.label)).not_to_be_checked()
    expect(page.get_by_label(NoticeKind.HOLD_LAPSING.label)).not_to_be_checked()
    expect(page.get_by_label(NoticeKind.BOOKING_INVITATION.label)).to_be_checked()
    off = set(
        NoticePreference.objects.filter(person__user=user, enabled=False).values_list(
            "kind", flat=True
        )
    )
    assert off == {NoticeKind.CALL_SHEET, NoticeKind.HOLD_LAPSING}
    look(page, "account-saved")


def test_without_a_contact_card_the_page_says_why(page_as: Any, demo: dict[str, Any]) -> None:
    page = page_as(UserFactory.create(username="newcomer", email="newcomer@example.com"))
    page.goto("/account/")
    expect(page.get_by_text("Mail preferences need a contact card")).to_be_visible()
    expect(page.get_by_role("checkbox")).to_have_count(0)
    look(page, "account-no-card")
