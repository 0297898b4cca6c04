"""What people are told by mail, what they chose to get, and what was already sent."""

from __future__ import annotations

from django.db import models

from projects.models.people import Person


class NoticeKind(models.TextChoices):
    BOOKING_INVITATION = "booking_invitation", "Studio days I am on: confirmed, moved, cancelled"
    MEETING_INVITATION = "meeting_invitation", "Meetings I am invited to"
    CALL_SHEET = "call_sheet", "Call sheets for my sessions"
    HOLD_LAPSING = "hold_lapsing", "A hold of mine lapses within 24 hours"
    HOLD_CHALLENGED = "hold_challenged", "A 2nd hold challenges mine"
    VERSION_NOTE = "version_note", "A note on a version I uploaded"
    VERSION_APPROVED = "version_approved", "A version approved on a production I produce"
    INVITATION_ACCEPTED = "invitation_accepted", "Someone I invited joined the production"


class NoticePreference(models.Model):
    """A person's choice for one kind of notice. No row means they get it."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notice_preferences")
    kind = models.CharField(max_length=30, choices=NoticeKind.choices)
    enabled = models.BooleanField(default=True)

    class Meta:
        db_table = "studio_noticepreference"
        ordering = ["person_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="noticepreference_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.kind} {'on' if self.enabled else 'off'}"


class Notice(models.Model):
    """One mail to one address about one event, kept so a retried task never sends it twice.

    ``key`` names the event and the recipient (for example a booking's uid, its sequence and the
    person): its unique constraint is the exactly-once guard, since two runs of one task race to
    insert the same key and only one wins. ``sent_at`` is set once the mail went out; a row
    without it is retried by the sweep.
    """

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=NoticeKind.choices)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="notices"
    )
    to_email = models.EmailField()
    subject = models.CharField(max_length=300)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "studio_notice"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["sent_at", "created_at"], name="notice_unsent")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_email}"
