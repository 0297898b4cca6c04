"""Songs of a production and their moves across the board."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from projects.models.people import Person, Project
from projects.models.stages import SongStage


class Song(models.Model):
    """A song of a production, moved across the board from pre-production to done.

    Takes (sessions) and versions (releases) point at it. Its title is unique in the project,
    so a take logged by name finds its song. Every move is kept as a ``SongStageChange``.
    """

    Stage = SongStage

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="songs")
    title = models.CharField(max_length=200)
    working_title = models.CharField(max_length=200, blank=True)
    key = models.CharField(max_length=20, blank=True, help_text="For example A minor.")
    tempo = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("1"))],
        help_text="Beats per minute.",
    )
    writers: models.ManyToManyField[Person, Person] = models.ManyToManyField(
        Person, blank=True, related_name="songs_written", db_table="studio_song_writers"
    )
    notes = models.TextField(blank=True)
    stage = models.CharField(
        max_length=20, choices=SongStage.choices, default=SongStage.PRE_PRODUCTION
    )
    due_date = models.DateField(null=True, blank=True)
    holder = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="songs_held",
        help_text="Who has the song now (the mixer, the mastering engineer...).",
    )
    position = models.PositiveIntegerField(default=0, help_text="Order within its column.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "studio_song"
        ordering = ["project_id", "position", "title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "title"], name="song_unique_title"),
            models.CheckConstraint(
                condition=Q(stage__in=SongStage.values), name="song_stage_known"
            ),
            models.CheckConstraint(
                condition=Q(tempo__isnull=True) | Q(tempo__gt=0), name="song_tempo_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_late(self, today: datetime.date) -> bool:
        """Past its due date and not done."""
        return self.due_date is not None and self.due_date < today and self.stage != SongStage.DONE


class SongStageChange(models.Model):
    """A song moved from one stage to another: who, when, from, to. Never edited."""

    song = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="stage_changes")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="song_stage_changes",
    )
    at = models.DateTimeField(auto_now_add=True)
    from_stage = models.CharField(max_length=20, choices=SongStage.choices)
    to_stage = models.CharField(max_length=20, choices=SongStage.choices)

    class Meta:
        db_table = "studio_songstagechange"
        ordering = ["song_id", "at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_stage=models.F("to_stage")), name="song_change_moves"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.song}: {self.from_stage} to {self.to_stage}"


DEFAULT_PARTS = ("Drums", "Bass", "Guitars", "Keys", "Lead vocal", "Backing vocals", "Strings")


class Part(models.Model):
    """A column of a project's tracking sheet: an instrument or voice to record.

    A new project starts from ``DEFAULT_PARTS``; the producer renames, adds, removes and orders
    them. Takes may name the part they recorded, so a keeper take marks its cell recorded.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="parts")
    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "studio_part"
        ordering = ["project_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="part_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class PartStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    RECORDED = "recorded", "Recorded"
    EDITED = "edited", "Edited"
    COMPLETE = "complete", "Complete"
    NOT_NEEDED = "not_needed", "Not needed"


class SongPart(models.Model):
    """One cell of the tracking sheet: where a part of a song stands.

    Invariant: the song and the part belong to one project (the service checks). A cell without
    a row is "not started", so a new part or song costs no writes.
    """

    Status = PartStatus

    song = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="part_statuses")
    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="song_parts")
    status = models.CharField(
        max_length=20, choices=PartStatus.choices, default=PartStatus.NOT_STARTED
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "studio_songpart"
        ordering = ["song_id", "part__position", "part_id"]
        constraints = [
            models.UniqueConstraint(fields=["song", "part"], name="songpart_unique"),
            models.CheckConstraint(
                condition=Q(status__in=PartStatus.values), name="songpart_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.song} / {self.part}: {self.status}"
