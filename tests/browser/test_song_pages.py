"""A song's own page and the tracking sheet, as the producer uses them: edit a song and read
its history; set cells of the sheet in place at desktop and phone width (the grid scrolls in
its own box, the page never sideways)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from projects.models import Project
from songs.models import Part, PartStatus, Song, SongPart
from tests.browser.conftest import look

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_producer_edits_a_song_and_sees_its_history(page_as: Any, demo: dict[str, Any]) -> None:
    project = Project.objects.get(title="Low Tide Sessions")
    page = page_as(demo["demo"])
    page.goto(f"/projects/{project.pk}/songs/")
    page.get_by_role("link", name="Breakwater", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Breakwater")).to_be_visible()
    # Moved from pre-production to mixing when the demo was made: the history says so.
    history = page.locator(".song-history tbody tr")
    expect(history.first).to_contain_text("Mixing")
    expect(history.first).to_contain_text("Pre-production")

    page.get_by_label("Tempo").fill("0")
    page.get_by_role("button", name="Save song").click()
    expect(page.locator("#tempo-error")).to_be_visible()

    page.get_by_label("Tempo").fill("124")
    page.get_by_label("Key").fill("A minor")
    page.get_by_label("Notes").fill("Shorter intro for the single.")
    page.get_by_role("button", name="Save song").click()
    expect(page.get_by_text("Saved Breakwater.")).to_be_visible()
    song = Song.objects.get(project=project, title="Breakwater")
    assert (song.key, str(song.tempo)) == ("A minor", "124.0")
    look(page, "song-page")

    # Moving it on the board adds a row to its history, newest first.
    page.goto(f"/projects/{project.pk}/songs/")
    card = page.locator(".song-card", has_text="Breakwater")
    card.get_by_label("Move Breakwater to").select_option("mastering")
    card.get_by_role("button", name="Move").click()
    expect(page.get_by_text("Moved Breakwater to Mastering.")).to_be_visible()
    page.get_by_role("link", name="Breakwater", exact=True).click()
    first = page.locator(".song-history tbody tr").first
    expect(first).to_contain_text("Mastering")
    expect(first).to_contain_text("Mixing")

    # And from its own page, on a phone: the stage select sits under the title.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_label("Stage", exact=True).select_option("done")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_text("Moved Breakwater to Done.")).to_be_visible()
    expect(page.get_by_label("Stage", exact=True)).to_have_value("done")
    expect(page.locator(".song-history tbody tr").first).to_contain_text("Mastering")
    look(page, "song-page-moved")


def test_the_producer_sets_cells_on_the_tracking_sheet(page_as: Any, demo: dict[str, Any]) -> None:
    project = Project.objects.get(title="Low Tide Sessions")
    song = Song.objects.get(project=project, title="Saltwater Hymn")
    keys = Part.objects.get(project=project, name="Keys")
    strings = Part.objects.get(project=project, name="Strings")
    page = page_as(demo["demo"])
    page.goto(f"/projects/{project.pk}/songs/")
    page.get_by_role("link", name="Tracking sheet").click()
    expect(page.get_by_role("heading", level=1, name="Tracking sheet")).to_be_visible()
    # The cells save through htmx, which binds them once the page has loaded: a change made
    # before that (a busy machine) would go unheard.
    page.wait_for_load_state()

    # At desktop width: a change saves the cell in place (htmx), its colour and word follow.
    cell = page.locator(f"#cell-{song.pk}-{keys.pk}")
    cell.get_by_label("Keys of Saltwater Hymn").select_option("recorded")
    expect(page.locator(f"#cell-{song.pk}-{keys.pk}.status-recorded")).to_be_visible()
    assert SongPart.objects.get(song=song, part=keys).status == PartStatus.RECORDED
    look(page, "song-sheet")

    # On a phone: the grid scrolls inside its box, the song column stays; a cell still saves.
    page.set_viewport_size({"width": 390, "height": 844})
    scroll = page.locator(".sheet-scroll")
    box_width, inner_width = scroll.evaluate("(el) => [el.clientWidth, el.scrollWidth]")
    assert inner_width > box_width  # seven parts do not fit: the grid scrolls, not the page
    page.locator(f"#status-{song.pk}-{strings.pk}").scroll_into_view_if_needed()
    page.locator(f"#status-{song.pk}-{strings.pk}").select_option("not_needed")
    expect(page.locator(f"#cell-{song.pk}-{strings.pk}.status-not_needed")).to_be_visible()
    row_head = page.locator(f"#sheet-song-{song.pk} th")
    expect(row_head).to_be_in_viewport()
    assert SongPart.objects.get(song=song, part=strings).status == PartStatus.NOT_NEEDED
    look(page, "song-sheet-phone")
