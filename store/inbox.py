"""The inbox: slash commands stored before the ack leaves, marked done once acted on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from store.db import dumps, loads


def receive(db: Database, command_id: str, payload: Mapping[str, Any], now: float) -> None:
    """On the ack path: run through Store.journal, in a group commit."""
    db.conn.execute(
        "INSERT INTO inbox (id, received_at, payload) VALUES (?, ?, ?)",
        (command_id, now, dumps(dict(payload))),
    )


def done(db: Database, command_id: str) -> bool:
    cursor = db.execute(
        "UPDATE inbox SET state = 'done' WHERE id = ? AND state = 'received'", [command_id]
    )
    return cursor.rowcount == 1


def unfinished(db: Database) -> list[tuple[str, float, dict[str, Any]]]:
    rows = db.execute(
        "SELECT id, received_at, payload FROM inbox WHERE state = 'received' ORDER BY received_at"
    )
    return [(r["id"], r["received_at"], loads(r["payload"])) for r in rows]


def first_sight(db: Database, signature: str, now: float, keep: float) -> bool:
    """Record a request signature; False if it was seen before (a replay). On the ack path,
    run through Store.journal. Signatures are kept longer than Bolt accepts a timestamp, so one
    forgotten by housekeeping could not be replayed anyway."""
    cursor = db.conn.execute(
        "INSERT OR IGNORE INTO seen_requests (signature, expires_at) VALUES (?, ?)",
        (signature, now + keep),
    )
    return cursor.rowcount == 1


def forget_old(db: Database, now: float) -> None:
    db.execute("DELETE FROM seen_requests WHERE expires_at <= ?", [now])
    db.execute("DELETE FROM inbox WHERE state = 'done' AND received_at <= ?", [now - 86_400])
