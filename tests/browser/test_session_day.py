"""A session day, as the engineer and the producer live it: the booking on the calendar, the
session started from it, two players priced live, three takes logged with Enter, the gear
checked with one fault, and one player approved and paid."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from sessions.models import Payment, Session, Take
from sessions.services import rate_rule_presets_ensure
from studio.models import Booking, Gear
from tests.browser.conftest import look

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DAY = "Basic tracking, day 2"
HOURLY = "Session player, hourly with 3-hour minimum call"


def open_booking_on_calendar(page: Any, booking: Booking) -> None:
    page.goto(f"/calendar/?room={booking.room_id}")
    calendar = page.locator("#calendar")
    expect(calendar).to_have_attribute("aria-busy", "false")  # the week's events are in
    event = page.locator(".fc-event", has_text=DAY).first
    if not event.count():  # two days ahead may be next week on the week grid
        page.locator(".fc-next-button").click()
        expect(calendar).to_have_attribute("aria-busy", "false")
    event.click()
    expect(page.get_by_role("heading", name=f"{DAY} · Studio A")).to_be_visible()


def test_session_day(page_as: Any, demo: dict[str, Any]) -> None:
    # The presets come with a migration; transactional tests elsewhere flush them.
    rate_rule_presets_ensure()
    booking = Booking.objects.select_related("room").get(title=DAY)

    # The engineer opens the booking on the calendar and starts its session there.
    engineer = page_as(demo["kit"])
    open_booking_on_calendar(engineer, booking)
    start = engineer.get_by_role("button", name="Start session")
    expect(start).to_be_visible()
    look(engineer, "session-day-calendar")
    start.click()
    expect(engineer.get_by_role("heading", name=DAY, level=1)).to_be_visible()
    expect(engineer.get_by_text("Session started")).to_be_visible()
    expect(engineer.get_by_text("open it on the calendar")).to_be_visible()
    session = Session.objects.get(booking=booking)
    assert engineer.url.endswith(f"/sessions/{session.pk}/")
    # No amounts for the engineer: the sheet is for running the session.
    expect(engineer.get_by_text("Quote")).to_have_count(0)
    engineer.get_by_label("Status").select_option(label="In progress")
    engineer.get_by_role("button", name="Set status").click()
    expect(engineer.get_by_text("The session is in progress.")).to_be_visible()
    look(engineer, "session-day-started")

    # Back on the calendar the booking now opens its session.
    open_booking_on_calendar(engineer, booking)
    engineer.get_by_role("link", name="Open session").click()
    expect(engineer.get_by_role("heading", name=DAY, level=1)).to_be_visible()

    # The producer books the players, watching the fee before saving.
    producer = page_as(demo["demo"])
    producer.goto(f"/sessions/{session.pk}/")
    quote = producer.locator("#quote")
    producer.get_by_label("Player").select_option(label="Tobiah Quell")
    producer.get_by_label("Instrument").fill("drums")
    producer.get_by_label("Rate rule").select_option(label=HOURLY)
    producer.get_by_label("Hours").fill("4")
    expect(quote).to_contain_text("4 h at 60.00")
    expect(quote).to_contain_text("240.00 EUR")
    producer.get_by_label("Hours").fill("6")
    expect(quote).to_contain_text("6 h at 60.00")
    expect(quote).to_contain_text("360.00 EUR")
    look(producer, "session-day-quote")
    producer.get_by_role("button", name="Add player").click()
    expect(producer.get_by_text("Added Tobiah Quell.")).to_be_visible()
    producer.get_by_label("Player").select_option(label="Juniper Ashgrove")
    producer.get_by_label("Instrument").fill("double bass")
    producer.get_by_label("Rate rule").select_option(label=HOURLY)
    producer.get_by_label("Hours").fill("2")
    expect(quote).to_contain_text("180.00 EUR")  # the 3-hour minimum call
    producer.get_by_role("button", name="Add player").click()
    expect(producer.get_by_text("Added Juniper Ashgrove.")).to_be_visible()
    players = producer.locator("#players tbody tr")
    expect(players).to_have_count(2)
    expect(producer.locator("#players tfoot")).to_contain_text("540.00 EUR")
    look(producer, "session-day-players")

    # The engineer logs three takes, each with Enter, never leaving the keyboard.
    engineer.reload()
    expect(engineer.get_by_role("cell", name="Tobiah Quell", exact=True)).to_be_visible()
    assert "360.00" not in engineer.locator("main").inner_text()
    engineer.get_by_label("New song").fill("Low Tide")
    engineer.get_by_label("Notes").fill("count-in late")
    engineer.get_by_label("Notes").press("Enter")
    expect(engineer.get_by_text("Logged Low Tide take 1.")).to_be_visible()
    expect(engineer.get_by_label("Take", exact=True)).to_have_value("2")
    engineer.keyboard.type("good energy")  # the focus is back on the notes
    engineer.keyboard.press("Enter")
    expect(engineer.get_by_text("Logged Low Tide take 2.")).to_be_visible()
    engineer.get_by_label("Keeper").check()
    engineer.get_by_label("Notes").fill("the one")
    engineer.get_by_label("Notes").press("Enter")
    expect(engineer.get_by_text("Logged Low Tide take 3.")).to_be_visible()
    expect(engineer.get_by_label("Take", exact=True)).to_have_value("4")
    takes = engineer.locator("#takes tbody tr")
    expect(takes).to_have_count(3)
    expect(takes.nth(2)).to_contain_text("★ keeper")
    assert [(t.number, t.keeper) for t in Take.objects.filter(session=session)] == [
        (1, False),
        (2, False),
        (3, True),
    ]
    look(engineer, "session-day-takes")

    # The gear check: everything OK but the preamp, which goes to service.
    preamp = engineer.get_by_role("group", name="Dual mic preamp")
    preamp.get_by_label("Fault").check()
    preamp.get_by_label("Note").fill("Channel 2 hums")
    engineer.get_by_role("button", name="Save gear check").click()
    expect(engineer.get_by_text("Gear checked: 5 items, 1 sent to service.")).to_be_visible()
    assert Gear.objects.get(name="Dual mic preamp").status == Gear.Status.NEEDS_SERVICE
    look(engineer, "session-day-gear")

    # The producer approves and pays the drummer, asked first each time with the amount.
    producer.reload()
    row = producer.locator("#players tbody tr", has_text="Tobiah Quell")
    row.get_by_role("link", name="Approve…").click()
    expect(
        producer.get_by_role("heading", name="Approve 360.00 EUR for Tobiah Quell?")
    ).to_be_visible()
    look(producer, "session-day-approve")
    producer.get_by_role("button", name="Approve 360.00 EUR").click()
    expect(producer.get_by_text("Approved 360.00 EUR for Tobiah Quell.")).to_be_visible()
    expect(row.get_by_text("Fixed: approved")).to_be_visible()
    row.get_by_role("link", name="Pay…").click()
    expect(producer.get_by_role("heading", name="Pay 360.00 EUR to Tobiah Quell?")).to_be_visible()
    producer.get_by_label("Method").select_option(label="Bank transfer")
    producer.get_by_label("Reference").fill("LT-0042")
    look(producer, "session-day-pay")
    producer.get_by_role("button", name="Pay 360.00 EUR").click()
    expect(producer.get_by_text("Paid 360.00 EUR to Tobiah Quell")).to_be_visible()
    expect(row.get_by_text("Paid", exact=True)).to_be_visible()
    payment = Payment.objects.get(engagement__session=session, person__name="Tobiah Quell")
    assert (payment.status, payment.reference) == (Payment.Status.PAID, "LT-0042")
    look(producer, "session-day-paid")
