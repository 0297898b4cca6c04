"""Writes with rules: studios, their rooms (with the rate card) and their gear.

A studio's managers change it, its rooms and its gear (README, "Who may do what"); whoever
creates a studio manages it. The API and the pages both write through here, so a refusal reads
the same in both: a ValidationError names its field, a PermissionDenied is a 403.

Updates take every field explicitly: a caller that changes one field passes the others as they
are, so that "keep" and "clear" never need telling apart.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from studio.models import Gear, Room, Studio

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
