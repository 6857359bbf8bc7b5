"""Approvals: pending until decided once, by compare-and-set; votes counted for N-of-M."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from store.db import dumps, loads


@dataclass(frozen=True)
class ApprovalRow:
    """One row of `approvals`."""

    id: str
    request_id: str
    channel_id: str
    card_ts: str | None
    state: str
    requester: str
    approvers: dict[str, list[str]]
    required: int
    self_approval: bool
    rule: str
    created_at: float
    expires_at: float
    decided_by: str | None
    decided_at: float | None
    reason: str | None
    card_version: int
    card_sent_version: int
    card_sent_at: float | None
    fingerprint: str | None = None


def _row(raw: Any) -> ApprovalRow:
    data = dict(raw)
    data["approvers"] = loads(data["approvers"], {})
    data["self_approval"] = bool(data["self_approval"])
    return ApprovalRow(**data)


def create(
    db: Database,
    *,
    id: str,
    request_id: str,
    channel_id: str,
    requester: str,
    approvers: dict[str, list[str]],
    required: int,
    self_approval: bool,
    rule: str,
    now: float,
    expires_at: float,
    fingerprint: str | None = None,
) -> ApprovalRow:
    db.execute(
        """INSERT INTO approvals (id, request_id, channel_id, state, requester, approvers,
           required, self_approval, rule, created_at, expires_at, fingerprint)
           VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            id,
            request_id,
            channel_id,
            requester,
            dumps(approvers),
            required,
            int(self_approval),
            rule,
            now,
            expires_at,
            fingerprint,
        ],
    )
    found = get(db, id)
    assert found is not None
    return found


def get(db: Database, approval_id: str) -> ApprovalRow | None:
    raw = db.execute("SELECT * FROM approvals WHERE id = ?", [approval_id]).fetchone()
    return None if raw is None else _row(raw)


def for_request(db: Database, request_id: str) -> ApprovalRow | None:
    raw = db.execute("SELECT * FROM approvals WHERE request_id = ?", [request_id]).fetchone()
    return None if raw is None else _row(raw)


def add_vote(db: Database, approval_id: str, user_id: str, now: float) -> bool:
    """Record one approver's vote; False if they had already voted."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO approval_votes (approval_id, user_id, at) VALUES (?, ?, ?)",
        [approval_id, user_id, now],
    )
    return cursor.rowcount == 1


def votes(db: Database, approval_id: str) -> list[str]:
    rows = db.execute(
        "SELECT user_id FROM approval_votes WHERE approval_id = ? ORDER BY at, user_id",
        [approval_id],
    )
    return [r["user_id"] for r in rows]


def decide(
    db: Database, approval_id: str, *, state: str, by: str, now: float, reason: str | None = None
) -> bool:
    """Move a pending, unexpired approval to `state`; True only for the one caller that did."""
    if state not in ("approved", "rejected", "expired"):
        raise ValueError(f"not a decision: {state!r}")
    unexpired = "" if state == "expired" else "AND expires_at > ?"
    args: list[Any] = [state, by, now, reason, approval_id]
    if unexpired:
        args.append(now)
    cursor = db.execute(
        f"""UPDATE approvals SET state = ?, decided_by = ?, decided_at = ?, reason = ?,
            card_version = card_version + 1
            WHERE id = ? AND state = 'pending' {unexpired}""",
        args,
    )
    return cursor.rowcount == 1


def pending(db: Database, now: float) -> list[ApprovalRow]:
    """Approvals still open now, oldest first (the Home tabs show them)."""
    rows = db.execute(
        "SELECT * FROM approvals WHERE state = 'pending' AND expires_at > ? ORDER BY created_at",
        [now],
    ).fetchall()
    return [_row(r) for r in rows]


def due_to_expire(db: Database, now: float) -> list[ApprovalRow]:
    rows = db.execute(
        "SELECT * FROM approvals WHERE state = 'pending' AND expires_at <= ?", [now]
    ).fetchall()
    return [_row(r) for r in rows]


def set_card(db: Database, approval_id: str, ts: str) -> None:
    db.execute("UPDATE approvals SET card_ts = ? WHERE id = ?", [ts, approval_id])


def bump_card(db: Database, approval_id: str) -> None:
    db.execute("UPDATE approvals SET card_version = card_version + 1 WHERE id = ?", [approval_id])


def hand_card_to_job(db: Database, approval_id: str) -> None:
    """The card now belongs to the job: no more approval edits may overwrite it."""
    db.execute("UPDATE approvals SET card_sent_version = card_version WHERE id = ?", [approval_id])


def cards_to_update(db: Database, now: float, min_gap: float) -> list[ApprovalRow]:
    rows = db.execute(
        """SELECT * FROM approvals WHERE card_ts IS NOT NULL
           AND card_version > card_sent_version
           AND (card_sent_at IS NULL OR card_sent_at <= ?) ORDER BY card_sent_at""",
        [now - min_gap],
    ).fetchall()
    return [_row(r) for r in rows]


def card_sent(db: Database, approval_id: str, version: int, now: float) -> None:
    db.execute(
        """UPDATE approvals SET card_sent_version = max(card_sent_version, ?), card_sent_at = ?
           WHERE id = ?""",
        [version, now, approval_id],
    )


def cards_lost(db: Database) -> list[tuple[str, str]]:
    """(id, why) of each pending approval whose card the outbox gave up on: it could not be
    rendered, or Slack refused it. Such a request can never be decided."""
    rows = db.execute(
        """SELECT a.id, coalesce(p.error, 'unknown') FROM approvals a
           JOIN posts p ON p.key = 'approval:' || a.id || '/card'
           WHERE a.state = 'pending' AND p.state = 'dead'"""
    ).fetchall()
    return [(r[0], r[1]) for r in rows]
