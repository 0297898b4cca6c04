"""The producer fixes the demo release from its page: each readiness blocker links to the field
that fixes it, and the checklist empties as they go (at 1366 and 390 px, with axe-core)."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from releases.models import Release
from tests.browser.conftest import look

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def jpeg(size: tuple[int, int]) -> dict[str, Any]:
    data = io.BytesIO()
    Image.new("RGB", size, (23, 32, 46)).save(data, "JPEG", quality=70)
    return {"name": "cover.jpg", "mimeType": "image/jpeg", "buffer": data.getvalue()}


def test_producer_fixes_every_blocker(page_as: Any, demo: dict[str, Any]) -> None:
    release = Release.objects.get(title="Paper Lanterns")
    second = release.tracks.get(position=2)
    page = page_as(demo["demo"])
    page.goto(f"/releases/{release.pk}/")
    readiness = page.locator("#readiness")
    expect(readiness.get_by_role("heading")).to_contain_text("Not ready to deliver: 3 blocking")
    look(page, "release-edit-start")

    # The barcode: the link puts the cursor in the field; a wrong check digit is refused there.
    readiness.get_by_role("link", name="The release has no UPC/EAN barcode.").click()
    upc = page.locator("#field-upc")
    expect(upc).to_be_focused()
    upc.fill("4006381333932")
    page.get_by_role("button", name="Save release details").click()
    expect(page.locator("#field-upc-error")).to_contain_text("not a valid barcode")
    expect(page.locator("#field-upc")).to_be_focused()  # the keyboard is back at the field
    look(page, "release-edit-upc-refused")
    page.locator("#field-upc").fill("4006381333931")
    page.get_by_role("button", name="Save release details").click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    expect(readiness.get_by_role("heading")).to_contain_text("2 blocking")
    expect(readiness).not_to_contain_text("UPC/EAN")

    # The © line.
    readiness.get_by_role("link", name=re.compile("no © line")).click()
    expect(page.locator("#field-c_line_year")).to_be_focused()
    page.keyboard.type("2027")
    page.locator("#field-c_line_owner").fill("Harbour Lane Productions")
    page.get_by_role("button", name="Save release details").click()
    expect(readiness.get_by_role("heading")).to_contain_text("1 blocking")

    # The second track's ISRC, from the label's registrant prefix, kept once.
    readiness.get_by_role("link", name=re.compile("Track 2 .* has no ISRC")).click()
    expect(page.locator(f"#track-{second.pk}-isrc")).to_be_focused()
    look(page, "release-edit-isrc-target")
    page.get_by_label("Registrant name").fill("Driftwood Records")
    page.get_by_label("Country").fill("DE")
    page.get_by_label("Registrant", exact=True).fill("A12")
    page.get_by_role("button", name="Keep registrant prefix").click()
    expect(page.locator(".messages")).to_contain_text("now come from DE-A12")
    page.locator(f"#track-{second.pk}").get_by_role("button", name="Allocate ISRC").click()
    year = timezone.localdate().year % 100
    # The demo's first track has the prefix's first number of the year; this is the next.
    expect(page.locator(f"#track-{second.pk}-isrc")).to_have_value(f"DEA12{year:02d}00002")
    # The track list above says so too, without a reload.
    expect(page.locator(f"#isrc-of-{second.pk}")).to_have_text(f"DEA12{year:02d}00002")
    expect(page.locator(f"#track-{second.pk}").get_by_role("status")).to_contain_text(
        "gets the ISRC"
    )
    expect(readiness.get_by_role("heading")).to_contain_text("Ready to deliver")
    look(page, "release-edit-isrc")

    # A new cover: a small one is refused beside the file field, then one under 3000 px is
    # kept with the stores' warning.
    cover = page.locator("#field-cover")
    cover.set_input_files(jpeg((1000, 1000)))
    page.get_by_role("button", name="Replace cover").click()
    expect(page.locator("#field-cover-error")).to_contain_text("1400")
    look(page, "release-edit-cover-refused")
    page.locator("#field-cover").set_input_files(jpeg((2000, 2000)))
    page.get_by_role("button", name="Replace cover").click()
    expect(page.locator(".messages")).to_contain_text("Cover kept: 2000 × 2000 px JPEG.")
    expect(page.locator(".messages").get_by_text("3000")).to_be_visible()

    expect(readiness.get_by_role("heading")).to_contain_text("Ready to deliver")
    expect(readiness).not_to_contain_text("✕")
    look(page, "release-edit-ready")
    release.refresh_from_db()
    assert (release.upc, release.c_line_year) == ("4006381333931", 2027)


def test_track_added_edited_and_removed(page_as: Any, demo: dict[str, Any]) -> None:
    release = Release.objects.get(title="Paper Lanterns")
    page = page_as(demo["demo"])
    page.goto(f"/releases/{release.pk}/")
    page.get_by_label("Title").last.fill("Harbour Lights")
    page.get_by_role("button", name="Add track").click()
    expect(page.locator(".messages")).to_contain_text("Track 3 “Harbour Lights” added.")
    third = release.tracks.get(position=3)
    row = page.locator(f"#track-{third.pk}")
    row.get_by_label("ISRC").fill("not an isrc")
    row.get_by_role("button", name="Save track 3").click()
    expect(page.locator(f"#track-{third.pk}-isrc-error")).to_contain_text("is not an ISRC")
    expect(page.locator(f"#track-{third.pk}-isrc")).to_be_focused()
    look(page, "release-edit-track-refused")
    page.locator(f"#track-{third.pk}-isrc").fill("")
    page.locator(f"#track-{third.pk}-version").fill("Radio edit")
    page.locator(f"#track-{third.pk}").get_by_role("button", name="Save track 3").click()
    # The refusal's status says "Not saved"; wait for the new row's own words.
    expect(page.locator(f"#track-{third.pk}").get_by_role("status")).to_have_text(
        "Track 3 “Harbour Lights” saved."
    )
    assert release.tracks.get(position=3).version == "Radio edit"
    page.locator(f"#track-{third.pk}").get_by_text("Remove track 3…").click()
    expect(page.get_by_text("Remove track 3 and its master and deliverables?")).to_be_visible()
    page.get_by_role("button", name="Remove track 3", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Removed track 3 “Harbour Lights”")
    assert not release.tracks.filter(position=3).exists()
