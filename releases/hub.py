"""The project hub's release panel: each release with how many findings block its delivery
(registered from ReleasesConfig.ready; see projects.hub for why a registry)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from core.users import AnyUser
from projects.hub import HubPanel, register_panel
from projects.models import Project
from releases.models import Credit, Release, Track
from releases.selectors import release_readiness


def releases_panel(project: Project, user: AnyUser) -> dict[str, Any]:
    """Readiness of every release from one set of prefetches: tracks with masters, credits
    and splits, and the release-wide credits, so the count of queries does not grow."""
    tracks = Track.objects.select_related("master").prefetch_related(
        Prefetch("credits", queryset=Credit.objects.select_related("person")), "splits"
    )
    releases = list(
        Release.objects.filter(project=project)
        .select_related("artwork")
        .prefetch_related(
            Prefetch("tracks", queryset=tracks, to_attr="shown_tracks"),
            Prefetch(
                "credits",
                queryset=Credit.objects.filter(track__isnull=True).select_related("person"),
                to_attr="release_credits",
            ),
        )
        .order_by("release_date", "pk")
    )
    rows = []
    for release in releases:
        findings = release_readiness(
            release=release,
            tracks=release.shown_tracks,
            release_credits=release.release_credits,
        )
        rows.append(
            {
                "release": release,
                "blocking": sum(1 for f in findings if f.level == "blocking"),
                "warnings": sum(1 for f in findings if f.level != "blocking"),
            }
        )
    return {"releases": rows}


register_panel(
    HubPanel(
        key="releases",
        title="Release readiness",
        template="releases/partials/hub_releases.html",
        order=30,
        read=releases_panel,
    )
)
