"""`manage.py check --deploy`: DDEX messages name a real sender and recipient."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from releases.ddex.export import PLACEHOLDER_PREFIX

SETTINGS = ["DDEX_SENDER_DPID", "DDEX_SENDER_NAME", "DDEX_RECIPIENT_DPID", "DDEX_RECIPIENT_NAME"]


@checks.register("ddex", deploy=True)
def ddex_parties_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Without a sender and recipient the DDEX endpoints answer 503; with the placeholders the
    messages say TestMessage and no store will ingest them."""
    missing = [name for name in SETTINGS if not str(getattr(settings, name, "") or "").strip()]
    placeholders = [
        name
        for name in ("DDEX_SENDER_DPID", "DDEX_RECIPIENT_DPID")
        if str(getattr(settings, name, "") or "").startswith(PLACEHOLDER_PREFIX)
    ]
    found: list[checks.CheckMessage] = []
    if missing:
        found.append(
            checks.Warning(
                f"{', '.join(missing)} not set: DDEX exports and delivery packages answer 503.",
                hint="Set the label's DDEX Party ID (DPID, dpid.ddex.net) and name, and the "
                "distributor's, in the environment.",
                id="releases.W001",
            )
        )
    if placeholders:
        found.append(
            checks.Warning(
                f"{', '.join(placeholders)} is a test placeholder: messages are TestMessages.",
                hint="Set the real DPIDs in the environment.",
                id="releases.W002",
            )
        )
    return found
