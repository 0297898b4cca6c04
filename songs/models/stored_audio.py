"""What a kept audio file is known by: a track's master and a song's versions alike."""

from __future__ import annotations

from django.db import models


class StoredAudio(models.Model):
    """An audio file kept only after it decoded whole: what probing found (songs.audio.probe),
    its size and checksums, and the loudness a task measures after upload.

    Abstract: each kind declares its own ``file`` (where it is kept) and when it was uploaded.
    """

    original_name = models.CharField(max_length=255)
    format = models.CharField(max_length=10)
    subtype = models.CharField(max_length=20)
    sample_rate = models.PositiveIntegerField()
    bit_depth = models.PositiveSmallIntegerField()
    is_float = models.BooleanField(default=False)
    channels = models.PositiveSmallIntegerField()
    frames = models.PositiveBigIntegerField()
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    md5 = models.CharField(max_length=32)
    # Measured by a task after upload (null until then, or for digital silence).
    integrated_lufs = models.FloatField(null=True, blank=True)
    true_peak_dbtp = models.FloatField(null=True, blank=True)
    analysed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate
