"""Celery tasks of budgets: they call a service and return."""

import smtplib

from celery import shared_task
from django.db import OperationalError

from budgets import services


@shared_task(
    # A database that does not answer is retried too, as in the other apps' beat tasks,
    # rather than leaving the reminders to the next day's run.
    autoretry_for=(smtplib.SMTPException, ConnectionError, OperationalError),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=300,
    time_limit=360,
)
def invoices_remind_overdue() -> int:
    """Remind once about each issued invoice past its due date (beat runs it daily)."""
    return services.invoices_remind_overdue()
