"""Studios, their rooms with rate cards, and gear."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from core.money import ZERO, money_field, validate_currency
from core.validators import validate_time_zone
from projects.models import Project


def default_cancellation_tiers() -> list[dict[str, int]]:
    """More than 14 days' notice costs nothing, 3 to 14 days half, under 3 days all."""
    return [
        {"min_days": 14, "percent": 0},
        {"min_days": 3, "percent": 50},
        {"min_days": 0, "percent": 100},
    ]


def validate_cancellation_tiers(value: object) -> None:
    message = (
        'A list of {"min_days": int, "percent": 0-100}, from most notice to least, '
        "ending at 0 days."
    )
    if not isinstance(value, list) or not value:
        raise ValidationError(message, code="invalid_tiers")
    previous = None
    for tier in value:
        if (
            not isinstance(tier, dict)
            or set(tier) != {"min_days", "percent"}
            or not all(isinstance(tier[k], int) and not isinstance(tier[k], bool) for k in tier)
            or not 0 <= tier["percent"] <= 100
            or tier["min_days"] < 0
            or (previous is not None and tier["min_days"] >= previous)
        ):
            raise ValidationError(message, code="invalid_tiers")
        previous = tier["min_days"]
    if previous != 0:
        raise ValidationError(message, code="invalid_tiers")


class Studio(models.Model):
    """A facility with rooms and gear. Its time zone decides what "that day" means."""

    name = models.CharField(max_length=200, unique=True)
    address = models.TextField(blank=True)
    time_zone = models.CharField(
        max_length=64, validators=[validate_time_zone], help_text="IANA zone, e.g. Europe/Berlin."
    )
    currency = models.CharField(max_length=3, default="EUR", validators=[validate_currency])
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="managed_studios",
        help_text="Staff who may change the studio, its rooms and gear.",
    )
    # Declared here, read from both sides: ``project.studios`` are the studios a production
    # uses. Projects stand below studios and do not name them; the table is the one the field
    # had when it was ``Project.studios``.
    projects: models.ManyToManyField[Project, Project] = models.ManyToManyField(
        Project,
        blank=True,
        related_name="studios",
        db_table="studio_project_studios",
        help_text="Productions that use this studio.",
    )
    # Booking policy.
    hold_hours = models.PositiveIntegerField(
        default=168, help_text="How long a new hold lasts unless it says otherwise (hours)."
    )
    challenge_hours = models.PositiveIntegerField(
        default=24, help_text="Time a challenged 1st hold has to confirm or release (hours)."
    )
    max_booking_hours = models.PositiveIntegerField(
        default=24, help_text="The longest single booking (hours)."
    )
    cancellation_tiers = models.JSONField(
        default=default_cancellation_tiers,
        validators=[validate_cancellation_tiers],
        help_text='Fee by notice: [{"min_days": 14, "percent": 0}, ...], most notice first.',
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hold_hours__gte=1)
                & Q(challenge_hours__gte=1)
                & Q(max_booking_hours__gte=1)
                & Q(max_booking_hours__lte=24 * 31),
                name="studio_policy_sane",
            ),
            # The full IANA list lives in Python (it changes with tzdata); the database refuses
            # at least what can never be a zone name.
            models.CheckConstraint(
                condition=Q(time_zone__regex=r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$"),
                name="studio_time_zone_shape",
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="studio_currency_iso"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Room(models.Model):
    """A bookable room and its rate card.

    Half-day and day (lockout) are blocks of hours at a flat rate; time past the lockout is
    overtime, billed in units of ``overtime_unit_minutes`` at the hourly rate times
    ``overtime_multiplier``.
    """

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    capacity = models.PositiveSmallIntegerField(default=1, help_text="Players at once.")
    hourly_rate = money_field()
    half_day_hours = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("5"))
    half_day_rate = money_field()
    day_hours = models.DecimalField(
        max_digits=4, decimal_places=2, default=Decimal("10"), help_text="Lockout length."
    )
    day_rate = money_field()
    overtime_unit_minutes = models.PositiveSmallIntegerField(default=30)
    overtime_multiplier = models.DecimalField(
        max_digits=4, decimal_places=2, default=Decimal("1.5")
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["studio_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["studio", "name"], name="room_unique_name"),
            models.CheckConstraint(
                condition=Q(hourly_rate__gte=0) & Q(half_day_rate__gte=0) & Q(day_rate__gte=0),
                name="room_rates_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(half_day_hours__gt=0)
                & Q(day_hours__gt=0)
                & Q(half_day_hours__lte=models.F("day_hours"))
                & Q(day_hours__lte=24),
                name="room_block_hours_sane",
            ),
            models.CheckConstraint(
                condition=Q(overtime_unit_minutes__gte=1) & Q(overtime_unit_minutes__lte=240),
                name="room_overtime_unit_sane",
            ),
            models.CheckConstraint(
                condition=Q(overtime_multiplier__gte=1), name="room_overtime_multiplier_min"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.studio.name} / {self.name}"

    def clean(self) -> None:
        if self.half_day_hours and self.day_hours and self.half_day_hours > self.day_hours:
            raise ValidationError({"half_day_hours": "A half day cannot be longer than a day."})


class Gear(models.Model):
    """An item in a studio's inventory, optionally kept in one room, rentable by the day."""

    class Category(models.TextChoices):
        MICROPHONE = "microphone", "Microphone"
        PREAMP = "preamp", "Preamp"
        OUTBOARD = "outboard", "Outboard"
        INSTRUMENT = "instrument", "Instrument"
        AMPLIFIER = "amplifier", "Amplifier"
        MONITOR = "monitor", "Monitor"
        RECORDER = "recorder", "Recorder"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        AVAILABLE = "available", "Available"
        NEEDS_SERVICE = "needs_service", "Needs service"
        IN_REPAIR = "in_repair", "In repair"
        RETIRED = "retired", "Retired"

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="gear")
    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.SET_NULL, related_name="gear"
    )
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.OTHER)
    make = models.CharField(max_length=100, blank=True)
    model = models.CharField(max_length=100, blank=True)
    serial_number = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AVAILABLE)
    day_rate = money_field(default=ZERO)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["studio_id", "category", "name", "id"]
        verbose_name_plural = "gear"
        constraints = [
            models.CheckConstraint(condition=Q(day_rate__gte=0), name="gear_day_rate_not_negative"),
            models.UniqueConstraint(
                fields=["studio", "serial_number"],
                condition=~Q(serial_number=""),
                name="gear_unique_serial",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.room_id is not None
            and self.room is not None
            and self.room.studio_id != self.studio_id
        ):
            raise ValidationError({"room": "The room belongs to another studio."})
