"""The song's versions page (the stack, the player with its waveform, notes at a time,
approval, listen links) and the listen page for guests without an account.

Writes go through the services the API uses; each form posts and redirects without JS, and a
refusal shows the page again (400) with the message beside its field. The listen page answers
the same 404 for an unknown, revoked or expired link, and links to nothing else of the project.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.api import request_user
from core.errors import Conflict
from core.pages import form_refusal, is_htmx
from projects.permissions import Capability, has_capability, projects_visible
from songs import services
from songs.api.versions import download_name
from songs.forms import (
    GuestNoteForm,
    ListenLinkForm,
    ListenPasswordForm,
    NoteForm,
    VersionUploadForm,
)
from songs.models import ListenLink, Song, SongVersion, VersionKind, VersionNote
from songs.selectors import stage_labels, version_stack
from songs.services.listen import TooManyTries

PAGE = "songs/versions.html"
LISTEN = "songs/listen.html"
PLAY_SALT = "releases.listen.play"
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _song(request: HttpRequest, pk: int, song_id: int) -> Song:
    return get_object_or_404(
        Song.objects.filter(project__in=projects_visible(request.user)).select_related("project"),
        project_id=pk,
        pk=song_id,
    )


def _version(request: HttpRequest, pk: int, song_id: int, version_id: int) -> SongVersion:
    song = _song(request, pk, song_id)
    version = get_object_or_404(SongVersion.objects.filter(song=song), pk=version_id)
    version.song = song
    return version


def _require(request: HttpRequest, song: Song, capability: Capability) -> None:
    if not has_capability(request.user, song.project, capability):
        raise PermissionDenied(f"Your role on this project may not do this ({capability}).")


def _page_url(song: Song, version: SongVersion | None = None, anchor: str = "") -> str:
    url = reverse("song-versions", args=[song.project_id, song.pk])
    if version is not None:
        url += f"?v={version.pk}"
    return f"{url}#{anchor}" if anchor else url


def _page(
    request: HttpRequest,
    song: Song,
    *,
    chosen: int | None = None,
    status: int = 200,
    bound: dict[str, Any] | None = None,
    partial: str = "",
) -> HttpResponse:
    """The page, or with ``partial`` one named part of it (htmx swaps the notes panel)."""
    bound = bound or {}
    stack = version_stack(song=song, chosen=chosen)
    project = song.project
    current = stack.current
    may = {
        "upload": has_capability(request.user, project, Capability.VERSIONS_UPLOAD),
        "note": has_capability(request.user, project, Capability.VERSIONS_NOTE),
        "approve": has_capability(request.user, project, Capability.VERSIONS_APPROVE),
        "share": has_capability(request.user, project, Capability.VERSIONS_SHARE),
    }
    approved_master = next(
        (v for v in stack.versions if v.kind == VersionKind.MASTER and v.approved_at), None
    )
    context = {
        "song": song,
        "project": project,
        "stack": stack,
        "current": current,
        "may": may,
        "approved_master": approved_master,
        "upload_form": bound.get("upload_form") or VersionUploadForm(),
        "note_form": bound.get("note_form") or NoteForm(),
        "link_form": bound.get("link_form") or ListenLinkForm(),
        "peaks": _peaks_for_player(current) if current else None,
        "now": timezone.now(),
        "stage": stage_labels(project)[song.stage],
        "saved": bound.get("saved", ""),
    }
    return render(request, f"{PAGE}#{partial}" if partial else PAGE, context, status=status)


def _peaks_for_player(version: SongVersion) -> dict[str, Any]:
    """wavesurfer.js draws one channel's values above the line and the other's below: the
    highs and the lows of each bucket."""
    return {
        "duration": round(version.duration, 3),
        "peaks": [[high for _low, high in version.peaks], [low for low, _high in version.peaks]],
    }


@login_required
def song_versions(request: HttpRequest, pk: int, song_id: int) -> HttpResponse:
    song = _song(request, pk, song_id)
    chosen = request.GET.get("v", "")
    return _page(request, song, chosen=int(chosen) if chosen.isdigit() else None)


@login_required
@require_POST
def version_upload(request: HttpRequest, pk: int, song_id: int) -> HttpResponse:
    song = _song(request, pk, song_id)
    _require(request, song, Capability.VERSIONS_UPLOAD)
    form = VersionUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = services.version_upload(
                song=song,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                by=request_user(request),
            )
        except ValidationError as error:
            form_refusal(form, error, aliases={})
        else:
            messages.success(
                request,
                f"{version.label} kept ({version.format}, {version.duration:.0f} s); loudness, "
                "waveform and preview follow in a moment.",
            )
            return redirect(_page_url(song, version))
    return _page(request, song, status=400, bound={"upload_form": form})


@login_required
@require_POST
def version_note_add(request: HttpRequest, pk: int, song_id: int, version_id: int) -> HttpResponse:
    version = _version(request, pk, song_id, version_id)
    _require(request, version.song, Capability.VERSIONS_NOTE)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note = services.version_note_add(
                version=version,
                at_seconds=form.cleaned_data["at_seconds"],
                body=form.cleaned_data["body"],
                by=request_user(request),
            )
        except ValidationError as error:
            form_refusal(form, error, aliases={})
        else:
            said = f"Note at {note.at_label} added to {version.label}."
            if is_htmx(request):
                return _page(
                    request, version.song, chosen=version.pk, bound={"saved": said}, partial="notes"
                )
            messages.success(request, said)
            return redirect(_page_url(version.song, version, f"note-{note.pk}"))
    if is_htmx(request):
        # htmx swaps 2xx answers only: the refusal comes back as the panel with the form.
        return _page(
            request, version.song, chosen=version.pk, bound={"note_form": form}, partial="notes"
        )
    return _page(request, version.song, chosen=version.pk, status=400, bound={"note_form": form})


@login_required
@require_POST
def version_note_resolve(
    request: HttpRequest, pk: int, song_id: int, version_id: int, note_id: int
) -> HttpResponse:
    version = _version(request, pk, song_id, version_id)
    note = get_object_or_404(VersionNote.objects.filter(version__song=version.song), pk=note_id)
    # The uploader's side resolves (they fixed it), and so does whoever wrote the note.
    if note.author_id != request.user.pk:
        _require(request, version.song, Capability.VERSIONS_UPLOAD)
    note = services.version_note_resolve(note=note, by=request_user(request))
    where = f" in {note.resolved_in.label}" if note.resolved_in else ""
    said = f"Note at {note.at_label} marked fixed{where}."
    if is_htmx(request):
        return _page(
            request, version.song, chosen=version.pk, bound={"saved": said}, partial="notes"
        )
    messages.success(request, said)
    return redirect(_page_url(version.song, version, f"note-{note.pk}"))


@login_required
@require_POST
def version_approve(request: HttpRequest, pk: int, song_id: int, version_id: int) -> HttpResponse:
    """Asked first on the page, saying the consequence ("it becomes the track's master")."""
    version = _version(request, pk, song_id, version_id)
    _require(request, version.song, Capability.VERSIONS_APPROVE)
    try:
        services.version_approve(version=version, by=request_user(request))
    except Conflict as conflict:
        messages.error(request, conflict.detail)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        consequence = (
            " It is now the master of the song's tracks."
            if version.kind == VersionKind.MASTER
            else ""
        )
        messages.success(request, f"{version.label} approved.{consequence}")
    return redirect(_page_url(version.song, version, "approval"))


@login_required
@require_POST
def version_analysis_retry(
    request: HttpRequest, pk: int, song_id: int, version_id: int
) -> HttpResponse:
    """Analyse a version again after its analysis failed (who may upload versions may)."""
    version = _version(request, pk, song_id, version_id)
    _require(request, version.song, Capability.VERSIONS_UPLOAD)
    try:
        services.version_analysis_retry(version=version)
    except Conflict as conflict:
        messages.error(request, conflict.detail)
    else:
        messages.success(request, f"{version.label} is being analysed again.")
    return redirect(_page_url(version.song, version))


def _ranged(request: HttpRequest, stored: FieldFile, content_type: str) -> HttpResponseBase:
    """A stored file with byte ranges, so that a player seeks (a note's time) without loading
    the whole file first; Django's FileResponse always sends all of it."""
    size = stored.size
    match = RANGE.match(request.headers.get("Range", ""))
    if match is None or not (match.group(1) or match.group(2)):
        response = FileResponse(stored.open("rb"), content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = match.group(1), match.group(2)
    if first:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    else:
        start, end = max(size - int(last), 0), size - 1
    if start >= size or start > end:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        return refused
    with stored.open("rb") as handle:
        handle.seek(start)
        body = handle.read(end - start + 1)
    part = HttpResponse(body, status=206, content_type=content_type)
    part["Content-Range"] = f"bytes {start}-{end}/{size}"
    part["Accept-Ranges"] = "bytes"
    return part


@login_required
def version_preview(
    request: HttpRequest, pk: int, song_id: int, version_id: int
) -> HttpResponseBase:
    version = _version(request, pk, song_id, version_id)
    if not version.preview:
        raise Http404("No preview yet.")
    return _ranged(request, version.preview, "audio/mpeg")


@login_required
def version_file(request: HttpRequest, pk: int, song_id: int, version_id: int) -> FileResponse:
    version = _version(request, pk, song_id, version_id)
    return FileResponse(
        version.file.open("rb"), as_attachment=True, filename=download_name(version)
    )


@login_required
@require_POST
def listen_link_create(
    request: HttpRequest, pk: int, song_id: int, version_id: int
) -> HttpResponse:
    version = _version(request, pk, song_id, version_id)
    _require(request, version.song, Capability.VERSIONS_SHARE)
    form = ListenLinkForm(request.POST)
    if form.is_valid():
        try:
            link = services.listen_link_create(
                version=version,
                label=form.cleaned_data["label"],
                expires_at=form.expires_at(),
                password=form.cleaned_data["password"],
                allow_download=form.cleaned_data["allow_download"],
                allow_notes=form.cleaned_data["allow_notes"],
                by=request_user(request),
            )
        except ValidationError as error:
            form_refusal(form, error, aliases={"expires_at": "days"})
        else:
            messages.success(
                request,
                f"Listen link for {link.label} made: copy it from the list and send it to them.",
            )
            return redirect(_page_url(version.song, version, f"link-{link.pk}"))
    return _page(request, version.song, chosen=version.pk, status=400, bound={"link_form": form})


@login_required
@require_POST
def listen_link_revoke(
    request: HttpRequest, pk: int, song_id: int, version_id: int, link_id: int
) -> HttpResponse:
    version = _version(request, pk, song_id, version_id)
    _require(request, version.song, Capability.VERSIONS_SHARE)
    link = get_object_or_404(ListenLink.objects.filter(version=version), pk=link_id)
    try:
        services.listen_link_revoke(link=link)
    except Conflict as conflict:
        messages.error(request, conflict.detail)
    else:
        messages.success(request, f"The link for {link.label} no longer opens.")
    return redirect(_page_url(version.song, version, "links"))


# The listen page: no login, one version, nothing else of the project.

SESSION_KEY = "listen-open"


def _gone(request: HttpRequest) -> HttpResponse:
    """The one answer for an unknown, revoked or expired link (and for what a link does not
    allow): a guess learns nothing, and the page leads nowhere into the app."""
    response = render(request, "songs/listen_gone.html", status=404)
    response["Referrer-Policy"] = "same-origin"
    return response


def _opened(request: HttpRequest, link: ListenLink) -> bool:
    """Whether this browser gave the link's password (or the link has none)."""
    return not link.password_hash or link.pk in request.session.get(SESSION_KEY, [])


def _listen_page(
    request: HttpRequest,
    link: ListenLink,
    *,
    status: int = 200,
    note_form: GuestNoteForm | None = None,
    password_form: ListenPasswordForm | None = None,
) -> HttpResponse:
    version = link.version
    opened = _opened(request, link)
    # A fresh key per page load: the preview logs one play per key, however many range
    # requests the player makes and however often it is replayed on this page.
    play = signing.dumps(secrets.token_urlsafe(12), salt=f"{PLAY_SALT}:{link.pk}")
    notes = (
        list(
            VersionNote.objects.filter(version=version)
            .select_related("author")
            .order_by("at_seconds", "id")
        )
        if opened and link.allow_notes
        else []
    )
    context = {
        "link": link,
        "version": version,
        "song_title": version.song.title,
        "opened": opened,
        "password_form": password_form or ListenPasswordForm(),
        "note_form": note_form or GuestNoteForm(prefix="guest"),
        "notes": notes,
        "preview_url": reverse("listen-preview", args=[link.token]) + f"?play={play}",
        "peaks": _peaks_for_player(version) if version.peaks else None,
    }
    response = render(request, LISTEN, context, status=status)
    # The address is the credential: never sent on to another site (same-origin, not
    # no-referrer: a form posted with no referrer and Origin: null fails the CSRF check).
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def listen(request: HttpRequest, token: str) -> HttpResponse:
    """The version's player (and notes, download, as the link allows); a password form first
    when the link has one."""
    link = services.listen_link_active(token=token)
    if link is None:
        return _gone(request)
    if request.method == "POST":
        form = ListenPasswordForm(request.POST)
        if form.is_valid():
            try:
                opened = services.listen_link_password_ok(
                    link=link, password=form.cleaned_data["password"]
                )
            except TooManyTries as refusal:
                form.add_error("password", str(refusal))
                return _listen_page(request, link, status=429, password_form=form)
            if opened:
                request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, []), link.pk]
                return redirect("listen", token=token)
            form.refuse()
        return _listen_page(request, link, status=400, password_form=form)
    return _listen_page(request, link)


@never_cache
def listen_preview(request: HttpRequest, token: str) -> HttpResponseBase:
    link = services.listen_link_active(token=token)
    if link is None or not _opened(request, link) or not link.version.preview:
        return _gone(request)
    try:
        key = signing.loads(request.GET.get("play", ""), salt=f"{PLAY_SALT}:{link.pk}")
    except signing.BadSignature:
        key = None
    if isinstance(key, str):
        services.listen_play_record(
            link=link, key=key, user_agent=request.headers.get("User-Agent", "")
        )
    return _ranged(request, link.version.preview, "audio/mpeg")


@never_cache
def listen_download(request: HttpRequest, token: str) -> HttpResponseBase:
    link = services.listen_link_active(token=token)
    if link is None or not link.allow_download or not _opened(request, link):
        return _gone(request)
    version = link.version
    return FileResponse(
        version.file.open("rb"), as_attachment=True, filename=download_name(version)
    )


@never_cache
@require_POST
def listen_note(request: HttpRequest, token: str) -> HttpResponse:
    link = services.listen_link_active(token=token)
    if link is None or not link.allow_notes or not _opened(request, link):
        return _gone(request)
    form = GuestNoteForm(request.POST, prefix="guest")
    if form.is_valid():
        try:
            note = services.version_note_add(
                version=link.version,
                at_seconds=form.cleaned_data["at_seconds"],
                body=form.cleaned_data["body"],
                link=link,
                guest_name=form.cleaned_data["guest_name"],
            )
        except ValidationError as error:
            form_refusal(form, error, aliases={})
        else:
            messages.success(request, f"Thank you: your note at {note.at_label} is with the team.")
            return redirect(reverse("listen", args=[token]) + f"#note-{note.pk}")
    return _listen_page(request, link, status=400, note_form=form)
