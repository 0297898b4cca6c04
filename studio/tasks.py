"""Celery tasks of the ground floor. Each takes ids, calls a service and returns."""

import smtplib

from celery import shared_task
from django.db import OperationalError

from studio import invitations, notices, services


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def membership_notify(membership_id: int) -> bool:
    """Email a new member that they were added; True if an email went out this time."""
    return services.membership_notify(membership_id=membership_id)


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


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def membership_notify_sweep() -> int:
    """Queue again the welcome emails the broker never took (beat, every few minutes)."""
    return services.membership_notify_sweep()


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, OperationalError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def notice_send(notice_id: int) -> bool:
    """Send one notice (a claimed row is sent once); True if it went out this time."""
    return notices.notice_send(notice_id=notice_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def notices_sweep() -> int:
    """Queue again the notices that were never sent (beat, every few minutes)."""
    return notices.notice_sweep()


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
