"""People, the productions' cards about them, projects and who works on them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.money import validate_currency
from projects.models.stages import validate_skipped_song_stages, validate_song_stage_names

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class Role(models.TextChoices):
    PRODUCER = "producer", "Producer"
    ENGINEER = "engineer", "Engineer"
    ARTIST = "artist", "Artist"
    MANAGER = "manager", "Manager"
    ACCOUNTANT = "accountant", "Accountant"
    VIEWER = "viewer", "Viewer"


class Person(models.Model):
    """A contact's identity: musician, engineer, artist, client. May have a login (``user``).

    A person is seen through the projects they are on: a producer's address book is the union
    of the people on the producer's projects. What each production knows about them (email,
    phone, instruments, notes) is that production's ``PersonCard``, never shared; being on a
    project is having a card there, so ``projects`` runs through the cards.
    """

    name = models.CharField(max_length=200)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    projects: models.ManyToManyField[Project, PersonCard] = models.ManyToManyField(
        "Project", blank=True, related_name="people", through="PersonCard"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "studio_person"
        ordering = ["name", "id"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name


class PersonCard(models.Model):
    """What one production knows about a person: how to reach them, what they play, notes.

    Invariant: one card per (project, person), and a card is read and written only through its
    project. A person on two productions has two cards that never see each other, so what
    production A wrote about someone is never readable or writable through production B. The
    person's identity (name, login) and what points at them (bookings, engagements, credits)
    stay on ``Person``.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="cards")
    project = models.ForeignKey("Project", on_delete=models.CASCADE, related_name="person_cards")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    instruments = models.CharField(
        max_length=300, blank=True, help_text="What they play, comma separated."
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "studio_personcard"
        ordering = ["project_id", "person_id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "person"], name="personcard_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} on {self.project}"


class Project(models.Model):
    """One production: an artist's album or single, from pre-production to release."""

    class Status(models.TextChoices):
        PLANNING = "planning", "Planning"
        PRE_PRODUCTION = "pre_production", "Pre-production"
        RECORDING = "recording", "Recording"
        MIXING = "mixing", "Mixing"
        MASTERING = "mastering", "Mastering"
        RELEASED = "released", "Released"
        ARCHIVED = "archived", "Archived"

    title = models.CharField(max_length=200)
    artist = models.CharField(max_length=200)
    client = models.CharField(
        max_length=200, blank=True, help_text="Who pays: a label, the artist."
    )
    currency = models.CharField(max_length=3, default="EUR", validators=[validate_currency])
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNING)
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True, help_text="Target delivery.")
    notes = models.TextField(blank=True)
    song_stage_names = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_song_stage_names],
        help_text='The board\'s own names for stages, e.g. {"mixing": "Mix"}.',
    )
    skipped_song_stages = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_skipped_song_stages],
        help_text="Stages this production does not use (no column on its board).",
    )
    require_two_factor = models.BooleanField(
        default=False,
        help_text="Members sign in with a second factor (an app's code or a security key).",
    )
    members: models.ManyToManyField[User, Membership] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="projects"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "studio_project"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="project_currency_iso"
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(due_date__isnull=True)
                | Q(due_date__gte=models.F("start_date")),
                name="project_due_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.artist}: {self.title}"


class Membership(models.Model):
    """A user's role on a project. The role decides what they may do (projects.permissions)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set once the "you were added" email went out, so a retried task does not send it twice.
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        db_table = "studio_membership"
        ordering = ["project_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_unique_user"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_known"),
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.role} on {self.project}"
