"""What other apps add to songs: details on the board's cards, and work when a song moves,
leaves or has a master version approved.

Why a registry: the milestone invoices live in budgets, the cost of each song in budgets, a
track's master in releases, and all of them stand above ``songs``, which imports none of them
(docs/architecture.md). Each app registers its parts from its ``AppConfig.ready()``, as the
hub's panels do (projects/hub.py).

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
- An *approval watcher* runs inside the transaction of ``version_approve`` after the version
  is stamped, with whether it was approved as a master (a release makes it its tracks'
  master). What it stores outside the database (a copied file) it undoes through the
  callables it appends to ``undo``, which run if the approval fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from core.users import AnyUser
    from songs.models import Song, SongVersion

CardDetails = Callable[[list["Song"], "AnyUser | None"], dict[int, dict[str, Any]]]
StageWatcher = Callable[["Song", str, str, "User | None"], None]
LeavingWatcher = Callable[["Song"], None]
ApprovalWatcher = Callable[["SongVersion", bool, list[Callable[[], None]]], None]

_CARD_DETAILS: dict[str, CardDetails] = {}
_STAGE_WATCHERS: dict[str, StageWatcher] = {}
_LEAVING_WATCHERS: dict[str, LeavingWatcher] = {}
_APPROVAL_WATCHERS: dict[str, ApprovalWatcher] = {}


def register_card_details(key: str, read: CardDetails) -> None:
    """Add (or, on a second ready(), replace) a reader of card details by its key."""
    _CARD_DETAILS[key] = read


def register_stage_watcher(key: str, watcher: StageWatcher) -> None:
    """Add (or replace) a watcher of stage moves by its key."""
    _STAGE_WATCHERS[key] = watcher


def register_leaving_watcher(key: str, watcher: LeavingWatcher) -> None:
    """Add (or replace) a watcher of songs being deleted by its key."""
    _LEAVING_WATCHERS[key] = watcher


def register_approval_watcher(key: str, watcher: ApprovalWatcher) -> None:
    """Add (or replace) a watcher of version approvals by its key."""
    _APPROVAL_WATCHERS[key] = watcher


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


def version_approved(
    *, version: SongVersion, as_master: bool, undo: list[Callable[[], None]]
) -> None:
    """Tell every watcher that ``version`` was approved (inside the approval's transaction)."""
    for watcher in _APPROVAL_WATCHERS.values():
        watcher(version, as_master, undo)
