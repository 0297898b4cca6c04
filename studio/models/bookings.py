"""Bookings on the calendar and the secret addresses of calendar feeds."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from projects.models.people import Person, Project
from studio.models.studios import Gear, Room, Studio


def new_feed_secret() -> str:
    return secrets.token_urlsafe(32)


class Booking(models.Model):
    """A room on the calendar for a project: a hold, a confirmed booking, or a cancelled one.

    Invariants: ``end`` is after ``start`` (both aware, stored in UTC); two confirmed bookings of
    one room never overlap (an exclusion constraint on PostgreSQL, migration 0003; the booking
    service serializes check and write everywhere); ``quoted_amount`` is frozen when confirmed;
    ``sequence`` grows with every change a calendar client should see.
    """

    class Status(models.TextChoices):
        HOLD_1 = "hold_1", "1st hold"
        HOLD_2 = "hold_2", "2nd hold"
        CONFIRMED = "confirmed", "Confirmed"
        CANCELLED = "cancelled", "Cancelled"

    class Ending(models.TextChoices):
        RELEASED = "released", "Hold released"
        EXPIRED = "expired", "Hold expired"
        CANCELLED = "cancelled", "Cancelled"

    HOLDS = (Status.HOLD_1, Status.HOLD_2)
    ACTIVE = (Status.HOLD_1, Status.HOLD_2, Status.CONFIRMED)

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="bookings")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="bookings")
    title = models.CharField(max_length=200, blank=True)
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HOLD_1)
    engineer = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="engineered"
    )
    gear = models.ManyToManyField(Gear, blank=True, related_name="bookings")
    notes = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="When a hold lapses.")
    challenged_at = models.DateTimeField(null=True, blank=True)
    quoted_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    quote_lines = models.JSONField(default=list, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    ending = models.CharField(max_length=10, choices=Ending.choices, blank=True)
    cancellation_fee = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    series = models.UUIDField(null=True, blank=True, db_index=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["room", "start", "end"], name="booking_room_time")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="booking_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(quoted_amount__isnull=True) | Q(quoted_amount__gte=0),
                name="booking_quote_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(cancellation_fee__isnull=True) | Q(cancellation_fee__gte=0),
                name="booking_fee_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(quoted_amount__isnull=False),
                name="booking_confirmed_has_quote",
            ),
        ]

    def __str__(self) -> str:
        local = self.start.astimezone(self.room.studio.zone)
        return f"{self.room} {local:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def is_hold(self) -> bool:
        return self.status in self.HOLDS


class FeedToken(models.Model):
    """A secret calendar-feed address for one person, room, studio or project.

    The token is the only credential a calendar app sends, so it is long, random, revocable and
    rotatable; what a feed shows is still limited to what its owner may see now.
    """

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ROOM = "room", "Room"
        STUDIO = "studio", "Studio"
        PROJECT = "project", "Project"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE)
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.CASCADE)
    studio = models.ForeignKey(Studio, null=True, blank=True, on_delete=models.CASCADE)
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE)
    token = models.CharField(max_length=64, unique=True, default=new_feed_secret, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Exactly the target its kind names is set.
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="person",
                        person__isnull=False,
                        room__isnull=True,
                        studio__isnull=True,
                        project__isnull=True,
                    )
                    | Q(
                        kind="room",
                        person__isnull=True,
                        room__isnull=False,
                        studio__isnull=True,
                        project__isnull=True,
                    )
                    | Q(
                        kind="studio",
                        person__isnull=True,
                        room__isnull=True,
                        studio__isnull=False,
                        project__isnull=True,
                    )
                    | Q(
                        kind="project",
                        person__isnull=True,
                        room__isnull=True,
                        studio__isnull=True,
                        project__isnull=False,
                    )
                ),
                name="feedtoken_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} feed of {self.target}"

    @property
    def target(self) -> Person | Room | Studio | Project | None:
        return getattr(self, self.kind)
