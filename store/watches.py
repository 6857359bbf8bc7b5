"""Channels watching environments for jobs started outside the bot, and how far the bot has
looked (the newest job and plan job numbers seen), so a job is never announced twice."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

ALL = "*"
KINDS = ("job", "plan_job")


@dataclass(frozen=True)
class Watch:
    channel_id: str
    environment: str  # `*`: every environment
    user_id: str
    created_at: float


def add(db: Database, channel_id: str, environment: str, user_id: str, now: float) -> bool:
    """Subscribe the channel; False if it already was."""
    cursor = db.execute(
        """INSERT OR IGNORE INTO watches (channel_id, environment, user_id, created_at)
           VALUES (?, ?, ?, ?)""",
        [channel_id, environment, user_id, now],
    )
    return cursor.rowcount == 1


def remove(db: Database, channel_id: str, environment: str) -> bool:
    cursor = db.execute(
        "DELETE FROM watches WHERE channel_id = ? AND environment = ?", [channel_id, environment]
    )
    return cursor.rowcount == 1


def of_channel(db: Database, channel_id: str) -> list[Watch]:
    rows = db.execute(
        "SELECT * FROM watches WHERE channel_id = ? ORDER BY environment", [channel_id]
    ).fetchall()
    return [Watch(**dict(r)) for r in rows]


def every(db: Database) -> list[Watch]:
    rows = db.execute("SELECT * FROM watches ORDER BY created_at, channel_id").fetchall()
    return [Watch(**dict(r)) for r in rows]


def watcher_of(watching: list[Watch], environment: str) -> Watch | None:
    """The subscription a job in `environment` is announced under: the oldest naming that
    environment, else the oldest to `*`; None when nobody watches it."""
    named = [w for w in watching if w.environment == environment]
    starred = [w for w in watching if w.environment == ALL]
    chosen = named or starred
    return chosen[0] if chosen else None


def last_seen(db: Database, kind: str) -> int | None:
    raw = db.execute("SELECT last_seen FROM watch_cursor WHERE kind = ?", [kind]).fetchone()
    return None if raw is None else int(raw[0])


def saw(db: Database, kind: str, number: int) -> None:
    """Move the cursor forward (never back)."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    db.execute(
        """INSERT INTO watch_cursor (kind, last_seen) VALUES (?, ?)
           ON CONFLICT(kind) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)""",
        [kind, number],
    )


def reset(db: Database, kind: str, number: int) -> None:
    """Start looking after `number` (a first subscription: older jobs are history)."""
    db.execute(
        """INSERT INTO watch_cursor (kind, last_seen) VALUES (?, ?)
           ON CONFLICT(kind) DO UPDATE SET last_seen = excluded.last_seen""",
        [kind, number],
    )
