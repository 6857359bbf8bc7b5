"""Modals the bot opened: a view submission or a click inside a view is accepted only for a
view recorded here, for the same person, and about what was recorded (not what it carries)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

KEPT = 86_400.0


@dataclass(frozen=True)
class OpenedView:
    """One view the bot opened (views.open) for a person."""

    id: str
    user_id: str
    kind: str
    ref: str
    channel_id: str | None
    created_at: float


def record(
    db: Database,
    *,
    view_id: str,
    user_id: str,
    kind: str,
    ref: str,
    channel_id: str | None,
    now: float,
) -> None:
    db.execute(
        """INSERT OR REPLACE INTO views (id, user_id, kind, ref, channel_id, created_at)
           VALUES (?, ?, ?, ?, ?, ?)""",
        [view_id, user_id, kind, ref, channel_id, now],
    )


def opened(db: Database, view_id: str, user_id: str, kind: str) -> OpenedView | None:
    """The view, if the bot opened it for this person for this purpose."""
    raw = db.execute(
        "SELECT * FROM views WHERE id = ? AND user_id = ? AND kind = ?", [view_id, user_id, kind]
    ).fetchone()
    return None if raw is None else OpenedView(**dict(raw))


def forget_old(db: Database, now: float) -> None:
    db.execute("DELETE FROM views WHERE created_at <= ?", [now - KEPT])
