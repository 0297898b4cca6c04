"""Versions of a song's audio (rough, mix, master), notes at a time in them, their approval,
and listen links for people without an account. A file's facts and loudness are kept as a
release's master keeps them (``StoredAudio``)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from songs.models import Song
from songs.models.stored_audio import StoredAudio


class VersionKind(models.TextChoices):
    ROUGH = "rough", "Rough"
    MIX = "mix", "Mix"
    MASTER = "master", "Master"


class AnalysisStatus(models.TextChoices):
    PENDING = "pending", "Waiting for analysis"
    READY = "ready", "Analysed"
    FAILED = "failed", "Analysis failed"


def new_listen_token() -> str:
    # 32 random bytes: the link is the only credential a guest has, so it must not be guessable.
    return secrets.token_urlsafe(32)


class SongVersion(StoredAudio):
    """One upload of a song's audio: "Mix v3" is the third mix of that song.

    Invariants: numbers run per song and kind without gaps or repeats (the service takes them
    under a lock on the song, the constraint refuses a repeat); the file is never replaced (a
    new upload is a new row), so an approved version stays what was approved. The preview is
    a compressed rendition made after upload: listen links play it, never the file itself.
    """

    Kind = VersionKind
    Status = AnalysisStatus

    song = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="versions")
    kind = models.CharField(max_length=10, choices=VersionKind.choices)
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to="versions/%Y/", max_length=255)
    # [[min, max], ...] per bucket, -1..1, computed once from the file: the page draws them.
    peaks = models.JSONField(default=list, blank=True, editable=False)
    preview = models.FileField(upload_to="versions/previews/%Y/", max_length=255, blank=True)
    status = models.CharField(
        max_length=10, choices=AnalysisStatus.choices, default=AnalysisStatus.PENDING
    )
    status_message = models.CharField(max_length=500, blank=True)
    # Analyses started for the current file: a worker that dies mid-way (out of time or
    # memory) counts, so the sweep gives up after ANALYSIS_TRIES and says so.
    analysis_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="song_versions",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        db_table = "releases_songversion"
        ordering = ["song_id", "-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["song", "kind", "number"], name="songversion_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=VersionKind.values), name="songversion_kind_known"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="songversion_number_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.song}: {self.label}"

    @property
    def label(self) -> str:
        """ "Mix v3"."""
        return f"{VersionKind(self.kind).label} v{self.number}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class ListenLink(models.Model):
    """A secret address that plays one version's preview to someone without an account.

    Unknown, revoked and expired links answer the same 404, so a guess learns nothing."""

    version = models.ForeignKey(SongVersion, on_delete=models.CASCADE, related_name="listen_links")
    token = models.CharField(max_length=64, unique=True, default=new_listen_token, editable=False)
    label = models.CharField(
        max_length=200, help_text="Who it is for, e.g. the mastering engineer."
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    password_hash = models.CharField(max_length=200, blank=True, editable=False)
    allow_download = models.BooleanField(default=False)
    allow_notes = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "releases_listenlink"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Listen link for {self.label} ({self.version.label})"

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)


class VersionNote(models.Model):
    """A note at a time in a version ("0:42 vocal too loud"), by a member or by a guest of a
    listen link (under the name they gave). Resolved notes show on later versions as "fixed in
    Mix v4" (``resolved_in``)."""

    version = models.ForeignKey(SongVersion, on_delete=models.CASCADE, related_name="notes")
    at_seconds = models.DecimalField(max_digits=8, decimal_places=2)
    body = models.TextField(max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="version_notes",
    )
    guest_name = models.CharField(max_length=100, blank=True)
    link = models.ForeignKey(
        ListenLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_in = models.ForeignKey(
        SongVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="fixes"
    )

    class Meta:
        db_table = "releases_versionnote"
        ordering = ["version_id", "at_seconds", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(at_seconds__gte=0), name="versionnote_time_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at_label} {self.body[:40]}"

    @property
    def at_label(self) -> str:
        """The time as m:ss."""
        whole = int(self.at_seconds)
        return f"{whole // 60}:{whole % 60:02d}"

    @property
    def by_name(self) -> str:
        if self.author is not None:
            return self.author.get_full_name() or self.author.get_username()
        return self.guest_name or "someone"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class ListenPlay(models.Model):
    """A play of a listen link's preview: which link, when, from which player."""

    link = models.ForeignKey(ListenLink, on_delete=models.CASCADE, related_name="plays")
    # The page load's own random key: the preview's many range requests of one play, and a
    # replay on the same page, log one play.
    key = models.CharField(max_length=32, editable=False)
    at = models.DateTimeField(auto_now_add=True)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "releases_listenplay"
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["link", "key"], name="listenplay_once_per_page"),
        ]

    def __str__(self) -> str:
        return f"{self.link.label} at {self.at:%Y-%m-%d %H:%M}"
