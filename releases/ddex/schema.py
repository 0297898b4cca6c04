"""DDEX's ERN 4.3 schema: validation of whole messages, and the allowed values it enumerates."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings
from lxml import etree

from core.errors import Unavailable

NS = "http://ddex.net/xml/ern/43"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
_XS = "{http://www.w3.org/2001/XMLSchema}"


FIX = (
    "set DDEX_SCHEMA_DIR to a folder holding DDEX's release-notification.xsd and "
    "allowed-value-sets.xsd, or restore releases/ddex_schema/ from the repository"
)


def _read(name: str) -> etree._ElementTree:
    """One of DDEX's files from DDEX_SCHEMA_DIR; missing or unreadable, a 503 saying where it
    was looked for: no message leaves unvalidated, and none is a 500."""
    folder = Path(settings.DDEX_SCHEMA_DIR)
    if not (folder / name).is_file():
        raise Unavailable(f"DDEX's ERN 4.3 schema is missing (no {name} in {folder}): {FIX}.")
    try:
        return etree.parse(str(folder / name))
    except (OSError, etree.XMLSyntaxError) as error:
        raise Unavailable(f"DDEX's {name} in {folder} cannot be read ({error}): {FIX}.") from error


@cache
def schema() -> etree.XMLSchema:
    """DDEX's schema, loaded once per process (it takes a while)."""
    document = _read("release-notification.xsd")
    try:
        return etree.XMLSchema(document)
    except etree.XMLSchemaParseError as error:  # the value sets it imports are missing or bad
        raise Unavailable(f"DDEX's ERN 4.3 schema cannot be loaded ({error}): {FIX}.") from error


def validate(document: etree._ElementTree) -> list[str]:
    """The schema's complaints about a message, empty when it validates."""
    checker = schema()
    if checker.validate(document):
        return []
    # The schema's enumeration errors list hundreds of allowed values: keep the start.
    return [f"line {error.line}: {error.message[:300]}" for error in checker.error_log]


@cache
def allowed_values(name: str) -> tuple[str, ...]:
    """An enumeration of allowed-value-sets.xsd (InstrumentType, ContributorRole ...), read from
    DDEX's file rather than copied, so a newer AVS version brings its new values along."""
    tree = _read("allowed-value-sets.xsd")
    for simple_type in tree.iter(f"{_XS}simpleType"):
        if simple_type.get("name") == name:
            return tuple(e.get("value", "") for e in simple_type.iter(f"{_XS}enumeration"))
    raise LookupError(f"DDEX's allowed values have no {name}.")


def sub(
    parent: etree._Element, tag: str, text: str | None = None, **attributes: str
) -> etree._Element:
    """A child element; ERN 4.3 puts only the root in its namespace."""
    element = etree.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def text(element: etree._Element | None, path: str) -> str:
    """The stripped text at `path` under `element`, or an empty string."""
    if element is None:
        return ""
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""
