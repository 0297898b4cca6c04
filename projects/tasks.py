"""Celery tasks of projects: welcome mails and notices. Each takes ids, calls a service and
returns.

A task keeps the name it had before projects had an app of its own (``name=``), so that one
queued under the old layout still finds its worker, and beat's schedule keeps its names."""

import smtplib

from celery import shared_task
from django.db import OperationalError

from projects import notices, services


@shared_task(
    name="studio.tasks.membership_notify",
    autoretry_for=(smtplib.SMTPException, ConnectionError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def membership_notify(membership_id: int) -> bool:
    """Email a new member that they were added; True if an email went out this time."""
    return services.membership_notify(membership_id=membership_id)


@shared_task(
    name="studio.tasks.membership_notify_sweep",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def membership_notify_sweep() -> int:
    """Queue again the welcome emails the broker never took (beat, every few minutes)."""
    return services.membership_notify_sweep()


@shared_task(
    name="studio.tasks.notice_send",
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


@shared_task(
    name="studio.tasks.notices_sweep",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def notices_sweep() -> int:
    """Queue again the notices that were never sent (beat, every few minutes)."""
    return notices.notice_sweep()


@shared_task(
    name="projects.tasks.invitation_send",
    autoretry_for=(smtplib.SMTPException, ConnectionError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def invitation_send(invitation_id: int) -> bool:
    """Mail an invitation's link; True if a mail went out this time."""
    return services.invitation_send(invitation_id=invitation_id)


@shared_task(
    name="projects.tasks.invitations_sweep",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def invitations_sweep() -> int:
    """Queue again the invitation mails the broker never took (beat, every few minutes)."""
    return services.invitation_sweep()
