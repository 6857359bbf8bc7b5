"""trigger_ids: shaped like Slack's, carrying the time they were issued so expiry can be told."""

from __future__ import annotations

import re
import secrets
import time

# A trigger_id opens a view within 3 seconds of the interaction that carried it, once
# (views.open reference: expired_trigger_id, exchanged_trigger_id; modals guide).
TRIGGER_LIFETIME = 3.0
_TRIGGER = re.compile(r"([0-9]+)\.([0-9]+)\.([0-9a-f]+)")


def new_trigger_id(issued_at: float | None = None) -> str:
    """A fresh id shaped like Slack's ("13345224609.738474920.8088930838d88f008e0").

    Its first part is when it was issued (epoch milliseconds, now unless `issued_at` says
    otherwise): that is how the fake tells an expired trigger from a fresh one.
    """
    at = time.time() if issued_at is None else issued_at
    return f"{int(at * 1000)}.{secrets.randbelow(10**9)}.{secrets.token_hex(16)}"


def issued_at(trigger_id: str) -> float | None:
    """When a trigger_id was issued (epoch seconds); None when it is not shaped like Slack's
    ("132456.7890123.abcdef"), which Slack answers with invalid_trigger_id."""
    found = _TRIGGER.fullmatch(trigger_id or "")
    return int(found.group(1)) / 1000 if found else None
