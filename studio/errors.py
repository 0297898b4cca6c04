"""Domain errors the services raise; the API turns them into responses (studio.api_base),
the pages too (studio.middleware)."""

from pathlib import Path


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
    file): HTTP 503, never a 500. The message names what is missing and how to fix it."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def missing_file(error: FileNotFoundError) -> Unavailable:
    """A file the database names but the disk has lost (a restore without media, a deleted
    folder). Only its name is told: the path is the server's business."""
    name = Path(str(error.filename or "")).name or "a stored file"
    return Unavailable(
        f"{name} is missing from this server's storage: restore MEDIA_ROOT from a backup, "
        "or upload the file again."
    )
