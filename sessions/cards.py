"""The board's card detail from sessions: each song's next planned session.

Registered with ``songs.hooks`` from ``RecordingConfig.ready()`` (studio cannot import
sessions). One query for all the songs on the board, whatever their number."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from core.users import AnyUser
from sessions.models import Session
from songs.models import Song

NEXT_SESSION = "Next session"


def next_sessions(songs: list[Song], user: AnyUser | None = None) -> dict[int, dict[str, str]]:
    """``{song_id: {"Next session": "3 Dec 2026 · Tracking day"}}`` for songs planned on a
    session from today on (cancelled ones left out); songs without one get nothing. Every
    member sees sessions, so the same for any ``user``."""
    if not songs:
        return {}
    today = timezone.localdate()
    since = datetime.datetime.combine(
        today, datetime.time.min, tzinfo=timezone.get_current_timezone()
    )
    # The stubs type the through model as Song: it is read untyped.
    through: Any = Session.songs.through
    planned = (
        through.objects.filter(song_id__in=[song.pk for song in songs], session__start__gte=since)
        .exclude(session__status=Session.Status.CANCELLED)
        .order_by("song_id", "session__start", "session_id")
        .values_list("song_id", "session__start", "session__title")
    )
    found: dict[int, dict[str, str]] = {}
    for song_id, start, title in planned:
        if song_id not in found:
            day = timezone.localtime(start).date()
            found[song_id] = {NEXT_SESSION: f"{day:%-d %b %Y} · {title}"}
    return found
