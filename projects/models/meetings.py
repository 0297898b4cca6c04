"""Meetings of a production: pre-production, listening sessions, calls. No room needed."""

from __future__ import annotations

import uuid
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.validators import validate_time_zone
from projects.models.people import Person, Project


class Meeting(models.Model):
    """People of a production meeting at a place or on a link, at a time.

    Invariants: ``end`` is after ``start`` (aware, stored in UTC); ``uid`` never changes, so an
    invitation, its updates and the feeds all speak of one calendar event; ``sequence`` grows
    with every change an invited calendar should see. A cancelled meeting keeps its row (its
    cancellation is sent and shown in feeds).
    """

    class Kind(models.TextChoices):
        PRE_PRODUCTION = "pre_production", "Pre-production meeting"
        LISTENING = "listening", "Listening session"
        CALL = "call", "Call"
        OTHER = "other", "Meeting"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    start = models.DateTimeField()
    end = models.DateTimeField()
    time_zone = models.CharField(
        max_length=64,
        validators=[validate_time_zone],
        help_text="Where the meeting's times are read (IANA zone, e.g. Europe/Berlin).",
    )
    place = models.CharField(max_length=300, blank=True, help_text="An address or a room.")
    link = models.URLField(max_length=500, blank=True, help_text="A call's address.")
    people: models.ManyToManyField[Person, Person] = models.ManyToManyField(
        Person, blank=True, related_name="meetings", db_table="studio_meeting_people"
    )
    notes = models.TextField(blank=True)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        db_table = "studio_meeting"
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="meeting_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)
