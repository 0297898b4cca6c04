"""Today's "notes waiting for my answer": open notes, written by someone else, on versions I
uploaded or on songs of projects I produce (registered from ReleasesConfig.ready; see
projects.agenda for why a registry)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q

from core.users import AnyUser
from projects.agenda import AgendaSection, register_section
from projects.models import Membership, Role
from projects.permissions import projects_visible
from songs.models import Song, SongStage, VersionNote

SHOWN = 20


def read_notes_waiting(
    user: AnyUser, today: datetime.date, now: datetime.datetime
) -> dict[str, Any]:
    """One query whatever the number of notes: the newest SHOWN, and whether there are more
    (one row past them is read to tell)."""
    if not user.is_authenticated:
        return {"rows": [], "more": False}
    produced = Membership.objects.filter(user=user, role=Role.PRODUCER).values("project_id")
    waiting = (
        VersionNote.objects.filter(
            version__song__project__in=projects_visible(user), resolved_at__isnull=True
        )
        .filter(Q(version__uploaded_by=user) | Q(version__song__project_id__in=produced))
        .exclude(author=user)
    )
    rows = list(
        waiting.select_related("version__song", "author").order_by("-created_at", "-pk")[
            : SHOWN + 1
        ]
    )
    return {"rows": rows[:SHOWN], "more": len(rows) > SHOWN}


register_section(
    AgendaSection(
        key="version-notes",
        title="Notes waiting for my answer",
        template="songs/partials/agenda_notes.html",
        order=45,
        read=read_notes_waiting,
        empty="No open note waits for you.",
        hide_empty=True,
    )
)


SONGS_DUE_WITHIN = datetime.timedelta(days=7)


def read_songs(user: AnyUser, today: datetime.date, now: datetime.datetime) -> dict[str, Any]:
    """Songs not done that are due within a week, or late. One query."""
    songs = (
        Song.objects.filter(
            project__in=projects_visible(user),
            due_date__isnull=False,
            due_date__lte=today + SONGS_DUE_WITHIN,
        )
        .exclude(stage=SongStage.DONE)
        .select_related("project", "holder")
        .order_by("due_date", "project_id", "position", "pk")
    )
    rows = [
        {
            "song": song,
            "late": song.due_date < today,  # type: ignore[operator]
            # The project's own name for the stage, where it renamed it.
            "stage": (song.project.song_stage_names or {}).get(song.stage)
            or song.get_stage_display(),
        }
        for song in songs
    ]
    return {"rows": rows, "today": today}


register_section(
    AgendaSection(
        key="songs",
        title="Song deadlines",
        template="songs/partials/agenda_songs.html",
        order=30,
        read=read_songs,
        empty="No song is due this week, and none is late.",
    )
)
