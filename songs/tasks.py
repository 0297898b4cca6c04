"""Celery tasks of songs. Each takes ids, calls a service and returns.

A task keeps the name it had before songs had an app of its own (``name=``), so that one
queued under the old layout still finds its worker."""

from typing import Any

from celery import shared_task
from django.db import OperationalError

from core.errors import Unavailable
from songs import services


@shared_task(
    name="releases.tasks.version_analyse",
    bind=True,
    autoretry_for=(OperationalError, Unavailable),
    retry_backoff=60,
    max_retries=5,
    soft_time_limit=900,
    time_limit=960,
)
def version_analyse(self: Any, version_id: int) -> bool:
    """Loudness, true peak, waveform peaks and the streamable preview of a song version.
    ffmpeg missing is retried with backoff (someone may be installing it); the sweep sends
    the analysis again after that."""
    return services.version_analyse(version_id=version_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def versions_sweep() -> int:
    """Queue again the version analyses the broker never took (beat, every few minutes)."""
    return services.version_analyse_sweep()
