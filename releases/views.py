"""HTML pages of releases: the list, and a release with its readiness checklist (each finding
linked to the field that fixes it), its metadata and tracks edited in place (htmx swaps a
track's row; without it each form posts and redirects), the cover upload, ISRCs from the kept
registrant prefix, masters and loudness, credits and splits, the render button and the
downloads. Writes go through the services the API uses."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import CharField, Count, OuterRef, Subquery, Value
from django.db.models.functions import Concat
from django.forms import Form
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.pages import form_refusal, is_htmx
from projects.permissions import Capability, has_capability, people_visible, projects_visible
from releases import package, services
from releases.forms import (
    CoverForm,
    IsrcPrefixForm,
    ReleaseForm,
    TrackAddForm,
    TrackForm,
)
from releases.models import Artwork, Credit, CreditRole, Release, RenderJob, Split, Track
from releases.selectors import Finding, finding_anchor, release_readiness


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


def _kept_prefix() -> Subquery:
    """The registrant prefix the release allocates from, read in the release's own query."""
    prefixes = services.isrc_prefixes_for(label=OuterRef("label"), project=OuterRef("project"))
    described = prefixes.annotate(
        described=Concat(
            "name",
            Value(" ("),
            "country",
            Value("-"),
            "registrant",
            Value(")"),
            output_field=CharField(),
        )
    )
    return Subquery(described.values("described")[:1], output_field=CharField())


def _checklist(findings: list[Finding]) -> dict[str, Any]:
    """Readiness for the page: each finding with the id of the field that fixes it."""
    blocking = [f for f in findings if f.level == "blocking"]
    warnings = [f for f in findings if f.level == "warning"]
    return {
        "blocking": blocking,
        "warnings": warnings,
        "blocking_items": [(f, finding_anchor(f)) for f in blocking],
        "warning_items": [(f, finding_anchor(f)) for f in warnings],
    }


def _release_page(
    request: HttpRequest,
    pk: int,
    *,
    status: int = 200,
    bound: dict[str, Any] | None = None,
) -> HttpResponse:
    """The release page; ``bound`` holds forms to show as submitted, with their refusals
    (``release_form``, ``cover_form``, ``add_form``, ``prefix_form``, ``track_forms`` by id)."""
    bound = bound or {}
    release = get_object_or_404(
        Release.objects.filter(project__in=projects_visible(request.user))
        .select_related("project", "artwork")
        .annotate(kept_prefix=_kept_prefix()),
        pk=pk,
    )
    tracks = package.tracks_with_files(release)
    release_credits = list(
        Credit.objects.filter(release=release, track__isnull=True).select_related("person")
    )
    findings = release_readiness(release=release, tracks=tracks, release_credits=release_credits)
    states = package.deliverables_state(release, tracks)
    by_track = {f.track: f for f in findings if f.track is not None}
    track_forms = bound.get("track_forms", {})
    rows = [
        {
            "track": state.track,
            "state": state,
            "finding": by_track.get(state.track.pk),
            "form": track_forms.get(state.track.pk) or TrackForm(track=state.track),
        }
        for state in states
    ]
    problems = package.package_problems(release, states, findings) if tracks else ["No tracks."]
    job = release.render_jobs.first()
    may_manage = has_capability(request.user, release.project, Capability.RELEASES_MANAGE)
    next_position = max((t.position for t in tracks if t.disc == 1), default=0) + 1
    context = {
        "release": release,
        "rows": rows,
        **_checklist(findings),
        "has_cover": not any(f.code == "missing_artwork" for f in findings),
        "release_form": bound.get("release_form") or ReleaseForm(release=release),
        "cover_form": bound.get("cover_form") or CoverForm(),
        "add_form": bound.get("add_form")
        or TrackAddForm(initial={"position": next_position, "disc": 1}, release=release),
        "prefix_form": bound.get("prefix_form") or IsrcPrefixForm(),
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
    services.credit_delete(credit=credit)
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


def _back(release: Release, anchor: str = "") -> HttpResponse:
    url = reverse("release-detail", args=[release.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _fragments(request: HttpRequest, release: Release, *parts: tuple[str, dict[str, Any]]) -> str:
    """Named partials of the release page, then the readiness checklist swapped out of band,
    for htmx: a fixed field drops its finding at once."""
    release = (
        Release.objects.select_related("project", "artwork")
        .annotate(kept_prefix=_kept_prefix())
        .get(pk=release.pk)
    )
    checklist = _checklist(release_readiness(release=release))
    common = {"release": release, "may_manage": True}
    html = [
        render(request, f"releases/detail.html#{name}", {**common, **extra}).content.decode()
        for name, extra in parts
    ]
    html.append(
        render(
            request, "releases/detail.html#readiness", {**common, **checklist, "oob": True}
        ).content.decode()
    )
    return "".join(html)


def _out_of_band(request: HttpRequest, partial: str, context: dict[str, Any]) -> str:
    """Another part of the page the write changed, swapped by id (a table cell travels in a
    <template>: outside a table the HTML parser would drop it)."""
    html = render(
        request, f"releases/detail.html#{partial}", {**context, "oob": True}
    ).content.decode()
    return f"<template>{html}</template>" if html.lstrip().startswith("<td") else html


@login_required
@require_POST
def release_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The release's metadata, through the service the API uses; each refusal beside its
    field, nothing saved unless all of it is."""
    release = _managed_release(request, pk)
    form = ReleaseForm(request.POST, release=release)
    saved = False
    if form.is_valid():
        try:
            services.release_save(release=release, **form.cleaned_data)
        except ValidationError as error:
            form_refusal(form, error, aliases={})
        else:
            saved = True
    if is_htmx(request):
        if saved:
            form = ReleaseForm(release=Release.objects.get(pk=release.pk))
        extra = {"release_form": form, "saved": saved}
        heading = _out_of_band(
            request, "release-heading", {"release": Release.objects.get(pk=release.pk)}
        )
        return HttpResponse(_fragments(request, release, ("release-form", extra)) + heading)
    if not saved:
        return _release_page(request, pk, status=400, bound={"release_form": form})
    messages.success(request, "Release details saved.")
    return _back(release, "release-details")


def _track_of(request: HttpRequest, pk: int, track_pk: int) -> tuple[Release, Track]:
    release = _managed_release(request, pk)
    return release, get_object_or_404(Track, release=release, pk=track_pk)


def _track_answer(
    request: HttpRequest,
    release: Release,
    track: Track,
    *,
    form: TrackForm | None,
    note: str,
    failed: bool,
) -> HttpResponse:
    """A track's row again (htmx), or the page: redirected after a write, as a 400 with the
    submitted form after a refusal."""
    if is_htmx(request):
        track = Track.objects.get(pk=track.pk)
        row = {"track": track, "form": form or TrackForm(track=track)}
        extra = {"row": row, "note": note, "note_failed": failed}
        cell = _out_of_band(request, "isrc-cell", {"t": track})
        return HttpResponse(_fragments(request, release, ("track-edit", extra)) + cell)
    if failed and form is not None:
        return _release_page(
            request, release.pk, status=400, bound={"track_forms": {track.pk: form}}
        )
    (messages.error if failed else messages.success)(request, note)
    return _back(release, f"track-{track.pk}")


@login_required
@require_POST
def track_edit(request: HttpRequest, pk: int, track_pk: int) -> HttpResponse:
    release, track = _track_of(request, pk, track_pk)
    form = TrackForm(request.POST, track=track)
    if form.is_valid():
        try:
            services.track_save(track=track, **form.cleaned_data)
        except ValidationError as error:
            form_refusal(form, error, aliases={})
        else:
            note = f"Track {track.position} “{track.title}” saved."
            return _track_answer(request, release, track, form=None, note=note, failed=False)
    note = "Not saved: see the fields marked."
    return _track_answer(request, release, track, form=form, note=note, failed=True)


@login_required
@require_POST
def track_isrc(request: HttpRequest, pk: int, track_pk: int) -> HttpResponse:
    """The next ISRC of the kept registrant prefix. Two at once on one track: one wins, the
    other is told (the service's 409), never a second code used up."""
    release, track = _track_of(request, pk, track_pk)
    try:
        track = services.isrc_allocate_from_prefix(track=track)
    except Conflict as conflict:
        note, failed = conflict.detail, True
    except ValidationError as error:
        note, failed = " ".join(error.messages), True
    else:
        note, failed = f"Track {track.position} gets the ISRC {track.isrc}.", False
    return _track_answer(request, release, track, form=None, note=note, failed=failed)


@login_required
@require_POST
def track_add(request: HttpRequest, pk: int) -> HttpResponse:
    release = _managed_release(request, pk)
    form = TrackAddForm(request.POST, release=release)
    if form.is_valid():
        details = dict(form.cleaned_data)
        song = details.pop("song")
        try:
            if song is not None:
                track = services.track_from_song(
                    release=release, song=song, position=details["position"], disc=details["disc"]
                )
            else:
                track = services.track_save(release=release, **details)
        except ValidationError as error:
            form_refusal(form, error, aliases={})
        else:
            messages.success(request, f"Track {track.position} “{track.title}” added.")
            return _back(release, f"track-{track.pk}")
    return _release_page(request, pk, status=400, bound={"add_form": form})


@login_required
@require_POST
def track_remove(request: HttpRequest, pk: int, track_pk: int) -> HttpResponse:
    """Asked first on the page ("Remove track 3 and its master and deliverables?")."""
    release, track = _track_of(request, pk, track_pk)
    services.track_delete(track=track)
    messages.success(
        request, f"Removed track {track.position} “{track.title}” with its master and files."
    )
    return _back(release, "tracks")


@login_required
@require_POST
def cover_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """The cover, checked by the service the API uses; its refusal beside the file field, its
    warning (under 3000 px) shown once kept."""
    release = _managed_release(request, pk)
    form = CoverForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["cover"]
        try:
            artwork = services.artwork_set(
                release=release, data=upload.read(), filename=upload.name
            )
        except ValidationError as error:
            form.add_error("cover", error.messages)
        else:
            messages.success(
                request, f"Cover kept: {artwork.width} × {artwork.height} px {artwork.format}."
            )
            for warning in artwork.warnings:
                messages.warning(request, warning)
            return _back(release, "cover")
    return _release_page(request, pk, status=400, bound={"cover_form": form})


@login_required
@require_POST
def isrc_prefix(request: HttpRequest, pk: int) -> HttpResponse:
    """Keep the registrant prefix of the release's label once; every track allocates from it."""
    release = _managed_release(request, pk)
    form: Form = IsrcPrefixForm(request.POST)
    if form.is_valid():
        try:
            prefix = services.isrc_prefix_save(
                label=release.label, kept_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_refusal(form, error, aliases={"label": "__all__"})
        else:
            messages.success(request, f"ISRCs of “{release.label}” now come from {prefix.code}.")
            return _back(release, "isrc-prefix")
    return _release_page(request, pk, status=400, bound={"prefix_form": form})
