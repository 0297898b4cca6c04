"""A second producer sets up from the pages: a studio with a room and a gear item, a project
picking that studio from the directory, a contact added and edited in place. A producer opens
the project hub and follows a booking to the calendar and to its session."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from projects.models import PersonCard, Project
from sessions.models import Session
from studio.models import Booking, Gear, Room, Studio
from tests.browser.conftest import look
from tests.factories import RoomFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_new_producer_sets_up_a_studio_a_project_and_a_contact(
    page_as: Any, demo: dict[str, Any]
) -> None:
    producer = UserFactory.create(username="nora")
    page = page_as(producer)

    # Studios: the install's directory, then a new one.
    page.goto("/studios/")
    expect(page.get_by_role("heading", level=1, name="Studios")).to_be_visible()
    look(page, "studio-directory")
    page.get_by_role("link", name="New studio").click()
    page.get_by_label("Name", exact=True).fill("Saltmarsh Rooms")
    page.get_by_label("Address", exact=True).fill("Pier 3\nAberdeen")
    page.get_by_label("Time zone", exact=True).fill("Mars/Base")
    page.get_by_label("Currency", exact=True).fill("GBP")
    page.get_by_label("Hold hours", exact=True).fill("72")
    page.get_by_label("Challenge hours", exact=True).fill("12")
    page.get_by_label("Cancellation fees", exact=True).fill("7:0, 2:50, 0:100")
    page.get_by_role("button", name="Create studio").click()
    # A zone that does not exist is refused beside the field.
    expect(page.locator(".field:has(#id_time_zone) .error")).to_be_visible()
    look(page, "studio-form-refused")
    page.get_by_label("Time zone", exact=True).fill("Europe/London")
    page.get_by_role("button", name="Create studio").click()
    expect(page.get_by_role("heading", level=1, name="Saltmarsh Rooms")).to_be_visible()
    expect(page.get_by_text("You manage it")).to_be_visible()
    studio = Studio.objects.get(name="Saltmarsh Rooms")
    assert list(studio.managers.all()) == [producer]

    # A room with its rate card.
    page.get_by_role("link", name="Add room").first.click()
    page.get_by_label("Name", exact=True).fill("Room A")
    page.get_by_label("Hourly rate", exact=True).fill("60")
    page.get_by_label("Half day rate", exact=True).fill("250")
    page.get_by_label("Day (lockout) rate", exact=True).fill("450")
    page.get_by_label("Half day hours", exact=True).fill("12")
    page.get_by_role("button", name="Add room").click()
    expect(page.get_by_text("cannot be longer than a day")).to_be_visible()
    look(page, "room-form-refused")
    page.get_by_label("Half day hours", exact=True).fill("5")
    page.get_by_role("button", name="Add room").click()
    expect(page.get_by_role("cell", name="Room A", exact=True)).to_be_visible()
    room = Room.objects.get(studio=studio)
    assert room.day_rate == Decimal("450.00")

    # A gear item kept in that room.
    page.get_by_role("link", name="Add gear").first.click()
    page.get_by_label("Name", exact=True).fill("Coles 4038")
    page.get_by_label("Category", exact=True).select_option("microphone")
    page.get_by_label("Day rate", exact=True).fill("15")
    page.get_by_label("Room", exact=True).select_option(label="Room A")
    page.get_by_role("button", name="Add gear").click()
    expect(page.get_by_role("cell", name="Coles 4038", exact=True)).to_be_visible()
    assert Gear.objects.get(studio=studio).room == room
    look(page, "studio-detail")

    # A project, picking the studio from the directory (the demo's studio is offered too).
    page.goto("/projects/new/")
    expect(
        page.get_by_label("Saltmarsh Rooms · Aberdeen · Europe/London", exact=True)
    ).to_be_visible()
    expect(page.get_by_role("link", name="Create a studio")).to_be_visible()
    look(page, "project-form-directory")
    page.get_by_label("Title", exact=True).fill("Harbour Lights")
    page.get_by_label("Artist", exact=True).fill("Isla Moor")
    page.get_by_label("Saltmarsh Rooms · Aberdeen · Europe/London", exact=True).check()
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", level=1, name="Harbour Lights")).to_be_visible()
    project = Project.objects.get(title="Harbour Lights")
    assert list(project.studios.all()) == [studio]

    # A contact on that project, then edited in its row.
    page.goto("/people/")
    page.get_by_text("Add a contact").click()
    page.get_by_label("Name", exact=True).fill("Fern Calder")
    page.get_by_label("Project", exact=True).select_option(label=str(project))
    page.get_by_label("Email", exact=True).fill("fern@")
    page.get_by_role("button", name="Add contact").click()
    expect(page.locator("#id_email-error")).to_be_visible()
    page.get_by_label("Email", exact=True).fill("fern@example.com")
    page.get_by_label("Instruments", exact=True).fill("fiddle")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_role("cell", name="fiddle", exact=True)).to_be_visible()
    look(page, "people-added")

    page.get_by_role("link", name="Edit Fern Calder on Harbour Lights").click()
    row = page.locator("tr.editing")
    expect(row.get_by_label("Phone", exact=True)).to_be_visible()
    assert page.url.endswith("/people/")  # swapped in place, no new page
    row.get_by_label("Email", exact=True).fill("not an email")
    row.get_by_role("button", name="Save").click()
    expect(page.locator("tr.editing .error")).to_contain_text("valid email")
    look(page, "people-inline-refused")
    page.locator("tr.editing").get_by_label("Email", exact=True).fill("fern@saltmarsh.example")
    page.locator("tr.editing").get_by_label("Phone", exact=True).fill("+44 1224 000")
    page.locator("tr.editing").get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.get_by_role("cell", name="fern@saltmarsh.example", exact=True)).to_be_visible()
    card = PersonCard.objects.get(person__name="Fern Calder", project=project)
    assert (card.email, card.phone) == ("fern@saltmarsh.example", "+44 1224 000")
    look(page, "people-inline-saved")


def test_a_producer_follows_the_hub_to_the_calendar_and_a_session(
    page_as: Any, demo: dict[str, Any]
) -> None:
    producer = demo["demo"]
    project = Project.objects.filter(memberships__user=producer).order_by("pk").first()
    assert project is not None
    # A room of its own: the demo's rooms are booked around "now", and a confirmed day here
    # must not meet them whatever the hour the test runs.
    studio = project.studios.first()
    assert studio is not None
    room = RoomFactory.create(studio=studio, name="Overdub booth")
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=2)
    booking = Booking.objects.create(
        room=room,
        project=project,
        title="Cello overdub",
        start=start,
        end=start + datetime.timedelta(hours=4),
        status=Booking.Status.CONFIRMED,
        quoted_amount=Decimal("320.00"),
    )
    session = Session.objects.create(
        project=project,
        booking=booking,
        room=room,
        title="Cello",
        start=booking.start,
        end=booking.end,
    )
    page = page_as(producer)
    page.goto(f"/projects/{project.pk}/")
    expect(page.get_by_role("heading", name="Next bookings and sessions")).to_be_visible()
    expect(page.get_by_role("heading", name="Money")).to_be_visible()
    expect(page.get_by_role("heading", name="Release readiness")).to_be_visible()
    look(page, "project-hub")

    page.get_by_role("link", name="Session: Cello").click()
    expect(page).to_have_url(re.compile(rf"/sessions/{session.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cello")
    page.go_back()
    page.get_by_role("link", name="Cello overdub").click()
    expect(page).to_have_url(re.compile(rf"/calendar/\?room={booking.room_id}&date="))
    expect(page.locator("#calendar")).to_be_visible()
    # The link opens the booking's details, not only its week.
    expect(
        page.locator("#details").get_by_role("heading", name=re.compile("Cello overdub"))
    ).to_be_visible()
