"""The audit log: who asked for what, who decided, what the orchestrator answered."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlite_utils import Database

from store.db import dumps, loads

ACTIONS = (
    "request",
    "denied",
    "approval_requested",
    "approved",
    "approval_vote",
    "rejected",
    "expired",
    "launch",
    "launch_failed",
    # The approval card could not be posted, so the request failed (never sendable).
    "approval_failed",
    # At send time a recorded approval no longer covered the request (a node moved into
    # production, another rule now applies, the body differs).
    "approval_void",
    # At send time the policy held or denied a request that was not held before.
    "refused_at_send",
    # Person mode (issue 15): an approved request waits for its requester to sign in again;
    # PE's RBAC refused a request before approval (a plan or task the person may not run).
    "awaiting_sign_in",
    "refused_by_pe",
    # Signing in to PE and out (never the password or the token: the PE login and how).
    "pe_sign_in",
    "pe_sign_in_failed",
    "pe_sign_out",
    "stop",
    "finished",
    "cancelled",
    # Schedules (issue 14): its start passed before it could be created; a schedule cancelled
    # (PE's soft delete) by a person or disabled because the policy now denies it.
    "start_passed",
    "schedule_cancelled",
    "schedule_disabled",
    "schedule_disable_refused",
)


def record(
    db: Database,
    *,
    now: float,
    actor: str,
    action: str,
    channel_id: str | None = None,
    request_id: str | None = None,
    job_id: str | None = None,
    rule: str | None = None,
    approvers: list[str] | None = None,
    request: Any = None,
    result: str | None = None,
    detail: Any = None,
) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    db.execute(
        """INSERT INTO audit (at, actor, action, channel_id, request_id, job_id, rule,
           approvers, request, result, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            now,
            actor,
            action,
            channel_id,
            request_id,
            job_id,
            rule,
            None if approvers is None else dumps(approvers),
            None if request is None else dumps(request),
            result,
            None if detail is None else dumps(detail),
        ],
    )


def since(db: Database, at: float) -> Iterator[dict[str, Any]]:
    """Audit records at or after `at`, oldest first, with JSON columns decoded."""
    for raw in db.execute("SELECT * FROM audit WHERE at >= ? ORDER BY id", [at]):
        row = dict(raw)
        for key in ("approvers", "request", "detail"):
            row[key] = loads(row[key])
        yield row
