"""Handing work to Celery after the commit, without failing the request when the broker is down.

The rows a request wrote are committed before their task is sent (a worker must find them),
so a send that fails can no longer undo them: answering 500 then would tell the caller that
nothing happened when it did. The send is logged instead, and each app's periodic sweep finds
the work that never reached a worker and sends it again (tasks are idempotent).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

# How long work may wait for a worker before the sweep sends it again: beyond any queue a
# healthy install builds up, well within what a user waits for.
SWEEP_AFTER_MINUTES = 10


def send_on_commit(
    send: Callable[[], Any], *, what: str, on_failure: Callable[[], Any] | None = None
) -> None:
    """Run ``send`` (a task's ``delay`` or a group's ``apply_async``) once the transaction
    commits; if the broker cannot take it, log it, run ``on_failure`` (to tell the user where
    they look) and leave the rest to the sweep."""

    def deliver() -> None:
        try:
            send()
        except (BrokerError, ConnectionError) as error:
            logger.warning(
                "Not queued (%s): %s; the periodic sweep will send it again.", what, error
            )
            if on_failure is not None:
                on_failure()

    transaction.on_commit(deliver)
