"""Requests: a command as typed, the exact body that will be sent, and its state."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from orchestrator.requests import CommandRequest, request_from_body
from store.db import dumps, loads


def fingerprint(endpoint: str, body: dict[str, Any]) -> str:
    """A short digest of exactly what will be sent, shown on approval cards."""
    return hashlib.sha256(f"{endpoint}\n{dumps(body)}".encode()).hexdigest()[:10]


@dataclass(frozen=True)
class RequestRow:
    """One row of `requests`."""

    id: str
    created_at: float
    channel_id: str
    user_id: str
    command: str
    text: str
    endpoint: str
    body: dict[str, Any]
    fingerprint: str
    state: str
    rule: str | None
    response_url: str | None
    job_id: str | None
    error: str | None
    evidence: Any
    via: str | None = None
    respond_replace: bool = True
    reach: dict[str, Any] | None = None
    # Issue 15: who PE sees send it (`service` or `person`) and, in person mode, as which user.
    pe_mode: str | None = None
    pe_login: str | None = None

    def typed(self) -> CommandRequest:
        return request_from_body(self.endpoint, self.body)


def _row(raw: Any) -> RequestRow:
    return RequestRow(
        id=raw["id"],
        created_at=raw["created_at"],
        channel_id=raw["channel_id"],
        user_id=raw["user_id"],
        command=raw["command"],
        text=raw["text"],
        endpoint=raw["endpoint"],
        body=loads(raw["body"]),
        fingerprint=raw["fingerprint"],
        state=raw["state"],
        rule=raw["rule"],
        response_url=raw["response_url"],
        job_id=raw["job_id"],
        error=raw["error"],
        evidence=loads(raw["evidence"]),
        via=raw["via"],
        respond_replace=bool(raw["respond_replace"]),
        reach=loads(raw["reach"]),
        pe_mode=raw["pe_mode"],
        pe_login=raw["pe_login"],
    )


def create(
    db: Database,
    *,
    id: str,
    now: float,
    channel_id: str,
    user_id: str,
    command: str,
    text: str,
    request: CommandRequest,
    state: str = "new",
    response_url: str | None = None,
    team_id: str | None = None,
    rule: str | None = None,
    evidence: Any = None,
    via: str | None = None,
    respond_replace: bool = True,
    reach: dict[str, Any] | None = None,
    pe_mode: str | None = None,
    pe_login: str | None = None,
) -> RequestRow:
    body = request.body()
    db.execute(
        """INSERT INTO requests (id, created_at, updated_at, team_id, channel_id, user_id,
           command, text, endpoint, body, fingerprint, state, rule, response_url, evidence, via,
           respond_replace, reach, pe_mode, pe_login)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            id,
            now,
            now,
            team_id,
            channel_id,
            user_id,
            command,
            text,
            request.ENDPOINT,
            dumps(body),
            fingerprint(request.ENDPOINT, body),
            state,
            rule,
            response_url,
            None if evidence is None else dumps(evidence),
            via,
            int(respond_replace),
            None if reach is None else dumps(reach),
            pe_mode,
            pe_login,
        ],
    )
    found = get(db, id)
    assert found is not None
    return found


def get(db: Database, request_id: str) -> RequestRow | None:
    raw = db.execute("SELECT * FROM requests WHERE id = ?", [request_id]).fetchone()
    return None if raw is None else _row(raw)


def transition(
    db: Database,
    request_id: str,
    from_states: tuple[str, ...],
    to_state: str,
    now: float,
    **fields: Any,
) -> bool:
    """Compare-and-set the state; True only for the one caller that moved it.

    A request goes new → (awaiting_approval → approved) → launching → launched or failed;
    or ends denied, rejected or expired.
    """
    sets = ", ".join(f"{k} = ?" for k in fields)
    marks = ", ".join("?" for _ in from_states)
    cursor = db.execute(
        f"UPDATE requests SET state = ?, updated_at = ?{', ' + sets if sets else ''} "
        f"WHERE id = ? AND state IN ({marks})",
        [to_state, now, *fields.values(), request_id, *from_states],
    )
    return cursor.rowcount == 1


def in_states(db: Database, states: tuple[str, ...], *, older_than: float) -> list[RequestRow]:
    marks = ", ".join("?" for _ in states)
    rows = db.execute(
        f"SELECT * FROM requests WHERE state IN ({marks}) AND updated_at <= ? ORDER BY created_at",
        [*states, older_than],
    ).fetchall()
    return [_row(r) for r in rows]


LIVE = ("new", "awaiting_approval", "approved", "launching", "launched")


def live_stop(db: Database, endpoint: str, target: str, *, force: bool) -> RequestRow | None:
    """An earlier stop of the same job that has not failed: a plain stop after any stop, or a
    forced stop after a forced one, changes nothing and is answered with who already asked."""
    key = "$.job" if endpoint == "stop" else "$.plan_job"
    marks = ", ".join("?" for _ in LIVE)
    forced = "AND json_extract(body, '$.force') = 1" if force else ""
    raw = db.execute(
        f"""SELECT * FROM requests WHERE endpoint = ? AND json_extract(body, '{key}') = ?
            AND state IN ({marks}) {forced} ORDER BY created_at LIMIT 1""",
        [endpoint, target, *LIVE],
    ).fetchone()
    return None if raw is None else _row(raw)


def owner_of_response_url(db: Database, url: str) -> tuple[str, str, float] | None:
    """(channel, user, received at) of the request that carried `url`, if one did."""
    raw = db.execute(
        "SELECT channel_id, user_id, created_at FROM requests WHERE response_url = ? "
        "ORDER BY created_at LIMIT 1",
        [url],
    ).fetchone()
    return None if raw is None else (raw[0], raw[1], float(raw[2]))


def launched_environments(db: Database) -> list[str]:
    """Environments that jobs have run in before, for 'unknown environment' answers."""
    rows = db.execute(
        """SELECT DISTINCT json_extract(body, '$.environment') AS env FROM requests
           WHERE state = 'launched' AND env IS NOT NULL AND env != '' ORDER BY env"""
    )
    return [str(r["env"]) for r in rows]


def approved_for(db: Database, user_id: str) -> list[RequestRow]:
    """A person's approved requests not yet sent: in person mode, those waiting for them to
    sign in again (their token expired while the request waited for approval)."""
    rows = db.execute(
        "SELECT * FROM requests WHERE user_id = ? AND state = 'approved' ORDER BY created_at",
        [user_id],
    ).fetchall()
    return [_row(r) for r in rows]
