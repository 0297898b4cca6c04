"""Celery tasks of the ground floor. Each takes ids, calls a service and returns."""

import smtplib

from celery import shared_task

from studio import services


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def membership_notify(membership_id: int) -> bool:
    """Email a new member that they were added; True if an email went out this time."""
    return services.membership_notify(membership_id=membership_id)
