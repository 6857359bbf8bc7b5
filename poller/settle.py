"""Settling a job from its own record: how each node ended, its final counts, the output worth
showing, and what GET /jobs/<id> (or a plan step's job) said of it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlite_utils import Database

from model.snapshot import Snapshot, Step
from orchestrator.models import Job, PlanJob
from poller.follow import FAILED, RESOURCE_KEYS, NodeOutcome
from poller.observe import SMALL_JOB
from store import jobs
from store.jobs import JobRow

LOGGED_BODY = 4000


def record_outcomes(db: Database, key: str, outcomes: tuple[NodeOutcome, ...], now: float) -> None:
    jobs.record_nodes(
        db,
        key,
        [
            (
                o.node,
                o.state,
                o.at.timestamp() if o.at else now,
                o.message,
                o.changes,
                o.resources,
                o.result,
            )
            for o in outcomes
        ],
    )


def outputs_of(job: JobRow, settled: tuple[NodeOutcome, ...]) -> list[dict[str, Any]]:
    """A small task job's output, node by node; a failed node's error is listed with failures."""
    if job.command != "task" or len(settled) > SMALL_JOB:
        return []
    return [
        {"node": o.node, "result": o.result} for o in settled if o.result and o.state not in FAILED
    ]


def final_counts(
    db: Database,
    job: JobRow,
    snapshot: Snapshot,
    totals: Mapping[str, Any],
    details: Job | PlanJob | None,
) -> Snapshot:
    """Counts from how each node ended (events and node records); when those still leave nodes
    out, GET /jobs/<id> `node_states` if it accounts for more. Nothing is left `running`."""
    counts = dict(totals["counts"])
    states = dict(details.node_states) if isinstance(details, Job) else {}
    if sum(counts.values()) < snapshot.nodes and sum(states.values()) > sum(counts.values()):
        counts = states
    return replace(
        snapshot,
        counts=counts,
        running=(),
        resources=jobs.resource_totals(db, job.id, RESOURCE_KEYS),
        changed_nodes=totals["changed_nodes"],
    )


def merge_details(snapshot: Snapshot, details: Job | PlanJob | None) -> Snapshot:
    """The snapshot with what GET /jobs/<id> or /plan_jobs/<id> said of the job itself."""
    if details is None:
        return snapshot
    changes: dict[str, Any] = {}
    started = getattr(details, "started", None) or getattr(details, "created", None)
    if started and snapshot.started_at is None:
        changes["started_at"] = started.timestamp()
    if isinstance(details, Job):
        changes["node_count"] = details.node_count
        if details.done or snapshot.state in ("new", "ready"):
            changes["state"] = details.state
    else:
        changes["state"] = details.state
        if details.done:
            changes["result"] = details.result
    if details.done and details.duration is not None:
        changes["duration"] = details.duration
    return replace(snapshot, **changes)


def with_child(step: Step, child: Job | None) -> Step:
    """A plan step with what its job's last read said."""
    if child is None:
        return step
    return replace(
        step,
        state=child.state,
        name=str(child.options.get("task") or ""),
        node_states=dict(child.node_states),
        nodes=child.node_count,
    )


def clipped_body(body: Any) -> str:
    try:
        text = json.dumps(body, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(body)
    return text if len(text) <= LOGGED_BODY else text[:LOGGED_BODY] + f"… ({len(text)} chars)"
