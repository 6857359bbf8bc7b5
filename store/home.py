"""Home tabs: who opened theirs and when, and what the bot last published there."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database


@dataclass(frozen=True)
class HomeTab:
    """One person's Home tab as the bot knows it."""

    user_id: str
    opened_at: float
    view_id: str | None
    digest: str | None
    approvals: tuple[str, ...]
    published_at: float | None


def _row(raw: Any) -> HomeTab:
    shown = json.loads(raw["approvals"] or "[]")
    return HomeTab(
        user_id=raw["user_id"],
        opened_at=raw["opened_at"],
        view_id=raw["view_id"],
        digest=raw["digest"],
        approvals=tuple(str(a) for a in shown) if isinstance(shown, list) else (),
        published_at=raw["published_at"],
    )


def opened(db: Database, user_id: str, now: float) -> None:
    """The person opened their Home tab (app_home_opened)."""
    db.execute(
        """INSERT INTO home_tabs (user_id, opened_at) VALUES (?, ?)
           ON CONFLICT(user_id) DO UPDATE SET opened_at = excluded.opened_at""",
        [user_id, now],
    )


def get(db: Database, user_id: str) -> HomeTab | None:
    raw = db.execute("SELECT * FROM home_tabs WHERE user_id = ?", [user_id]).fetchone()
    return None if raw is None else _row(raw)


def recent(db: Database, since: float) -> list[HomeTab]:
    """Tabs opened at or after `since`, the longest unpublished first."""
    rows = db.execute(
        """SELECT * FROM home_tabs WHERE opened_at >= ?
           ORDER BY coalesce(published_at, 0), user_id""",
        [since],
    ).fetchall()
    return [_row(r) for r in rows]


def published(
    db: Database,
    user_id: str,
    *,
    view_id: str,
    digest: str,
    approvals: tuple[str, ...],
    now: float,
) -> None:
    db.execute(
        """UPDATE home_tabs SET view_id = ?, digest = ?, approvals = ?, published_at = ?
           WHERE user_id = ?""",
        [view_id, digest, json.dumps(list(approvals)), now, user_id],
    )
