"""DDEX ERN 4.3: NewReleaseMessages made from releases (`export`), read into plain data for
the import (`parse`), both checked against DDEX's schema (`schema`); roles and instruments in
DDEX's words (`roles`); the deploy check on the message parties (`checks`)."""

from releases.ddex.export import (
    DeliveryFile,
    MessageParty,
    PartiesNotConfigured,
    cover_uri,
    message_parties,
    new_release_message,
)
from releases.ddex.parse import ParsedCredit, ParsedRelease, ParsedTrack, parse_message
from releases.ddex.roles import CONTRIBUTOR_ROLES
from releases.ddex.schema import NS, XSI, allowed_values, schema, validate

__all__ = [
    "CONTRIBUTOR_ROLES",
    "NS",
    "XSI",
    "DeliveryFile",
    "MessageParty",
    "ParsedCredit",
    "ParsedRelease",
    "ParsedTrack",
    "PartiesNotConfigured",
    "allowed_values",
    "cover_uri",
    "message_parties",
    "new_release_message",
    "parse_message",
    "schema",
    "validate",
]
