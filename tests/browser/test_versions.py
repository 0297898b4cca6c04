"""A mix review: from the board to a song's versions, a note at a time in the mix, resolved,
the mix approved (asked first, saying what follows); the demo's finished song with its notes
fixed in the next mix and its approved master; a guest's listen page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from projects.models import Project
from songs.models import ListenLink, ListenPlay, Song, SongStage, SongVersion, VersionNote
from tests.browser.conftest import look

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_note_at_a_time_resolved_then_the_mix_approved(
    page_as: Any, demo_measured: dict[str, Any]
) -> None:
    project = Project.objects.get(title="Low Tide Sessions")
    song = Song.objects.get(project=project, title="Breakwater")
    page = page_as(demo_measured["demo"])
    page.goto(f"/projects/{project.pk}/songs/")
    card = page.locator(".song-card", has_text="Breakwater")
    expect(card.get_by_text("Open notes")).to_be_visible()
    card.get_by_role("link", name="Mix v1").click()
    expect(page.get_by_role("heading", level=1, name="Breakwater: versions")).to_be_visible()
    # The waveform is drawn from the server's peaks (wavesurfer.js in its shadow root).
    expect(page.locator("[data-waveform] > div")).to_have_count(1)
    look(page, "versions-mix")

    # Clicking a note's time seeks the player there.
    page.get_by_role("button", name="Play from 0:09").click()
    page.wait_for_function(
        "() => { const a = document.querySelector('[data-audio]'); "
        "return a.currentTime >= 9 && a.currentTime < 12; }"
    )
    page.evaluate("() => document.querySelector('[data-audio]').pause()")
    form = page.locator("#note-form")
    # Paused at 0:09: the note's time comes from the player; typed by hand it wins.
    expect(form.get_by_label("At")).to_have_value("0:09")
    form.get_by_label("At").fill("0:14")
    form.get_by_label("Note").fill("Cymbals harsh on the last chorus.")
    form.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Note at 0:14 added to Mix v1.")).to_be_visible()
    note = page.locator(".note", has_text="Cymbals harsh")
    expect(note.get_by_role("button", name="Play from 0:14")).to_be_visible()

    # A time past the end is refused beside the field.
    form = page.locator("#note-form")
    form.get_by_label("At").fill("9:00")
    form.get_by_label("Note").fill("Too late")
    form.get_by_role("button", name="Add note").click()
    expect(page.locator("#note-form .error").first).to_contain_text("A time between 0:00 and")

    page.goto(f"/projects/{project.pk}/songs/{song.pk}/versions/")
    note = page.locator(".note", has_text="Cymbals harsh")
    note.get_by_role("button", name="Resolve the note at 0:14").click()
    expect(
        page.locator(".note", has_text="Cymbals harsh").get_by_text("Fixed in Mix v1")
    ).to_be_visible()
    assert VersionNote.objects.get(body__startswith="Cymbals").resolved_at is not None

    page.get_by_text("Approve Mix v1…").click()
    expect(
        page.get_by_text("Approve Mix v1: the mix is final and the song moves to mastering.")
    ).to_be_visible()
    look(page, "versions-approve")
    page.get_by_role("button", name="Approve Mix v1").click()
    expect(page.get_by_text("Mix v1 approved.")).to_be_visible()
    song.refresh_from_db()
    assert song.stage == SongStage.MASTERING
    assert SongVersion.objects.get(song=song).approved_by == demo_measured["demo"]


def test_the_demo_song_with_fixed_notes_and_its_approved_master(
    page_as: Any, demo_measured: dict[str, Any]
) -> None:
    project = Project.objects.get(title="Low Tide Sessions")
    song = Song.objects.get(project=project, title="Gull Song")
    mix = SongVersion.objects.get(song=song, kind="mix", number=2)
    page = page_as(demo_measured["demo"])
    page.goto(f"/projects/{project.pk}/songs/{song.pk}/versions/?v={mix.pk}")
    expect(page.get_by_text("Master v1 approved as the master")).to_be_visible()
    expect(page.get_by_text("fixed in Mix v2")).to_have_count(3)
    expect(page.locator("#links").get_by_text("Mastering engineer", exact=True)).to_be_visible()
    look(page, "versions-demo")


def test_a_guest_listens_and_leaves_a_note(
    anonymous_page: Any, demo_measured: dict[str, Any]
) -> None:
    link = ListenLink.objects.get(label="Mastering engineer")
    page = anonymous_page
    page.goto(f"/listen/{link.token}/")
    expect(page.get_by_role("heading", level=1, name="Gull Song")).to_be_visible()
    expect(page.get_by_role("link")).to_have_count(1)  # the download, nothing else
    plays = ListenPlay.objects.filter(link=link).count()
    page.locator("[data-audio]").evaluate("(a) => a.play()")
    page.wait_for_function("() => document.querySelector('[data-audio]').currentTime > 0.2")
    assert ListenPlay.objects.filter(link=link).count() == plays + 1
    page.get_by_label("Your name").fill("Mara, mastering")
    page.get_by_label("At").fill("0:05")
    page.get_by_role("textbox", name="Note").fill("Low end is fine; a little more air up top.")
    page.get_by_role("button", name="Send note").click()
    expect(page.get_by_text("Thank you: your note at 0:05 is with the team.")).to_be_visible()
    look(page, "listen")
    assert VersionNote.objects.filter(guest_name="Mara, mastering", link=link).exists()
