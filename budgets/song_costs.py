"""What each song of a project has cost: its costs, and its share of the sessions.

The rule, as the page says it: a session's studio time (its booking's quote, or the
cancellation fee of a cancelled booking) and its pay (its engagements' fees) are shared evenly
by the songs recorded on it (the distinct songs of its takes) or, when it has no take of a
song yet, by the songs planned for it. A booking with several sessions is shared evenly by
them first. Costs count for the song they are tagged with. What has no song (a session with
neither takes nor planned songs, a booking without a session, an untagged cost) is one row,
"not assigned to a song", so the rows add up to the project's total.

Shares are rounded to the currency's minor unit with ``round_money`` and the remainder of the
rounding goes to the first of the sharers, so the shares of a sum add up to it exactly.

A fixed number of queries (seven) whatever the number of songs, sessions and costs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from budgets.models import Cost
from core.money import round_money
from projects.models import Project
from sessions.models import Engagement, Session, Take
from songs.models import Song
from studio.models import Booking

ZERO = Decimal("0.00")


@dataclass
class SongCost:
    """One row: a song (None for what is not assigned to a song) and its money."""

    song: Song | None
    studio_time: Decimal = ZERO
    pay: Decimal = ZERO
    costs_committed: Decimal = ZERO
    costs_actual: Decimal = ZERO
    sessions: int = 0

    @property
    def total(self) -> Decimal:
        return self.studio_time + self.pay + self.costs_committed + self.costs_actual

    @property
    def label(self) -> str:
        return self.song.title if self.song is not None else "Not assigned to a song"


@dataclass
class SongCostReport:
    project: Project
    currency: str
    rows: list[SongCost]
    unassigned: SongCost
    total: SongCost
    warnings: list[str] = field(default_factory=list)


def split_evenly(amount: Decimal, parts: int, currency: str) -> list[Decimal]:
    """``amount`` in ``parts`` rounded shares that add up to it exactly: each share rounded
    half up, the difference (a cent or so) on the first."""
    if parts < 1:
        raise ValueError("Nothing to share among.")
    share = round_money(amount / parts, currency)
    shares = [share] * parts
    shares[0] += round_money(amount, currency) - share * parts
    return shares


def song_costs(*, project: Project) -> SongCostReport:
    """Per song of ``project`` (by title), its share of the sessions and its tagged costs, in
    the project's currency; money in another currency is left out with a warning."""
    currency = project.currency
    songs = list(Song.objects.filter(project=project).order_by("title", "pk"))
    rows = {song.pk: SongCost(song) for song in songs}
    unassigned = SongCost(None)
    warnings: set[str] = set()

    def row(song_id: int | None) -> SongCost:
        return rows[song_id] if song_id in rows else unassigned

    _add_costs(project, row)
    sharers = _session_songs(project, order=[song.pk for song in songs])
    sessions_of_booking: dict[int, list[int]] = defaultdict(list)
    session_count = 0
    for session_id, booking_id in (
        Session.objects.filter(project=project).order_by("start", "pk").values_list("pk", "booking")
    ):
        if booking_id is not None:
            sessions_of_booking[booking_id].append(session_id)
        session_count += 1
        for song_id in sharers.get(session_id, [None]):
            row(song_id).sessions += 1

    def share(session_id: int, amount: Decimal, attribute: str) -> None:
        song_ids: list[int | None] = list(sharers.get(session_id, [None]))
        for song_id, part in zip(
            song_ids, split_evenly(amount, len(song_ids), currency), strict=True
        ):
            target = row(song_id)
            setattr(target, attribute, getattr(target, attribute) + part)

    for booking in Booking.objects.filter(
        project=project, status__in=[Booking.Status.CONFIRMED, Booking.Status.CANCELLED]
    ).values("pk", "status", "quoted_amount", "cancellation_fee", "room__studio__currency"):
        if booking["room__studio__currency"] != currency:
            warnings.add(
                f"Studio time in {booking['room__studio__currency']} is left out: "
                f"the project is in {currency}."
            )
            continue
        # As the budget counts it: a confirmed day's quote, a cancelled day's fee.
        amount = (
            booking["quoted_amount"]
            if booking["status"] == Booking.Status.CONFIRMED
            else booking["cancellation_fee"]
        ) or ZERO
        session_ids = sessions_of_booking.get(booking["pk"], [])
        if not session_ids:
            unassigned.studio_time += amount
            continue
        for session_id, part in zip(
            session_ids, split_evenly(amount, len(session_ids), currency), strict=True
        ):
            share(session_id, part, "studio_time")

    for fee in (
        Engagement.objects.filter(session__project=project)
        .values("session_id", "currency")
        .annotate(total=Sum("fee"))
        .order_by("session_id", "currency")
    ):
        if fee["currency"] != currency:
            warnings.add(f"Pay in {fee['currency']} is left out: the project is in {currency}.")
            continue
        share(fee["session_id"], round_money(fee["total"] or ZERO, currency), "pay")

    ordered = list(rows.values())
    total = SongCost(None)
    for entry in [*ordered, unassigned]:
        for name in ("studio_time", "pay", "costs_committed", "costs_actual"):
            setattr(total, name, getattr(total, name) + getattr(entry, name))
    total.sessions = session_count
    return SongCostReport(
        project=project,
        currency=currency,
        rows=ordered,
        unassigned=unassigned,
        total=total,
        warnings=sorted(warnings),
    )


def _add_costs(project: Project, row: Callable[[int | None], SongCost]) -> None:
    """Costs (already in the project's currency) to their song: paid ones actual, the others
    committed, as the budget counts them."""
    for entry in (
        Cost.objects.filter(project=project)
        .values("song_id", "status")
        .annotate(total=Sum("amount_converted"))
        .order_by("song_id", "status")
    ):
        # SQLite sums decimals as floats: back to the currency's cents.
        amount = round_money(entry["total"] or ZERO, project.currency)
        target = row(entry["song_id"])
        if entry["status"] == Cost.Status.PAID:
            target.costs_actual += amount
        else:
            target.costs_committed += amount


def _session_songs(project: Project, *, order: list[int]) -> dict[int, list[int]]:
    """Per session, the songs that share it, in the report's order: the distinct songs of its
    takes, else the songs planned for it. A session in neither has no entry."""
    rank = {song_id: index for index, song_id in enumerate(order)}
    recorded: dict[int, set[int]] = defaultdict(set)
    for session_id, song_id in (
        Take.objects.filter(session__project=project, song__isnull=False)
        .values_list("session_id", "song_id")
        .distinct()
    ):
        recorded[session_id].add(song_id)
    planned: dict[int, set[int]] = defaultdict(set)
    # The stubs type an auto-created through model as the target model: read it untyped.
    through: Any = Session.songs.through
    for session_id, song_id in through.objects.filter(session__project=project).values_list(
        "session_id", "song_id"
    ):
        planned[session_id].add(song_id)
    sharers: dict[int, list[int]] = {}
    for session_id in {*recorded, *planned}:
        song_ids = recorded.get(session_id) or planned[session_id]
        sharers[session_id] = sorted(song_ids, key=lambda pk: rank.get(pk, len(rank)))
    return sharers
