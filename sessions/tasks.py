"""Celery tasks of recording sessions. Each calls a service and returns."""

from celery import shared_task
from django.db import OperationalError

from sessions import call_sheets


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=120,
    time_limit=150,
)
def call_sheets_send_due() -> int:
    """Send tomorrow's call sheets from the evening before (beat, every 15 minutes)."""
    return call_sheets.call_sheets_send_due()
