"""HTML pages for studios: the install's directory, a studio with its rooms (rate cards) and
gear, and the forms its managers change them with. Writes go through studio.services.studios,
the same services as the API; a refusal shows beside its field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.api import request_user
from core.errors import Conflict
from core.pages import form_refusal
from studio import services
from studio.forms import GearForm, RoomForm, StudioForm
from studio.models import Gear, Room, Studio
from studio.permissions import studios_managed, studios_visible
from studio.selectors import studio_directory
from studio.services.studios import GEAR_FIELDS, ROOM_FIELDS


def _managed(request: HttpRequest, studio: Studio) -> bool:
    return studios_managed(request.user).filter(pk=studio.pk).exists()


def _require_manager(request: HttpRequest, studio: Studio) -> None:
    if not _managed(request, studio):
        raise PermissionDenied(f"Only {studio}'s managers may change it, its rooms and gear.")


@login_required
def studio_list(request: HttpRequest) -> HttpResponse:
    """The directory: every studio of the install, those the user sees in detail linked."""
    visible = studios_visible(request.user).filter(pk=OuterRef("pk"))
    studios = studio_directory().annotate(
        room_count=Count("rooms", distinct=True), is_visible=Exists(visible)
    )
    return render(request, "studio/studio_list.html", {"studios": studios})


@login_required
def studio_create(request: HttpRequest) -> HttpResponse:
    form = StudioForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            studio = services.studio_create(
                by=request_user(request),
                name=data["name"],
                address=data["address"],
                time_zone=data["time_zone"],
                currency=data["currency"],
                hold_hours=data["hold_hours"],
                challenge_hours=data["challenge_hours"],
                cancellation_tiers=data["cancellation_tiers"],
            )
        except ValidationError as error:
            form_refusal(form, error)
        else:
            messages.success(request, f"Created {studio}. You manage it: add its rooms and gear.")
            return redirect("studio-detail", pk=studio.pk)
    return render(request, "studio/studio_form.html", {"form": form, "studio": None})


@login_required
def studio_detail(request: HttpRequest, pk: int) -> HttpResponse:
    studio = get_object_or_404(studios_visible(request.user), pk=pk)
    context = {
        "studio": studio,
        "rooms": studio.rooms.order_by("name", "pk"),
        "gear": Gear.objects.filter(studio=studio).select_related("room"),
        "is_manager": _managed(request, studio),
        "managers": studio.managers.order_by("username"),
    }
    return render(request, "studio/studio_detail.html", context)


@login_required
def studio_edit(request: HttpRequest, pk: int) -> HttpResponse:
    studio = get_object_or_404(studios_visible(request.user), pk=pk)
    _require_manager(request, studio)
    form = StudioForm(request.POST or None, instance=studio)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.studio_update(
                studio=studio,
                by=request_user(request),
                name=data["name"],
                address=data["address"],
                time_zone=data["time_zone"],
                currency=data["currency"],
                hold_hours=data["hold_hours"],
                challenge_hours=data["challenge_hours"],
                max_booking_hours=studio.max_booking_hours,
                cancellation_tiers=data["cancellation_tiers"],
            )
        except ValidationError as error:
            form_refusal(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("studio-detail", pk=studio.pk)
    return render(request, "studio/studio_form.html", {"form": form, "studio": studio})


def _rate_card(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in ROOM_FIELDS}


def _gear_item(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in GEAR_FIELDS}


def _studio_part_page(
    request: HttpRequest,
    *,
    form: forms.ModelForm[Any],
    studio: Studio,
    part: Room | Gear | None,
    what: str,
    save: Callable[[dict[str, Any]], Room | Gear],
) -> HttpResponse:
    """A room's or a gear item's form page: a valid form is written by ``save`` (a service),
    whose refusal shows beside its field; then back to the studio."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationError as error:
            form_refusal(form, error)
        else:
            messages.success(request, f"{'Saved' if part else 'Added'} {saved.name}.")
            return redirect("studio-detail", pk=studio.pk)
    context = {"form": form, "studio": studio, "what": what, "object": part}
    return render(request, "studio/studio_part_form.html", context)


@login_required
def room_create(request: HttpRequest, pk: int) -> HttpResponse:
    studio = get_object_or_404(studios_visible(request.user), pk=pk)
    _require_manager(request, studio)
    by = request_user(request)
    return _studio_part_page(
        request,
        form=RoomForm(request.POST or None),
        studio=studio,
        part=None,
        what="room",
        save=lambda data: services.room_create(studio=studio, by=by, **_rate_card(data)),
    )


@login_required
def room_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rooms = Room.objects.filter(studio__in=studios_visible(request.user)).select_related("studio")
    room = get_object_or_404(rooms, pk=pk)
    _require_manager(request, room.studio)
    by = request_user(request)
    return _studio_part_page(
        request,
        form=RoomForm(request.POST or None, instance=room),
        studio=room.studio,
        part=room,
        what="room",
        save=lambda data: services.room_update(room=room, by=by, **_rate_card(data)),
    )


@login_required
def gear_create(request: HttpRequest, pk: int) -> HttpResponse:
    studio = get_object_or_404(studios_visible(request.user), pk=pk)
    _require_manager(request, studio)
    by = request_user(request)
    return _studio_part_page(
        request,
        form=GearForm(request.POST or None, studio=studio),
        studio=studio,
        part=None,
        what="gear",
        save=lambda data: services.gear_create(studio=studio, by=by, **_gear_item(data)),
    )


@login_required
def gear_edit(request: HttpRequest, pk: int) -> HttpResponse:
    items = Gear.objects.filter(studio__in=studios_visible(request.user)).select_related("studio")
    item = get_object_or_404(items, pk=pk)
    _require_manager(request, item.studio)
    by = request_user(request)
    return _studio_part_page(
        request,
        form=GearForm(request.POST or None, instance=item, studio=item.studio),
        studio=item.studio,
        part=item,
        what="gear",
        save=lambda data: services.gear_update(gear=item, by=by, **_gear_item(data)),
    )


def _studio_part_delete(
    request: HttpRequest, *, part: Room | Gear, delete: Callable[[], None]
) -> HttpResponse:
    """Delete a room or an item through its service (asked first on its edit page); one that a
    booking, session or gear check names is kept, and the refusal says why and what to do."""
    try:
        delete()
    except Conflict as refusal:
        messages.error(request, refusal.detail)
        return redirect("room-edit" if isinstance(part, Room) else "gear-edit", pk=part.pk)
    messages.success(request, f"Deleted {part.name}.")
    return redirect("studio-detail", pk=part.studio_id)


@login_required
@require_POST
def room_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rooms = Room.objects.filter(studio__in=studios_visible(request.user)).select_related("studio")
    room = get_object_or_404(rooms, pk=pk)
    _require_manager(request, room.studio)
    by = request_user(request)
    return _studio_part_delete(
        request, part=room, delete=lambda: services.room_delete(room=room, by=by)
    )


@login_required
@require_POST
def gear_delete(request: HttpRequest, pk: int) -> HttpResponse:
    items = Gear.objects.filter(studio__in=studios_visible(request.user)).select_related("studio")
    item = get_object_or_404(items, pk=pk)
    _require_manager(request, item.studio)
    by = request_user(request)
    return _studio_part_delete(
        request, part=item, delete=lambda: services.gear_delete(gear=item, by=by)
    )
