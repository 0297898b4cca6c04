"""Domain errors the services raise; the API turns them into responses (core.api),
the pages too (core.middleware)."""

from pathlib import Path

from django.db import InterfaceError, OperationalError


class Conflict(Exception):
    """The write collides with something that exists (a booking, an issued invoice): HTTP 409.

    ``detail`` names what it collides with, so the user knows what to move.
    """

    def __init__(self, detail: str, *, code: str = "conflict") -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code


class Unavailable(Exception):
    """Something the request needs is missing on this machine (a tool, a schema, a stored
    file, the database): HTTP 503, never a 500. The message names what is missing and how to
    fix it; ``retry_after`` (seconds) when waiting is the fix."""

    def __init__(self, detail: str, *, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after


def as_unavailable(error: BaseException) -> Unavailable | None:
    """The 503 an exception stands for, or None when it is not one of ours to answer so."""
    if isinstance(error, Unavailable):
        return error
    if isinstance(error, FileNotFoundError):
        return missing_file(error)
    if isinstance(error, OperationalError | InterfaceError):
        # The server is down or restarting, the network dropped, SQLite's file is locked or
        # gone: nothing the user can fix but waiting. The cause goes to the log, not to them.
        return Unavailable(
            "The database is not answering right now; nothing was changed. Try again in a minute.",
            retry_after=60,
        )
    return None


def missing_file(error: FileNotFoundError) -> Unavailable:
    """A file the database names but the disk has lost (a restore without media, a deleted
    folder). Only its name is told: the path is the server's business."""
    name = Path(str(error.filename or "")).name or "a stored file"
    return Unavailable(
        f"{name} is missing from this server's storage: restore MEDIA_ROOT from a backup, "
        "or upload the file again."
    )
