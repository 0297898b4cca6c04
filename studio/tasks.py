"""Celery tasks of studio: holds expiring and warned. Each takes ids, calls a service and
returns."""

from celery import shared_task
from django.db import OperationalError

from studio import invitations, services


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=120,
    time_limit=150,
)
def holds_expire() -> int:
    """Expire the holds whose time has come (beat runs it every minute); returns how many."""
    return services.holds_expire()


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=120,
    time_limit=150,
)
def holds_warn_lapsing() -> int:
    """Warn holders whose hold lapses within 24 hours (beat, every 15 minutes)."""
    return invitations.holds_warn_lapsing()
