"""Followed jobs: where each card lives, how far its events were read, what each node ended with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from model.failures import NodeFailure
from model.snapshot import Snapshot
from store.db import dumps, loads

KINDS = ("job", "plan_job")


def job_key(kind: str, name: str) -> str:
    """Deploy/task jobs and plan jobs are numbered separately, so keys carry the kind."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    return f"{'plan' if kind == 'plan_job' else 'job'}:{name}"


@dataclass(frozen=True)
class JobRow:
    """One row of `jobs`."""

    id: str
    kind: str
    name: str
    command: str
    request_id: str | None
    channel_id: str
    card_ts: str | None
    requester: str
    endpoint: str
    body: dict[str, Any]
    state: str
    done: bool
    cursor: int
    snapshot: Snapshot
    card_version: int
    card_sent_version: int
    card_sent_at: float | None
    created_at: float
    next_poll_at: float
    finished_at: float | None
    contact: str
    poll_errors: int
    failures_pending: tuple[NodeFailure, ...]
    last_failure_post_at: float | None
    failure_posts: int
    # A job started outside the bot whose task output is withheld from the channel.
    withheld: bool = False


def _row(raw: Any) -> JobRow:
    data = dict(raw)
    data["body"] = loads(data["body"])
    data["snapshot"] = Snapshot.from_json(loads(data["snapshot"], {}))
    data["failures_pending"] = tuple(
        NodeFailure.from_json(f) for f in loads(data["failures_pending"], [])
    )
    data["done"] = bool(data["done"])
    data["withheld"] = bool(data.get("withheld") or 0)
    return JobRow(**data)


def create(
    db: Database,
    *,
    kind: str,
    name: str,
    command: str,
    request_id: str | None,
    channel_id: str,
    requester: str,
    endpoint: str,
    body: dict[str, Any],
    snapshot: Snapshot,
    now: float,
    card_ts: str | None = None,
    withheld: bool = False,
) -> JobRow:
    key = job_key(kind, name)
    db.execute(
        """INSERT INTO jobs (id, kind, name, command, request_id, channel_id, card_ts, requester,
           endpoint, body, state, snapshot, created_at, next_poll_at, withheld)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            key,
            kind,
            name,
            command,
            request_id,
            channel_id,
            card_ts,
            requester,
            endpoint,
            dumps(body),
            snapshot.state,
            dumps(snapshot.to_json()),
            now,
            now,
            int(withheld),
        ],
    )
    found = get(db, key)
    assert found is not None
    return found


def get(db: Database, key: str) -> JobRow | None:
    raw = db.execute("SELECT * FROM jobs WHERE id = ?", [key]).fetchone()
    return None if raw is None else _row(raw)


def due(db: Database, now: float, limit: int = 1000) -> list[str]:
    """Keys of the jobs due for a poll; each poll loads its own row, fresh, when it starts."""
    rows = db.execute(
        "SELECT id FROM jobs WHERE done = 0 AND next_poll_at <= ? ORDER BY next_poll_at LIMIT ?",
        [now, limit],
    ).fetchall()
    return [r["id"] for r in rows]


def next_due(db: Database, after: float) -> float | None:
    """When the next running job falls due for a poll, later than `after` (None: none will)."""
    raw = db.execute(
        "SELECT min(next_poll_at) FROM jobs WHERE done = 0 AND next_poll_at > ?", [after]
    ).fetchone()
    return None if raw is None or raw[0] is None else float(raw[0])


def card_ts(db: Database, key: str) -> str | None:
    """Where a job's card is (None until it is posted), without reading the whole row."""
    raw = db.execute("SELECT card_ts FROM jobs WHERE id = ?", [key]).fetchone()
    return None if raw is None else raw[0]


def running_for(db: Database, user_id: str, limit: int = 10) -> list[JobRow]:
    """A person's jobs still followed, newest first (their Home tab)."""
    rows = db.execute(
        "SELECT * FROM jobs WHERE requester = ? AND done = 0 ORDER BY created_at DESC LIMIT ?",
        [user_id, limit],
    ).fetchall()
    return [_row(r) for r in rows]


def followed_count(db: Database) -> int:
    return int(db.execute("SELECT count(*) FROM jobs WHERE done = 0").fetchone()[0])


def update(db: Database, key: str, **fields: Any) -> None:
    if "snapshot" in fields:
        fields["snapshot"] = fields["snapshot"].to_json()
    if "failures_pending" in fields:
        fields["failures_pending"] = [f.to_json() for f in fields["failures_pending"]]
    encoded = {
        k: dumps(v) if k in ("snapshot", "failures_pending", "body") else v
        for k, v in fields.items()
    }
    if "done" in encoded:
        encoded["done"] = int(bool(encoded["done"]))
    sets = ", ".join(f"{k} = ?" for k in encoded)
    db.execute(f"UPDATE jobs SET {sets} WHERE id = ?", [*encoded.values(), key])


def card_edits_due(
    db: Database, now: float, min_gap: float, limit: int = 8
) -> list[tuple[Any, ...]]:
    """(id, channel, done, last edit, created) of the cards next in line for an edit: content
    moved since the last edit, none in the last `min_gap` s; final states first, then the card
    left longest without an edit. Few rows, no snapshots: the sender looks every edit slot."""
    return [
        tuple(r)
        for r in db.execute(
            """SELECT id, channel_id, done, card_sent_at, created_at FROM jobs
               WHERE card_version > card_sent_version AND card_ts IS NOT NULL
               AND coalesce(card_sent_at, 0) <= ?
               ORDER BY done DESC, coalesce(card_sent_at, created_at) LIMIT ?""",
            [now - min_gap, limit],
        )
    ]


def cards_behind(db: Database) -> int:
    """Cards whose last edit does not show what the store knows."""
    return int(
        db.execute(
            "SELECT count(*) FROM jobs WHERE card_ts IS NOT NULL "
            "AND card_version > card_sent_version"
        ).fetchone()[0]
    )


def card_sent(db: Database, key: str, version: int, now: float) -> None:
    db.execute(
        """UPDATE jobs SET card_sent_version = max(card_sent_version, ?), card_sent_at = ?
           WHERE id = ?""",
        [version, now, key],
    )


NodeRow = tuple[str, str, float, str, int, Any, Any]  # node, state, at, message, changes, …


def record_nodes(db: Database, key: str, rows: list[NodeRow]) -> None:
    """How nodes ended, one statement for a whole poll's worth (polls are the hot path)."""
    db.conn.executemany(
        """INSERT INTO job_nodes (job_id, node, state, at, message, changes, resources, result)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (job_id, node) DO UPDATE SET state = excluded.state, at = excluded.at,
           message = excluded.message, changes = excluded.changes,
           resources = excluded.resources, result = excluded.result""",
        [
            (
                key,
                node,
                state,
                at,
                message,
                changes,
                None if resources is None else dumps(resources),
                None if result is None else dumps(result),
            )
            for node, state, at, message, changes, resources, result in rows
        ],
    )


def nodes(
    db: Database, key: str, states: tuple[str, ...] | None = None, limit: int = 10_000
) -> list[dict[str, Any]]:
    where, args = "job_id = ?", [key]
    if states:
        where += f" AND state IN ({', '.join('?' for _ in states)})"
        args += list(states)
    rows = db.execute(
        f"SELECT * FROM job_nodes WHERE {where} ORDER BY node LIMIT ?", [*args, limit]
    ).fetchall()
    return [
        {**dict(r), "resources": loads(r["resources"]), "result": loads(r["result"])} for r in rows
    ]


def node_totals(db: Database, key: str) -> dict[str, Any]:
    """Counts by final state and how many nodes reported changes."""
    counts = {
        r["state"]: r["n"]
        for r in db.execute(
            "SELECT state, count(*) AS n FROM job_nodes WHERE job_id = ? GROUP BY state", [key]
        )
    }
    changed = db.execute(
        "SELECT count(*) FROM job_nodes WHERE job_id = ? AND changes > 0", [key]
    ).fetchone()[0]
    return {"counts": counts, "changed_nodes": changed}


def resource_totals(db: Database, key: str, names: tuple[str, ...]) -> dict[str, int]:
    """Resource metrics summed over the job's nodes (each node counted once, as it ended)."""
    sums = ", ".join(f"sum(json_extract(resources, '$.{n}'))" for n in names)
    row = db.execute(
        f"SELECT {sums} FROM job_nodes WHERE job_id = ? AND resources IS NOT NULL", [key]
    ).fetchone()
    return {n: int(v or 0) for n, v in zip(names, row, strict=True)}
