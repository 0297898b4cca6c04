"""A producer sends a session's call sheet from the session sheet: the page says who gets it
(and who cannot), asks, sends, and says how many were sent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from projects.models import Notice, NoticeKind
from sessions.models import Engagement, RateRule, Session
from tests.browser.conftest import look

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_producer_sends_the_call_sheet(page_as: Any, demo: dict[str, Any]) -> None:
    # The demo's session, with a player (its pay presets come with a migration that
    # transactional tests elsewhere flush, so the demo may have left it without players).
    session = Session.objects.select_related("project").order_by("pk").first()
    assert session is not None
    player = session.project.people.order_by("pk").first()
    assert player is not None
    rule = RateRule.objects.create(name="Flat", kind="flat", currency="EUR", params={})
    Engagement.objects.get_or_create(
        session=session,
        person=player,
        defaults={"instrument": "double bass", "hours": Decimal(4), "rate_rule": rule},
    )
    page = page_as(demo["demo"])
    page.goto(f"/sessions/{session.pk}/")
    page.get_by_role("link", name="Send call sheet").click()
    expect(page.get_by_role("heading", level=1, name="Send the call sheet?")).to_be_visible()
    look(page, "call-sheet")
    button = page.get_by_role("button", name="Send to")
    count = int((button.text_content() or "").split()[2])
    assert count > 0
    before = len(mail.outbox)  # the demo's confirmed days sent their invitations
    button.click()
    expect(page.get_by_text(f"Call sheet sent to {count}")).to_be_visible()
    assert Notice.objects.filter(kind=NoticeKind.CALL_SHEET).count() == count
    sheets = [m for m in mail.outbox[before:] if m.subject.startswith("Call sheet")]
    assert len(sheets) == count
