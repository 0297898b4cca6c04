"""Writes with rules: studios, their rooms (with the rate card) and their gear.

A studio's managers change it, its rooms and its gear (README, "Who may do what"); whoever
creates a studio manages it. The API and the pages both write through here, so a refusal reads
the same in both: a ValidationError names its field, a PermissionDenied is a 403.

Updates take every field explicitly: a caller that changes one field passes the others as they
are, so that "keep" and "clear" never need telling apart.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from core.errors import Conflict
from studio.models import Booking, Gear, Room, Studio

# The ranges the rate card takes, beyond what the database refuses outright: a lockout longer
# than a day, overtime billed in units over four hours, or at more than ten times the hourly
# rate are typing mistakes, not rate cards.
BLOCK_HOURS = (Decimal("0.25"), Decimal(24))
OVERTIME_UNIT_MINUTES = (1, 240)
OVERTIME_MULTIPLIER = (Decimal(1), Decimal(10))


def _require_manager(*, studio: Studio, by: User) -> None:
    if not studio.managers.filter(pk=by.pk).exists():
        raise PermissionDenied(f"Only {studio}'s managers may change it, its rooms and gear.")


def _check_policy(**hours: int | None) -> None:
    """Hours of holds, challenges and the longest booking: at least one (the database's
    studio_policy_sane says so too, without naming the field)."""
    errors = {
        name: "At least 1 hour." for name, value in hours.items() if value is not None and value < 1
    }
    longest = hours.get("max_booking_hours")
    if longest is not None and longest > 24 * 31:
        errors["max_booking_hours"] = "At most 744 hours (31 days)."
    if errors:
        raise ValidationError(errors)


def _studio_name_free(*, name: str, studio: Studio | None) -> None:
    taken = Studio.objects.filter(name__iexact=name)
    if studio is not None:
        taken = taken.exclude(pk=studio.pk)
    if taken.exists():
        raise ValidationError({"name": f"There is already a studio named {name}."})


@transaction.atomic
def studio_create(
    *,
    by: User,
    name: str,
    time_zone: str,
    address: str = "",
    currency: str = "EUR",
    hold_hours: int | None = None,
    challenge_hours: int | None = None,
    max_booking_hours: int | None = None,
    cancellation_tiers: list[dict[str, int]] | None = None,
) -> Studio:
    """Create a studio managed by its creator. Policy left out takes the model's defaults."""
    _studio_name_free(name=name, studio=None)
    _check_policy(
        hold_hours=hold_hours, challenge_hours=challenge_hours, max_booking_hours=max_booking_hours
    )
    studio = Studio(name=name, address=address, time_zone=time_zone, currency=currency)
    policy: dict[str, Any] = {
        "hold_hours": hold_hours,
        "challenge_hours": challenge_hours,
        "max_booking_hours": max_booking_hours,
        "cancellation_tiers": cancellation_tiers,
    }
    for field, value in policy.items():
        if value is not None:
            setattr(studio, field, value)
    studio.full_clean()
    studio.save()
    studio.managers.add(by)
    return studio


@transaction.atomic
def studio_update(
    *,
    studio: Studio,
    by: User,
    name: str,
    address: str,
    time_zone: str,
    currency: str,
    hold_hours: int,
    challenge_hours: int,
    max_booking_hours: int,
    cancellation_tiers: list[dict[str, int]],
) -> Studio:
    """Change a studio's details and booking policy (its managers only).

    The new policy applies to holds and cancellations from now on: bookings keep the expiry
    and fee they were given."""
    _require_manager(studio=studio, by=by)
    studio = Studio.objects.select_for_update().get(pk=studio.pk)
    _studio_name_free(name=name, studio=studio)
    _check_policy(
        hold_hours=hold_hours, challenge_hours=challenge_hours, max_booking_hours=max_booking_hours
    )
    studio.name, studio.address, studio.time_zone, studio.currency = (
        name,
        address,
        time_zone,
        currency,
    )
    studio.hold_hours, studio.challenge_hours = hold_hours, challenge_hours
    studio.max_booking_hours, studio.cancellation_tiers = max_booking_hours, cancellation_tiers
    studio.full_clean()
    studio.save()
    return studio


def _check_rate_card(
    *,
    half_day_hours: Decimal,
    day_hours: Decimal,
    overtime_unit_minutes: int,
    overtime_multiplier: Decimal,
) -> None:
    errors: dict[str, str] = {}
    low, high = BLOCK_HOURS
    for field, hours in (("half_day_hours", half_day_hours), ("day_hours", day_hours)):
        if not low <= hours <= high:
            errors[field] = f"Between {low} and {high} hours."
    if "half_day_hours" not in errors and "day_hours" not in errors and half_day_hours > day_hours:
        errors["half_day_hours"] = (
            f"A half day ({half_day_hours} h) cannot be longer than a day ({day_hours} h)."
        )
    unit_low, unit_high = OVERTIME_UNIT_MINUTES
    if not unit_low <= overtime_unit_minutes <= unit_high:
        errors["overtime_unit_minutes"] = f"Between {unit_low} and {unit_high} minutes."
    mult_low, mult_high = OVERTIME_MULTIPLIER
    if not mult_low <= overtime_multiplier <= mult_high:
        errors["overtime_multiplier"] = f"Between {mult_low} and {mult_high} times the hourly rate."
    if errors:
        raise ValidationError(errors)


# What a room's rate card and a gear item are made of, as room_create / room_update and
# gear_create / gear_update take them: the API and the pages pick these names from their input.
ROOM_FIELDS = (
    "name",
    "description",
    "capacity",
    "hourly_rate",
    "half_day_hours",
    "half_day_rate",
    "day_hours",
    "day_rate",
    "overtime_unit_minutes",
    "overtime_multiplier",
    "is_active",
)
GEAR_FIELDS = (
    "room",
    "name",
    "category",
    "make",
    "model",
    "serial_number",
    "status",
    "day_rate",
    "notes",
)


def _room_name_free(*, studio: Studio, name: str, room: Room | None) -> None:
    taken = Room.objects.filter(studio=studio, name=name)
    if room is not None:
        taken = taken.exclude(pk=room.pk)
    if taken.exists():
        raise ValidationError({"name": f"{studio} already has a room named {name}."})


@transaction.atomic
def room_create(
    *,
    studio: Studio,
    by: User,
    name: str,
    hourly_rate: Decimal,
    half_day_rate: Decimal,
    day_rate: Decimal,
    description: str = "",
    capacity: int = 1,
    half_day_hours: Decimal = Decimal(5),
    day_hours: Decimal = Decimal(10),
    overtime_unit_minutes: int = 30,
    overtime_multiplier: Decimal = Decimal("1.5"),
    is_active: bool = True,
) -> Room:
    """Add a room with its rate card to a studio (its managers only)."""
    _require_manager(studio=studio, by=by)
    # The studio row is locked so that two rooms of one name added at once meet the name
    # check one after the other (the loser gets the message, not an IntegrityError).
    Studio.objects.select_for_update().filter(pk=studio.pk).first()
    _check_rate_card(
        half_day_hours=half_day_hours,
        day_hours=day_hours,
        overtime_unit_minutes=overtime_unit_minutes,
        overtime_multiplier=overtime_multiplier,
    )
    _room_name_free(studio=studio, name=name, room=None)
    room = Room(
        studio=studio,
        name=name,
        description=description,
        capacity=capacity,
        hourly_rate=hourly_rate,
        half_day_hours=half_day_hours,
        half_day_rate=half_day_rate,
        day_hours=day_hours,
        day_rate=day_rate,
        overtime_unit_minutes=overtime_unit_minutes,
        overtime_multiplier=overtime_multiplier,
        is_active=is_active,
    )
    room.full_clean()
    room.save()
    return room


@transaction.atomic
def room_update(
    *,
    room: Room,
    by: User,
    name: str,
    description: str,
    capacity: int,
    hourly_rate: Decimal,
    half_day_hours: Decimal,
    half_day_rate: Decimal,
    day_hours: Decimal,
    day_rate: Decimal,
    overtime_unit_minutes: int,
    overtime_multiplier: Decimal,
    is_active: bool,
) -> Room:
    """Change a room and its rate card (the studio's managers only). A room stays in its
    studio. Confirmed bookings keep the quote frozen when they were confirmed."""
    _require_manager(studio=room.studio, by=by)
    Studio.objects.select_for_update().filter(pk=room.studio_id).first()
    _check_rate_card(
        half_day_hours=half_day_hours,
        day_hours=day_hours,
        overtime_unit_minutes=overtime_unit_minutes,
        overtime_multiplier=overtime_multiplier,
    )
    _room_name_free(studio=room.studio, name=name, room=room)
    room.name, room.description, room.capacity = name, description, capacity
    room.hourly_rate, room.half_day_rate, room.day_rate = hourly_rate, half_day_rate, day_rate
    room.half_day_hours, room.day_hours = half_day_hours, day_hours
    room.overtime_unit_minutes, room.overtime_multiplier = (
        overtime_unit_minutes,
        overtime_multiplier,
    )
    room.is_active = is_active
    room.full_clean()
    room.save()
    return room


def _check_gear(
    *, studio: Studio, room: Room | None, serial_number: str, gear: Gear | None
) -> None:
    if room is not None and room.studio_id != studio.pk:
        raise ValidationError({"room": "The room belongs to another studio."})
    if serial_number:
        taken = Gear.objects.filter(studio=studio, serial_number=serial_number)
        if gear is not None:
            taken = taken.exclude(pk=gear.pk)
        if taken.exists():
            raise ValidationError(
                {"serial_number": "This studio already has an item with this serial number."}
            )


@transaction.atomic
def gear_create(
    *,
    studio: Studio,
    by: User,
    name: str,
    category: str = Gear.Category.OTHER,
    room: Room | None = None,
    make: str = "",
    model: str = "",
    serial_number: str = "",
    status: str = Gear.Status.AVAILABLE,
    day_rate: Decimal = Decimal(0),
    notes: str = "",
) -> Gear:
    """Add an item to a studio's inventory (its managers only), maybe kept in one of its rooms."""
    _require_manager(studio=studio, by=by)
    Studio.objects.select_for_update().filter(pk=studio.pk).first()
    _check_gear(studio=studio, room=room, serial_number=serial_number, gear=None)
    gear = Gear(
        studio=studio,
        room=room,
        name=name,
        category=category,
        make=make,
        model=model,
        serial_number=serial_number,
        status=status,
        day_rate=day_rate,
        notes=notes,
    )
    gear.full_clean()
    gear.save()
    return gear


@transaction.atomic
def gear_update(
    *,
    gear: Gear,
    by: User,
    name: str,
    category: str,
    room: Room | None,
    make: str,
    model: str,
    serial_number: str,
    status: str,
    day_rate: Decimal,
    notes: str,
) -> Gear:
    """Change an item (the studio's managers only). It stays in its studio."""
    _require_manager(studio=gear.studio, by=by)
    Studio.objects.select_for_update().filter(pk=gear.studio_id).first()
    _check_gear(studio=gear.studio, room=room, serial_number=serial_number, gear=gear)
    gear.room, gear.name, gear.category = room, name, category
    gear.make, gear.model, gear.serial_number = make, model, serial_number
    gear.status, gear.day_rate, gear.notes = status, day_rate, notes
    gear.full_clean()
    gear.save()
    return gear


# --- deletes ------------------------------------------------------------------------------------

# What other apps keep that names a room or an item of gear (a session's room, a gear check),
# as phrases ("2 sessions"): registered from their AppConfig.ready(), since studio imports no
# other app. Each reads the rooms and the gear about to go and answers what would be lost.
StudioUses = Callable[[QuerySet[Room], QuerySet[Gear]], list[str]]
_uses: list[StudioUses] = []


def studio_uses_register(uses: StudioUses) -> None:
    """Another app's records that keep a room or gear from being deleted (see ``_in_use``)."""
    if uses not in _uses:
        _uses.append(uses)


def _several(count: int, noun: str) -> str:
    """ "1 booking", "3 bookings": a count with its noun (nouns that take an s)."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _listed(phrases: list[str]) -> str:
    """ "a, b and c"."""
    return " and ".join([", ".join(phrases[:-1]), phrases[-1]] if len(phrases) > 1 else phrases)


def _in_use(*, rooms: QuerySet[Room], gear: QuerySet[Gear]) -> list[str]:
    """What names these rooms or this gear: bookings (any status: a cancelled one may carry a
    fee, and invoices name bookings), then what the other apps registered."""
    bookings = Booking.objects.filter(Q(room__in=rooms) | Q(gear__in=gear)).distinct().count()
    found = [_several(bookings, "booking")] if bookings else []
    for uses in _uses:
        found += uses(rooms, gear)
    return found


def _require_manager_to_delete(*, studio: Studio, by: User) -> None:
    # The site's superusers delete from the Django admin, which has its own permissions; the
    # API and the pages reach here only after their check that ``by`` manages the studio.
    if not by.is_superuser:
        _require_manager(studio=studio, by=by)


@transaction.atomic
def studio_delete(*, studio: Studio, by: User) -> None:
    """Delete a studio with its rooms, gear and calendar feeds (its managers only).

    Refused (409) while a booking, a session or a gear check names one of its rooms or items:
    those records keep naming the studio (quotes, invoices, call sheets), so a studio that was
    used is kept and its rooms set inactive. Projects that listed it simply no longer do."""
    _require_manager_to_delete(studio=studio, by=by)
    # The studio, then its rooms and gear in id order: room_create and gear_create lock the
    # studio first, and a booking locks rooms before gear, so no new room, item or booking
    # slips in between the check and the delete.
    studio = Studio.objects.select_for_update().get(pk=studio.pk)
    rooms = Room.objects.filter(studio=studio)
    gear = Gear.objects.filter(studio=studio)
    list(rooms.select_for_update().order_by("pk").values_list("pk"))
    list(gear.select_for_update().order_by("pk").values_list("pk"))
    used = _in_use(rooms=rooms, gear=gear)
    if used:
        raise Conflict(
            f"{studio}'s rooms and gear are named by {_listed(used)}; a studio that was "
            "used keeps its history. Set its rooms inactive instead.",
            code="studio_in_use",
        )
    studio.delete()


@transaction.atomic
def room_delete(*, room: Room, by: User) -> None:
    """Delete a room with its calendar feeds (the studio's managers only); gear kept in it
    stays in the studio, in no room.

    Refused (409) while a booking or a session names it: their quotes and sheets were made for
    it. Such a room is set inactive instead."""
    _require_manager_to_delete(studio=room.studio, by=by)
    Studio.objects.select_for_update().filter(pk=room.studio_id).first()
    room = Room.objects.select_for_update().select_related("studio").get(pk=room.pk)
    used = _in_use(rooms=Room.objects.filter(pk=room.pk), gear=Gear.objects.none())
    if used:
        raise Conflict(
            f"Room {room.name} is named by {_listed(used)}; set it inactive instead, so "
            "their records keep it.",
            code="room_in_use",
        )
    room.delete()


@transaction.atomic
def gear_delete(*, gear: Gear, by: User) -> None:
    """Delete an item of a studio's gear (the studio's managers only).

    Refused (409) while a booking or a gear check names it: the booking's gear list and the
    session's checklist would silently lose it. Such an item is retired instead."""
    _require_manager_to_delete(studio=gear.studio, by=by)
    Studio.objects.select_for_update().filter(pk=gear.studio_id).first()
    gear = Gear.objects.select_for_update().get(pk=gear.pk)
    used = _in_use(rooms=Room.objects.none(), gear=Gear.objects.filter(pk=gear.pk))
    if used:
        raise Conflict(
            f"{gear.name} is named by {_listed(used)}; retire it instead (status "
            f"{Gear.Status.RETIRED.label}), so their records keep it.",
            code="gear_in_use",
        )
    gear.delete()
