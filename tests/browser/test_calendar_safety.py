"""The calendar keeps money and time safe, walked as the demo producer does it: Cancel shows the
fee and takes nothing until confirmed, a dragged confirmed day asks and goes back unless
confirmed, a hold moves by a deliberate drag, and the New booking form books by keyboard."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from studio import services
from studio.models import Booking, Room
from tests.browser.conftest import look

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DAY_TWO = "Basic tracking, day 2"  # confirmed, the day after tomorrow, 10:00–20:00, Studio A
STRINGS = "Strings overdub"  # a hold, in three days, 14:00–19:00, Studio B


def loaded(page: Any) -> None:
    """The calendar has the shown range's bookings (it is aria-busy while it fetches them)."""
    expect(page.locator("#calendar")).to_have_attribute("aria-busy", "false")


def open_calendar(page: Any) -> None:
    page.goto("/calendar/")
    expect(page.get_by_role("heading", name=re.compile("Calendar: Harbour Lane"))).to_be_visible()
    loaded(page)
    expect(page.locator(".fc-event").first).to_be_visible()


def event(page: Any, title: str) -> Any:
    """The booking's block in the week grid, a week on if it falls in the next one."""
    block = page.locator(".fc-timegrid-event", has_text=title).first
    loaded(page)
    if not block.count():
        page.get_by_role("button", name="Next week").click()
        loaded(page)
    expect(block).to_be_visible()
    return block


def drag(page: Any, block: Any, *, slots: int) -> None:
    """Press on the event's body (its top left, away from the resize handle and from a 2nd
    hold drawn over it) and drag it down by ``slots`` half-hour rows, in small steps as a hand
    does."""
    row = page.locator(".fc-timegrid-slot-lane").first.bounding_box()
    box = block.bounding_box()
    x, y = box["x"] + 12, box["y"] + 12
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 13):
        page.mouse.move(x, y + row["height"] * slots * step / 12)
    page.mouse.up()


def test_cancel_shows_the_fee_and_takes_it_only_when_confirmed(
    page_as: Any, demo: dict[str, Any]
) -> None:
    page = page_as(demo["demo"])
    open_calendar(page)
    event(page, DAY_TWO).click()
    panel = page.locator("#details")
    expect(panel.get_by_role("heading", name=re.compile(DAY_TWO))).to_be_visible()
    look(page, "calendar-details")
    panel.get_by_role("button", name="Cancel booking").click()
    dialog = page.get_by_role("dialog", name="Cancel this booking?")
    # Less than three days' notice: the studio's last tier, the whole quote.
    fee = re.compile(r"Cancel: fee (\d+\.\d\d) EUR \(100 % of the quote, [^)]+ notice\)")
    expect(dialog).to_contain_text(fee)
    shown = fee.search(dialog.inner_text())
    assert shown is not None
    look(page, "calendar-cancel-confirm")
    dialog.get_by_role("button", name="Keep the booking").click()
    expect(dialog).to_be_hidden()
    booking = Booking.objects.get(title=DAY_TWO)
    assert (booking.status, booking.cancellation_fee) == ("confirmed", None)

    panel.get_by_role("button", name="Cancel booking").click()
    dialog.get_by_role("button", name=f"Cancel: fee {shown.group(1)} EUR").click()
    expect(panel).to_be_hidden()
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert str(booking.cancellation_fee) == shown.group(1)


def test_a_hold_says_release_no_fee(page_as: Any, demo: dict[str, Any]) -> None:
    page = page_as(demo["demo"])
    open_calendar(page)
    event(page, STRINGS).click(position={"x": 12, "y": 8})
    page.locator("#details").get_by_role("button", name="Release hold").click()
    dialog = page.get_by_role("dialog", name="Release this hold?")
    expect(dialog).to_contain_text("Release: no fee")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert Booking.objects.get(title=STRINGS).status == "hold_1"


def test_dragging_a_confirmed_booking_asks_and_goes_back_unless_confirmed(
    page_as: Any, demo: dict[str, Any]
) -> None:
    page = page_as(demo["demo"])
    open_calendar(page)
    before = Booking.objects.get(title=DAY_TWO)
    count = Booking.objects.count()
    block = event(page, DAY_TWO)
    drag(page, block, slots=2)
    dialog = page.get_by_role("dialog", name="Move the confirmed booking?")
    expect(dialog).to_contain_text(
        re.compile(r"Move the confirmed booking to \w{3} \d+ \w{3} 11:00–21:00\?")
    )
    expect(dialog).to_contain_text("The quote")
    dialog.get_by_role("button", name="Keep it where it was").click()
    expect(dialog).to_be_hidden()
    # Back where it was, on the page and in the database; the press selected nothing either.
    expect(event(page, DAY_TWO)).to_contain_text("10:00 - 20:00")
    expect(page.locator("#create-dialog")).to_be_hidden()
    after = Booking.objects.get(pk=before.pk)
    assert (after.start, after.end, after.sequence) == (before.start, before.end, before.sequence)
    assert Booking.objects.count() == count

    drag(page, event(page, DAY_TWO), slots=2)
    expect(dialog).to_be_visible()
    with page.expect_response(re.compile(r"/move/$")) as answer:
        dialog.get_by_role("button", name="Move it").click()
    assert answer.value.status == 200, answer.value.json()
    expect(event(page, DAY_TWO)).to_contain_text("11:00 - 21:00")
    moved = Booking.objects.get(pk=before.pk)
    assert moved.start - before.start == moved.end - before.end
    assert (moved.start - before.start).total_seconds() == 3600


def test_a_hold_moves_by_a_deliberate_drag(page_as: Any, demo: dict[str, Any]) -> None:
    page = page_as(demo["demo"])
    open_calendar(page)
    before = Booking.objects.get(title=STRINGS)
    with page.expect_response(re.compile(r"/move/$")) as answer:
        drag(page, event(page, STRINGS), slots=2)
    assert answer.value.status == 200
    expect(event(page, STRINGS)).to_contain_text("15:00 - 20:00")
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert (Booking.objects.get(pk=before.pk).start - before.start).total_seconds() == 3600


def test_new_booking_by_keyboard_books_a_hold(page_as: Any, demo: dict[str, Any]) -> None:
    page = page_as(demo["demo"])
    open_calendar(page)
    count = Booking.objects.count()
    page.get_by_role("button", name="New booking").focus()
    page.keyboard.press("Enter")
    form = page.get_by_role("dialog", name="New booking")
    room = form.get_by_label("Room")
    expect(room).to_be_focused()
    # Tomorrow 10:00–18:00 is the form's start; Studio B is free then (Studio A is booked).
    room.select_option(label=str(Room.objects.get(name="Studio B")))
    look(page, "calendar-new-booking")
    start = form.get_by_label("Start")
    end = form.get_by_label("End")
    defaults = form.locator("form")
    start.fill("2020-01-06T10:00")
    end.fill("2020-01-06T18:00")
    form.get_by_label("Title").focus()
    page.keyboard.type("Bass overdubs")
    page.keyboard.press("Enter")
    # Refused beside the start, nothing booked.
    expect(form.locator('[data-error-for="start"]')).to_have_text(
        "This time is in the past: tick 'Log a past session' to record it."
    )
    assert Booking.objects.count() == count
    start.fill(defaults.get_attribute("data-default-start"))
    end.fill(defaults.get_attribute("data-default-end"))
    form.get_by_label("Title").focus()
    page.keyboard.press("Enter")
    expect(form).to_be_hidden()
    expect(page.locator(".fc-event", has_text="Bass overdubs").first).to_be_visible()
    booking = Booking.objects.get(title="Bass overdubs")
    assert booking.status == "hold_1"
    assert booking.room.name == "Studio B"
    assert (booking.end - booking.start).total_seconds() == 8 * 3600


def test_the_panel_is_reached_by_keyboard(page_as: Any, demo: dict[str, Any]) -> None:
    page = page_as(demo["demo"])
    open_calendar(page)
    event(page, DAY_TWO).focus()
    page.keyboard.press("Enter")
    panel = page.locator("#details")
    expect(panel).to_be_focused()
    cancel = panel.get_by_role("button", name="Cancel booking")
    for _ in range(4):
        page.keyboard.press("Tab")
        if cancel.evaluate("button => button === document.activeElement"):
            break
    expect(cancel).to_be_focused()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Cancel this booking?")
    expect(dialog).to_contain_text("Cancel: fee")
    expect(dialog.get_by_role("button", name="Keep the booking")).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    assert Booking.objects.get(title=DAY_TWO).status == "confirmed"


def test_a_link_to_a_booking_opens_its_week_and_its_details(
    page_as: Any, demo: dict[str, Any]
) -> None:
    """The project hub links each booking as /calendar/?room=&date=#booking-: the calendar opens
    on that day's week with the booking's details, weeks ahead of today."""
    booking = Booking.objects.get(title=DAY_TWO)
    later = services.booking_create(
        by=demo["demo"],
        room=booking.room,
        project=booking.project,
        start=booking.start + datetime.timedelta(weeks=5),
        end=booking.end + datetime.timedelta(weeks=5),
        title="Mix review, far ahead",
    )[0]
    page = page_as(demo["demo"])
    day = later.start.astimezone(booking.room.studio.zone).date().isoformat()
    page.goto(f"/calendar/?room={later.room_id}&date={day}#booking-{later.pk}")
    panel = page.locator("#details")
    expect(panel.get_by_role("heading", name=re.compile("Mix review, far ahead"))).to_be_visible()
    expect(page.locator(".fc-timegrid-event", has_text="Mix review, far ahead")).to_be_visible()
