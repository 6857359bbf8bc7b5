"""Schedules made from chat: their card's channel, who asked and approved, their state here, and
the last run of each the bot has announced (so a fired run is announced once)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from store.db import dumps, loads

# enabled: PE may still run it; cancelled: a person cancelled it (PE's soft delete);
# disabled: the bot disabled it because the policy now denies it; ended: a one-off that ran.
STATES = ("enabled", "cancelled", "disabled", "ended")


@dataclass(frozen=True)
class ScheduleRow:
    """One row of `schedules`."""

    name: str
    request_id: str | None
    channel_id: str
    requester: str
    approvers: tuple[str, ...]
    body: dict[str, Any]
    state: str
    reason: str | None
    ended_by: str | None
    last_run_at: str | None
    last_job: str | None
    created_at: float

    @property
    def key(self) -> str:
        """What its card's outbox key and its thread's posts hang off."""
        return thread_key(self.name)

    @property
    def environment(self) -> str:
        return str(self.body.get("environment") or "")


def thread_key(name: str) -> str:
    return f"schedule:{name}"


def _row(raw: Any) -> ScheduleRow:
    return ScheduleRow(
        name=raw["name"],
        request_id=raw["request_id"],
        channel_id=raw["channel_id"],
        requester=raw["requester"],
        approvers=tuple(loads(raw["approvers"], [])),
        body=loads(raw["body"], {}),
        state=raw["state"],
        reason=raw["reason"],
        ended_by=raw["ended_by"],
        last_run_at=raw["last_run_at"],
        last_job=raw["last_job"],
        created_at=raw["created_at"],
    )


def create(
    db: Database,
    *,
    name: str,
    request_id: str | None,
    channel_id: str,
    requester: str,
    approvers: list[str],
    body: dict[str, Any],
    now: float,
) -> bool:
    """Record a schedule; False if it was recorded already (a restart adopting it again)."""
    cursor = db.execute(
        """INSERT OR IGNORE INTO schedules (name, request_id, channel_id, requester, approvers,
           body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        [name, request_id, channel_id, requester, dumps(approvers), dumps(body), now, now],
    )
    return cursor.rowcount == 1


def get(db: Database, name: str) -> ScheduleRow | None:
    raw = db.execute("SELECT * FROM schedules WHERE name = ?", [name]).fetchone()
    return None if raw is None else _row(raw)


def in_state(db: Database, state: str = "enabled") -> list[ScheduleRow]:
    rows = db.execute(
        "SELECT * FROM schedules WHERE state = ? ORDER BY created_at", [state]
    ).fetchall()
    return [_row(r) for r in rows]


def all_names(db: Database) -> set[str]:
    """Every schedule the bot made, whatever its state: their runs are the bot's own."""
    return {str(r[0]) for r in db.execute("SELECT name FROM schedules")}


def names_by(db: Database, requester: str) -> set[str]:
    """The schedules this person asked for through the bot (`/schedule list --mine`)."""
    rows = db.execute("SELECT name FROM schedules WHERE requester = ?", [requester]).fetchall()
    return {str(r[0]) for r in rows}


def end(db: Database, name: str, state: str, *, by: str, reason: str, now: float) -> bool:
    """Compare-and-set from enabled: True only for the one caller that ended it."""
    if state not in STATES:
        raise ValueError(f"unknown schedule state {state!r}")
    cursor = db.execute(
        """UPDATE schedules SET state = ?, ended_by = ?, reason = ?, updated_at = ?
           WHERE name = ? AND state = 'enabled'""",
        [state, by, reason, now, name],
    )
    return cursor.rowcount == 1


def saw_run(db: Database, name: str, run_at: str, job: str | None, now: float) -> bool:
    """Compare-and-set the last run seen: True only the first time this run is seen."""
    cursor = db.execute(
        """UPDATE schedules SET last_run_at = ?, last_job = ?, updated_at = ?
           WHERE name = ? AND (last_run_at IS NULL OR last_run_at != ?)""",
        [run_at, job, now, name, run_at],
    )
    return cursor.rowcount == 1


def made_as(db: Database) -> dict[str, str]:
    """Who PE saw make each of the bot's schedules: `person` or `service` (requests from before
    person identity existed, migration 0009, were all sent as the service account)."""
    rows = db.execute(
        """SELECT s.name, COALESCE(r.pe_mode, 'service') FROM schedules s
           JOIN requests r ON r.id = s.request_id"""
    ).fetchall()
    return {str(r[0]): str(r[1]) for r in rows}


def enabled_by(db: Database, requester: str) -> list[tuple[ScheduleRow, str | None]]:
    """This person's schedules PE may still run, oldest first, each with the text of the
    request that made it (their Home tab): one query, however many there are."""
    rows = db.execute(
        """SELECT s.*, r.text AS asked FROM schedules s LEFT JOIN requests r ON r.id = s.request_id
           WHERE s.requester = ? AND s.state = 'enabled' ORDER BY s.created_at""",
        [requester],
    ).fetchall()
    return [(_row(r), r["asked"]) for r in rows]
