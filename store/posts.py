"""The outbox: each Slack post is written here first and sent once, whatever crashes between."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from render.blocks import Message
from store.db import dumps, loads

KINDS = ("card", "reply", "approval_card", "note")


@dataclass(frozen=True)
class PostRow:
    """One row of `posts`."""

    seq: int
    key: str
    channel_id: str
    thread_of: str | None
    kind: str
    ref: str | None
    payload_json: str
    state: str
    ts: str | None
    error: str | None
    attempts: int
    created_at: float

    @property
    def payload(self) -> dict[str, Any]:
        """Decoded only when the post is sent: most rows read are waiting their turn."""
        return loads(self.payload_json)


COLUMNS = (
    "seq, key, channel_id, thread_of, kind, ref, payload AS payload_json, state, ts, "
    "error, attempts, created_at"
)


def _row(raw: Any) -> PostRow:
    return PostRow(**{k: raw[k] for k in raw.keys()})  # noqa: SIM118 - a Row iterates values


def enqueue(
    db: Database,
    *,
    key: str,
    channel_id: str,
    message: Message,
    kind: str,
    now: float,
    ref: str | None = None,
    thread_of: str | None = None,
) -> bool:
    """Queue a post under a unique key; the same key twice is one post (False the second time)."""
    if kind not in KINDS:
        raise ValueError(f"unknown post kind {kind!r}")
    cursor = db.execute(
        """INSERT OR IGNORE INTO posts (key, channel_id, thread_of, kind, ref, payload, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [key, channel_id, thread_of, kind, ref, dumps(message.payload()), now],
    )
    return cursor.rowcount == 1


def pending(db: Database, limit: int = 500) -> list[PostRow]:
    rows = db.execute(
        f"SELECT {COLUMNS} FROM posts WHERE state = 'pending' ORDER BY seq LIMIT ?", [limit]
    ).fetchall()
    return [_row(r) for r in rows]


@dataclass(frozen=True)
class Queued:
    """A pending post without its payload: what the sender needs to decide what goes next."""

    seq: int
    key: str
    channel_id: str
    thread_of: str | None
    kind: str
    ref: str | None
    created_at: float


def queued(db: Database, limit: int = 20_000) -> list[Queued]:
    """Every pending post, oldest first, payloads left in the table (they are read only for the
    post about to be sent)."""
    rows = db.execute(
        "SELECT seq, key, channel_id, thread_of, kind, ref, created_at FROM posts "
        "WHERE state = 'pending' ORDER BY seq LIMIT ?",
        [limit],
    ).fetchall()
    return [Queued(*r) for r in rows]


def by_seq(db: Database, seq: int) -> PostRow | None:
    raw = db.execute(f"SELECT {COLUMNS} FROM posts WHERE seq = ?", [seq]).fetchone()
    return None if raw is None else _row(raw)


def in_flight(db: Database) -> list[PostRow]:
    """Posts claimed for sending but never settled: a crash happened mid-send."""
    return [_row(r) for r in db.execute(f"SELECT {COLUMNS} FROM posts WHERE state = 'sending'")]


def claim(db: Database, seq: int) -> bool:
    cursor = db.execute(
        "UPDATE posts SET state = 'sending', attempts = attempts + 1 "
        "WHERE seq = ? AND state = 'pending'",
        [seq],
    )
    return cursor.rowcount == 1


def settle(
    db: Database,
    seq: int,
    *,
    state: str,
    now: float,
    ts: str | None = None,
    error: str | None = None,
) -> None:
    if state not in ("pending", "sent", "dead"):
        raise ValueError(f"cannot settle a post as {state!r}")
    db.execute(
        "UPDATE posts SET state = ?, ts = coalesce(?, ts), error = ?, sent_at = ? WHERE seq = ?",
        [state, ts, error, now if state == "sent" else None, seq],
    )


def get(db: Database, key: str) -> PostRow | None:
    raw = db.execute(f"SELECT {COLUMNS} FROM posts WHERE key = ?", [key]).fetchone()
    return None if raw is None else _row(raw)


def backlog(db: Database) -> tuple[int, float | None]:
    """How many posts wait to be sent, and when the oldest of them was queued."""
    raw = db.execute(
        "SELECT count(*), min(created_at) FROM posts WHERE state IN ('pending', 'sending')"
    ).fetchone()
    return int(raw[0]), raw[1]
