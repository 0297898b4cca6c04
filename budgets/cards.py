"""What budgets adds to the song board's cards and a song's page (songs.hooks): what the
song has cost so far (``budgets.song_costs``), linked to the cost-by-song page of the
project's headline budget. Money shows only to who may see the project's budget; nobody else
gets anything, not even a blank. Registered from BudgetsConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.html import format_html

from budgets.selectors import headline_budget
from budgets.song_costs import song_costs
from core.templatetags.money import money
from core.users import AnyUser
from projects.permissions import Capability, projects_with
from songs.hooks import register_card_details
from songs.models import Song

COST = "Cost so far"


def song_costs_on_cards(songs: list[Song], user: AnyUser | None) -> dict[int, dict[str, Any]]:
    """``{song_id: {"Cost so far": "1234.00 EUR"}}`` for the songs that have cost something,
    in a fixed number of queries (the project if the user may see its money, its budget,
    then ``song_costs``' seven) whatever the number of songs. The songs are one project's, as on
    the board and a song's page."""
    project_ids = {song.project_id for song in songs}
    if user is None or len(project_ids) != 1:
        return {}
    [project_id] = project_ids
    project = projects_with(user, Capability.BUDGET_VIEW).filter(pk=project_id).first()
    if project is None:
        return {}
    report = song_costs(project=project)
    budget = headline_budget(project_id=project_id)
    shown = {song.pk for song in songs}
    found: dict[int, dict[str, Any]] = {}
    for row in report.rows:
        if row.song is None or row.song.pk not in shown or not row.total:
            continue
        amount = f"{money(row.total, report.currency)} {report.currency}"
        if budget is not None:
            link = reverse("budget-song-costs", args=[budget.pk])
            found[row.song.pk] = {COST: format_html('<a href="{}">{}</a>', link, amount)}
        else:
            found[row.song.pk] = {COST: amount}
    return found


register_card_details("budgets.song_costs", song_costs_on_cards)
