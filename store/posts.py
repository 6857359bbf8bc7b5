"""The outbox: each Slack post is written here first and sent once, whatever crashes between.

A post stores what to say, not how it looks: a template and its data, rendered by delivery when
the post is sent. A card (`card`, `approval_card`) stores no data: it is rendered from its job's
or approval's state at that moment. Rows queued before migration 0007 carry the message as it
was rendered then (`rendered`), and are sent as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from store.db import dumps, loads

# A status card (ref: the job), a reply in a job's thread, an approval card (ref: the approval).
# An announcement is a status card for a job started outside the bot, sent as background work.
KINDS = ("card", "reply", "approval_card", "announcement")


@dataclass(frozen=True)
class PostRow:
    """One row of `posts`."""

    seq: int
    key: str
    channel_id: str
    thread_of: str | None
    kind: str
    ref: str | None
    template: str | None
    data_json: str | None
    rendered_json: str | None
    state: str
    ts: str | None
    error: str | None
    attempts: int
    created_at: float

    @property
    def data(self) -> dict[str, Any]:
        """Decoded only when the post is sent: most rows read are waiting their turn."""
        data: dict[str, Any] = loads(self.data_json, {})
        return data

    @property
    def rendered(self) -> dict[str, Any] | None:
        """The message as queued before the outbox kept templates (text and blocks), if so."""
        rendered: dict[str, Any] | None = loads(self.rendered_json)
        return rendered


COLUMNS = (
    "seq, key, channel_id, thread_of, kind, ref, template, data AS data_json, "
    "rendered AS rendered_json, state, ts, error, attempts, created_at"
)


def _row(raw: Any) -> PostRow:
    return PostRow(**{k: raw[k] for k in raw.keys()})  # noqa: SIM118 - a Row iterates values


def enqueue(
    db: Database,
    *,
    key: str,
    channel_id: str,
    kind: str,
    template: str,
    now: float,
    data: Mapping[str, Any] | None = None,
    ref: str | None = None,
    thread_of: str | None = None,
) -> bool:
    """Queue a post under a unique key; the same key twice is one post (False the second time).
    `data` must be plain JSON: it is rendered later, perhaps by another process."""
    if kind not in KINDS:
        raise ValueError(f"unknown post kind {kind!r}")
    if kind != "reply" and data is not None:
        raise ValueError("a card is rendered from its job or approval, not from stored data")
    cursor = db.execute(
        """INSERT OR IGNORE INTO posts (key, channel_id, thread_of, kind, ref, template, data,
           created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            key,
            channel_id,
            thread_of,
            kind,
            ref,
            template,
            None if data is None else dumps(data),
            now,
        ],
    )
    return cursor.rowcount == 1


@dataclass(frozen=True)
class Queued:
    """A pending post without what it says: what the sender needs to decide what goes next."""

    seq: int
    key: str
    channel_id: str
    thread_of: str | None
    kind: str
    ref: str | None
    created_at: float


def queued(db: Database, limit: int = 20_000) -> list[Queued]:
    """Every pending post, oldest first, its data left in the table (it is read only for the
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


def drop_channel(db: Database, channel_id: str, error: str) -> int:
    """Every post still waiting for a channel the bot cannot post in is given up on."""
    cursor = db.execute(
        "UPDATE posts SET state = 'dead', error = ? WHERE channel_id = ? AND state = 'pending'",
        [error, channel_id],
    )
    return cursor.rowcount


def get(db: Database, key: str) -> PostRow | None:
    raw = db.execute(f"SELECT {COLUMNS} FROM posts WHERE key = ?", [key]).fetchone()
    return None if raw is None else _row(raw)


def waiting(db: Database) -> int:
    """Posts waiting to be sent that someone waits for: all but announcements (background)."""
    raw = db.execute(
        "SELECT count(*) FROM posts WHERE state IN ('pending', 'sending') "
        "AND kind != 'announcement'"
    ).fetchone()
    return int(raw[0])


def backlog(db: Database) -> tuple[int, float | None]:
    """How many posts wait to be sent, and when the oldest of them was queued."""
    raw = db.execute(
        "SELECT count(*), min(created_at) FROM posts WHERE state IN ('pending', 'sending')"
    ).fetchone()
    return int(raw[0]), raw[1]
