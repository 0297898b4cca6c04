"""Threads for the race tests: each with its own database connection, and a way to tell that
one of them waits on a PostgreSQL row lock (a condition to wait on, never a clock)."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import close_old_connections, connection


def in_thread(work: Callable[[], Any], *, name: str = "") -> tuple[threading.Thread, list[Any]]:
    """Start ``work`` in a thread with its own connection; its result or error lands in the
    returned list."""
    result: list[Any] = []

    def body() -> None:
        try:
            result.append(work())
        except Exception as error:  # noqa: BLE001 - reported to the test
            result.append(error)
        finally:
            close_old_connections()
            connection.close()

    thread = threading.Thread(target=body, name=name or None)
    thread.start()
    return thread, result


def backend_waits_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


def wait_until_blocked_or_done(worker: threading.Thread, pid: list[int]) -> None:
    """Until the worker's connection (its backend pid, once it has put it in ``pid``) waits on
    a row lock, or the worker has finished. The bound is only against a hung test."""
    pause = threading.Event()
    for _ in range(1200):
        if not worker.is_alive() or (pid and backend_waits_on_a_lock(pid[0])):
            return
        pause.wait(0.05)
    pytest.fail(f"{worker.name} neither finished nor waited on a lock")
