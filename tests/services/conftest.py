"""The real worker the services lane runs tasks on."""

import os
from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from config.celery import app as celery_app
from tests.releases.conftest import ready_release  # noqa: F401  # the render tests use it


@pytest.fixture
def worker(worker_id: str) -> Iterator[Any]:
    """A real worker thread consuming from the broker, on a queue of this test process alone
    (pytest-xdist runs several, and they share one broker)."""
    assert connection.vendor == "postgresql", "the services lane runs on PostgreSQL"
    assert os.environ.get("CELERY_BROKER_URL"), "the services lane needs CELERY_BROKER_URL"
    assert os.environ.get("CELERY_RESULT_BACKEND"), "the services lane needs CELERY_RESULT_BACKEND"
    queue = f"tracksheet-tests-{worker_id}"
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        with start_worker(
            celery_app, pool="solo", concurrency=1, perform_ping_check=False, queues=[queue]
        ) as running:
            yield running
    finally:
        celery_app.conf.task_default_queue = previous
