"""DDEX's ERN 4.3 schema: validation of whole messages, and the allowed values it enumerates."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings
from lxml import etree

NS = "http://ddex.net/xml/ern/43"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
_XS = "{http://www.w3.org/2001/XMLSchema}"


@cache
def schema() -> etree.XMLSchema:
    """DDEX's schema, loaded once per process (it takes a while)."""
    path = Path(settings.DDEX_SCHEMA_DIR) / "release-notification.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


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
    path = Path(settings.DDEX_SCHEMA_DIR) / "allowed-value-sets.xsd"
    tree = etree.parse(str(path))
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
