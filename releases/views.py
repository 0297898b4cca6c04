"""HTML pages of releases: the list, and a release with its readiness checklist."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from releases.models import Artwork, Credit, Release
from releases.selectors import release_readiness
from studio.permissions import projects_visible


@login_required
def release_list(request: HttpRequest) -> HttpResponse:
    releases = (
        Release.objects.filter(project__in=projects_visible(request.user))
        .select_related("project")
        .annotate(track_count=Count("tracks"))
    )
    return render(request, "releases/list.html", {"releases": releases})


@login_required
def release_detail(request: HttpRequest, pk: int) -> HttpResponse:
    release = get_object_or_404(
        Release.objects.filter(project__in=projects_visible(request.user)).select_related(
            "project"
        ),
        pk=pk,
    )
    findings = release_readiness(release=release)
    tracks = release.tracks.prefetch_related(
        Prefetch("credits", queryset=Credit.objects.select_related("person"))
    )
    context = {
        "release": release,
        "tracks": tracks,
        "blocking": [f for f in findings if f.level == "blocking"],
        "has_cover": not any(f.code == "missing_artwork" for f in findings),
        "warnings": [f for f in findings if f.level == "warning"],
        "release_credits": Credit.objects.filter(
            release=release, track__isnull=True
        ).select_related("person"),
    }
    return render(request, "releases/detail.html", context)


@login_required
def release_cover(request: HttpRequest, pk: int) -> FileResponse:
    """The cover thumbnail, for the release's members only (media are not public)."""
    artwork = get_object_or_404(
        Artwork.objects.filter(release__project__in=projects_visible(request.user)), release_id=pk
    )
    return FileResponse(artwork.thumbnail.open("rb"), content_type="image/jpeg")
