"""What other apps add to songs: details on the board's cards, and work when a song moves.

Why a registry: a song's latest version and open notes live in releases, the milestone invoices
in budgets, but ``studio`` is the ground floor and imports no other app (DESIGN.md). Each app
registers its parts from its ``AppConfig.ready()``, as the hub's panels do (studio/hub.py).

- A *card detail* reads, for a list of songs and the user looking, what that app shows on their
  cards: it returns ``{song_id: {name: value}}`` in a fixed number of queries whatever the
  number of songs (the board's query count is pinned), merged into each card's ``details``.
  The user lets a reader keep to what that user may see (money only for who sees the budget).
- A *stage watcher* runs inside the transaction of ``song_move`` after the move is recorded,
  so what it writes commits or rolls back with the move (a milestone's draft invoice, for
  example); it must not send anything itself (enqueue on commit instead).
- A *leaving watcher* runs inside the transaction of ``song_delete`` before the song's rows
  go, so an app can remove what it stored for the song (its versions' files, after the
  commit: a delete that rolls back keeps them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from studio.models import Song
    from studio.permissions import AnyUser

CardDetails = Callable[[list["Song"], "AnyUser | None"], dict[int, dict[str, Any]]]
StageWatcher = Callable[["Song", str, str, "User | None"], None]
LeavingWatcher = Callable[["Song"], None]

_CARD_DETAILS: dict[str, CardDetails] = {}
_STAGE_WATCHERS: dict[str, StageWatcher] = {}
_LEAVING_WATCHERS: dict[str, LeavingWatcher] = {}


def register_card_details(key: str, read: CardDetails) -> None:
    """Add (or, on a second ready(), replace) a reader of card details by its key."""
    _CARD_DETAILS[key] = read


def register_stage_watcher(key: str, watcher: StageWatcher) -> None:
    """Add (or replace) a watcher of stage moves by its key."""
    _STAGE_WATCHERS[key] = watcher


def register_leaving_watcher(key: str, watcher: LeavingWatcher) -> None:
    """Add (or replace) a watcher of songs being deleted by its key."""
    _LEAVING_WATCHERS[key] = watcher


def card_details(songs: Iterable[Song], user: AnyUser | None = None) -> dict[int, dict[str, Any]]:
    """Every registered app's details for these songs as ``user`` may see them, by song id."""
    songs = list(songs)
    merged: dict[int, dict[str, Any]] = {song.pk: {} for song in songs}
    for read in _CARD_DETAILS.values():
        for song_id, details in read(songs, user).items():
            merged.setdefault(song_id, {}).update(details)
    return merged


def stage_moved(*, song: Song, from_stage: str, to_stage: str, by: User | None) -> None:
    """Tell every watcher that ``song`` moved (inside the move's transaction)."""
    for watcher in _STAGE_WATCHERS.values():
        watcher(song, from_stage, to_stage, by)


def song_leaving(*, song: Song) -> None:
    """Tell every watcher that ``song`` is about to be deleted (inside the delete's
    transaction)."""
    for watcher in _LEAVING_WATCHERS.values():
        watcher(song)
