"""The producer keeps the songs moving: from the project hub to the board, a new song added,
then moved a stage on with the card's select and button (keyboard and phone alike), then
dragged to another column."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from projects.models import Project
from songs.models import Song, SongStage, SongStageChange
from tests.browser.conftest import look

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_producer_adds_a_song_and_moves_it(page_as: Any, demo: dict[str, Any]) -> None:
    producer = demo["demo"]
    project = Project.objects.get(title="Low Tide Sessions")
    page = page_as(producer)

    page.goto(f"/projects/{project.pk}/")
    page.get_by_role("link", name="Songs", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Songs")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Mixing")).to_be_visible()
    # The demo's Breakwater was due three days ago and is still in mixing.
    expect(page.locator("#song-board .song-card.late")).to_have_count(1)
    expect(page.get_by_text("Late: was due")).to_be_visible()

    page.get_by_label("Title", exact=True).fill("Lighthouse Waltz")
    page.get_by_role("button", name="Add song").click()
    card = page.locator(".song-card", has_text="Lighthouse Waltz")
    expect(card).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Added Lighthouse Waltz to Pre-production.")
    pre_production = page.locator("section.song-column", has=page.locator("#stage-pre_production"))
    expect(pre_production.locator(".song-card", has_text="Lighthouse Waltz")).to_be_visible()
    look(page, "song-board")

    # By keyboard: pick the stage in the card's select, then press its Move button.
    card.get_by_label("Move Lighthouse Waltz to").select_option(label="Tracking")
    card.get_by_role("button", name="Move Lighthouse Waltz").press("Enter")
    expect(page.get_by_role("status")).to_have_text("Moved Lighthouse Waltz to Tracking.")
    tracking = page.locator("section.song-column", has=page.locator("#stage-tracking"))
    expect(tracking.locator(".song-card", has_text="Lighthouse Waltz")).to_be_visible()

    song = Song.objects.get(project=project, title="Lighthouse Waltz")
    assert song.stage == SongStage.TRACKING
    change = SongStageChange.objects.get(song=song)
    assert (change.by, change.from_stage, change.to_stage) == (
        producer,
        SongStage.PRE_PRODUCTION,
        SongStage.TRACKING,
    )

    # With a pointer: drag the card to the Editing column; the move goes through the same form.
    editing = page.locator(".song-cards[data-stage=editing]")
    page.locator(".song-card", has_text="Lighthouse Waltz").drag_to(editing)
    expect(page.get_by_role("status")).to_have_text("Moved Lighthouse Waltz to Editing.")
    expect(editing.locator(".song-card", has_text="Lighthouse Waltz")).to_be_visible()
    song.refresh_from_db()
    assert song.stage == SongStage.EDITING
    assert SongStageChange.objects.filter(song=song).count() == 2
