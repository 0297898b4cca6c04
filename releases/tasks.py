"""Celery tasks of releases. Each takes ids, calls a service and returns."""

import logging
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError

from releases import services

# Failures worth another try: the database or the disk hiccuped. A master ffmpeg cannot read
# is not one of them: that fails its track at once (services.render_task_run).
TRANSIENT = (OperationalError, OSError)
logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=600,
    time_limit=660,
)
def master_analyse(master_id: int) -> bool:
    """Measure a master's loudness (integrated, true peak, range)."""
    return services.master_analyse(master_id=master_id)


@shared_task(bind=True, max_retries=3, soft_time_limit=3600, time_limit=3660)
def render_track(self: Any, task_id: int) -> str:
    """Render one track of a render job into the job's targets; retried with backoff on
    transient failures, then failed with the reason (the job's other tracks go on)."""
    try:
        return services.render_task_run(task_id=task_id)
    except SoftTimeLimitExceeded:
        services.render_task_fail(task_id=task_id, message="Took longer than the time limit.")
        return "failed"
    except TRANSIENT as error:
        if self.request.retries >= self.max_retries:
            services.render_task_fail(
                task_id=task_id,
                message=f"Gave up after {self.request.retries + 1} attempts: {error}",
            )
            return "failed"
        countdown = 2 ** (self.request.retries + 1)
        if self.request.is_eager:
            # Without a broker, apply() runs a retry handed back to it in-process; a raised one
            # would only propagate.
            return self.retry(exc=error, countdown=countdown, throw=False)
        raise self.retry(exc=error, countdown=countdown) from error
    except Exception as error:
        # A file nobody foresaw (a tag writer refusing ffmpeg's output, say): this track
        # fails with the reason and the job goes on; the traceback goes to the log.
        logger.exception("render task %s failed", task_id)
        services.render_task_fail(task_id=task_id, message=f"Unexpected error: {error}")
        return "failed"


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def queue_sweep() -> dict[str, int]:
    """Queue again the masters' analyses and the renders the broker never took (beat, every
    few minutes; songs.tasks.versions_sweep does the versions')."""
    return {
        "analyses": services.master_analyse_sweep(),
        "render_tasks": services.render_sweep(),
    }
