"""Setting a caller's changes on a model, by the names a TypedDict allows."""

from __future__ import annotations

from collections.abc import Mapping


def assign_details(target: object, details: Mapping[str, object], allowed: type) -> None:
    """Set ``details`` on ``target``, refusing any name ``allowed`` (a TypedDict) lacks: the
    types say so to mypy, this says so to a caller that passes a dict."""
    unknown = set(details) - set(allowed.__annotations__)
    if unknown:
        raise TypeError(f"Not settable here: {', '.join(sorted(unknown))}.")
    for name, value in details.items():
        setattr(target, name, value)
