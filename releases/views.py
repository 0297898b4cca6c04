"""HTML pages of releases: the list, and a release with its readiness checklist, masters and
loudness, credits and splits, the render button and the downloads."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from releases import package, services
from releases.models import Artwork, Credit, CreditRole, Release, RenderJob, Split, Track
from releases.selectors import release_readiness
from studio.permissions import Capability, has_capability, people_visible, projects_visible


@login_required
def release_list(request: HttpRequest) -> HttpResponse:
    releases = (
        Release.objects.filter(project__in=projects_visible(request.user))
        .select_related("project")
        .annotate(track_count=Count("tracks"))
    )
    return render(request, "releases/list.html", {"releases": releases})


def _release(request: HttpRequest, pk: int) -> Release:
    return get_object_or_404(
        Release.objects.filter(project__in=projects_visible(request.user)).select_related(
            "project"
        ),
        pk=pk,
    )


@login_required
def release_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _release_page(request, pk)


def _release_page(request: HttpRequest, pk: int, *, status: int = 200) -> HttpResponse:
    release = get_object_or_404(
        Release.objects.filter(project__in=projects_visible(request.user)).select_related(
            "project", "artwork"
        ),
        pk=pk,
    )
    tracks = package.tracks_with_files(release)
    release_credits = list(
        Credit.objects.filter(release=release, track__isnull=True).select_related("person")
    )
    findings = release_readiness(release=release, tracks=tracks, release_credits=release_credits)
    states = package.deliverables_state(release, tracks)
    by_track = {f.track: f for f in findings if f.track is not None}
    rows = [
        {"track": state.track, "state": state, "finding": by_track.get(state.track.pk)}
        for state in states
    ]
    problems = package.package_problems(release, states, findings) if tracks else ["No tracks."]
    job = release.render_jobs.first()
    may_manage = has_capability(request.user, release.project, Capability.RELEASES_MANAGE)
    context = {
        "release": release,
        "rows": rows,
        "blocking": [f for f in findings if f.level == "blocking"],
        "has_cover": not any(f.code == "missing_artwork" for f in findings),
        "warnings": [f for f in findings if f.level == "warning"],
        "release_credits": release_credits,
        "job": job,
        "job_active": job is not None and job.status in RenderJob.ACTIVE,
        "package_problems": problems,
        "may_manage": may_manage,
        "people": people_visible(request.user).filter(projects=release.project).distinct()
        if may_manage
        else [],
        "roles": CreditRole.choices,
        "split_kinds": Split.Kind.choices,
        "has_masters": any(getattr(t, "master", None) for t in tracks),
    }
    return render(request, "releases/detail.html", context, status=status)


@login_required
def release_cover(request: HttpRequest, pk: int) -> FileResponse:
    """The cover thumbnail, for the release's members only (media are not public)."""
    artwork = get_object_or_404(
        Artwork.objects.filter(release__project__in=projects_visible(request.user)), release_id=pk
    )
    return FileResponse(artwork.thumbnail.open("rb"), content_type="image/jpeg")


def _managed_release(request: HttpRequest, pk: int) -> Release:
    release = _release(request, pk)
    if not has_capability(request.user, release.project, Capability.RELEASES_MANAGE):
        raise PermissionDenied("Your role on this project may not edit its releases.")
    return release


def _refused(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
@require_POST
def track_master(request: HttpRequest, pk: int, track_pk: int) -> HttpResponse:
    release = _managed_release(request, pk)
    track = get_object_or_404(Track, release=release, pk=track_pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose a WAV, FLAC or AIFF file.")
        return redirect("release-detail", pk=release.pk)
    try:
        master = services.master_upload(track=track, upload=upload)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request, f"Master of “{track.title}” kept: {master.format}, {master.resolution}."
        )
    return redirect("release-detail", pk=release.pk)


@login_required
@require_POST
def credit_add(request: HttpRequest, pk: int) -> HttpResponse:
    release = _managed_release(request, pk)
    person = people_visible(request.user).filter(pk=request.POST.get("person") or 0).first()
    role = request.POST.get("role", "")
    track_id = request.POST.get("track") or None
    track = Track.objects.filter(release=release, pk=track_id).first() if track_id else None
    if person is None or (track_id and track is None):
        messages.error(request, "Choose a person and (or not) a track of this release.")
        return redirect("release-detail", pk=release.pk)
    try:
        credit = services.credit_save(
            release=release,
            track=track,
            person=person,
            role=role,
            instrument=request.POST.get("instrument", ""),
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"Credited {person} as {credit.get_role_display().lower()}.")
    return redirect("release-detail", pk=release.pk)


@login_required
@require_POST
def credit_remove(request: HttpRequest, pk: int, credit_pk: int) -> HttpResponse:
    release = _managed_release(request, pk)
    credit = get_object_or_404(Credit, release=release, pk=credit_pk)
    credit.delete()
    messages.success(request, f"Removed {credit.person} ({credit.get_role_display().lower()}).")
    return redirect("release-detail", pk=release.pk)


def _shares(text: str) -> list[dict[str, Any]]:
    """Lines of “Party = share” (or “Party, share”) from the splits form."""
    shares = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        party, separator, share = line.replace(",", "=").rpartition("=")
        try:
            if not separator:
                raise InvalidOperation
            value = Decimal(share.strip().rstrip("%"))
        except InvalidOperation as error:
            raise ValidationError(f"Line {number}: write “Name = 50”.") from error
        # Decimal reads "NaN", "sNaN" and "Infinity" too; none is a share.
        if not value.is_finite():
            raise ValidationError(f"Line {number}: the share is not a number; write “Name = 50”.")
        shares.append({"party": party.strip(), "share": value})
    return shares


@login_required
@require_POST
def track_splits(request: HttpRequest, pk: int, track_pk: int) -> HttpResponse:
    release = _managed_release(request, pk)
    track = get_object_or_404(Track, release=release, pk=track_pk)
    kind = request.POST.get("kind", Split.Kind.WRITER)
    try:
        services.splits_set(track=track, kind=kind, shares=_shares(request.POST.get("shares", "")))
    except ValidationError as error:
        # The page again, with what is wrong, as a 400: nothing was saved.
        _refused(request, error)
        return _release_page(request, release.pk, status=400)
    messages.success(request, f"{kind.capitalize()} shares of “{track.title}” saved.")
    return redirect("release-detail", pk=release.pk)
