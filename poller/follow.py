"""Events → progress. Pure functions: a snapshot and a page of events in, a new snapshot out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from orchestrator.models import Event, PlanEvent

NODE_END = {
    "node_finished": "finished",
    "node_failed": "failed",
    "node_errored": "errored",
    "node_skipped": "skipped",
}
FAILED = frozenset({"failed", "errored"})
JOB_END = frozenset({"job_finished", "job_aborted"})
PLAN_END = {"plan_finished": "success", "plan_failed": "failure"}
RESOURCE_KEYS = (
    "changed",
    "out_of_sync",
    "failed",
    "skipped",
    "restarted",
    "corrective_change",
    "total",
)


@dataclass(frozen=True)
class NodeOutcome:
    """How one node's run ended, as its event told it."""

    node: str
    state: str
    at: datetime | None
    message: str
    changes: int
    resources: Mapping[str, int] | None
    result: Any


@dataclass(frozen=True)
class JobProgress:
    """What one page of job events changed."""

    snapshot: dict[str, Any]
    outcomes: tuple[NodeOutcome, ...]
    failures: tuple[dict[str, str], ...]
    stopping: bool
    finished: bool


def resources_of(result: Any) -> dict[str, int] | None:
    """Resource metrics of a Puppet run result, or None for a task result."""
    if not isinstance(result, Mapping) or not isinstance(result.get("metrics"), Mapping):
        return None
    metrics = result["metrics"]
    return {k: int(metrics.get(k) or 0) for k in RESOURCE_KEYS}


def changes_of(resources: Mapping[str, int] | None) -> int:
    # A noop run reports what it would change as out_of_sync; an enforcing run as changed.
    if not resources:
        return 0
    return max(resources.get("changed", 0), resources.get("out_of_sync", 0))


def _outcome(event: Event, state: str) -> NodeOutcome:
    detail = event.detail
    resources = resources_of(detail)
    # A Puppet run's result is its metrics, kept as `resources`; a task's result is its output,
    # which summaries show, so only that is kept whole.
    result = (
        None
        if resources is not None
        else ({k: v for k, v in detail.items() if k != "report-url"} or None)
    )
    return NodeOutcome(
        node=str(event.node),
        state=state,
        at=event.timestamp,
        message=event.message.strip(),
        changes=changes_of(resources),
        resources=resources,
        result=result,
    )


def apply_job_events(snapshot: Mapping[str, Any], events: Sequence[Event]) -> JobProgress:
    """Fold events into the snapshot: counts by state, running nodes, resource totals."""
    snap = dict(snapshot)
    counts = dict(snap.get("counts") or {})
    running = set(snap.get("running") or ())
    resources = dict(snap.get("resources") or {})
    outcomes: list[NodeOutcome] = []
    failures: list[dict[str, str]] = []
    stopping = finished = False
    for event in events:
        if event.type == "node_running" and event.node:
            running.add(event.node)
        elif event.type in NODE_END and event.node:
            state = NODE_END[event.type]
            running.discard(event.node)
            counts[state] = counts.get(state, 0) + 1
            outcome = _outcome(event, state)
            outcomes.append(outcome)
            if outcome.resources:
                for key, value in outcome.resources.items():
                    resources[key] = resources.get(key, 0) + value
            if state in FAILED:
                failures.append({"node": outcome.node, "state": state, "message": outcome.message})
        elif event.type == "job_stopping":
            stopping = True
        elif event.type in JOB_END:
            finished = True
    counts["running"] = len(running)
    snap.update(
        counts=counts,
        running=sorted(running),
        resources=resources,
        changed_nodes=snap.get("changed_nodes", 0) + sum(1 for o in outcomes if o.changes),
    )
    if stopping and snap.get("state") not in ("stopped", "finished", "failed"):
        snap["state"] = "stopping"
    elif events and snap.get("state") in (None, "new", "ready"):
        snap["state"] = "running"
    return JobProgress(snap, tuple(outcomes), tuple(failures), stopping, finished)


def settled(snapshot: Mapping[str, Any]) -> bool:
    """Every node has ended, whether or not `job_finished` has been seen yet."""
    total = snapshot.get("node_count")
    counts = snapshot.get("counts") or {}
    ended = sum(v for k, v in counts.items() if k != "running")
    return bool(total) and ended >= total and not counts.get("running")


@dataclass(frozen=True)
class PlanProgress:
    """What one page of plan events changed."""

    snapshot: dict[str, Any]
    new_steps: tuple[str, ...]
    messages: tuple[str, ...]
    finished: bool


def apply_plan_events(snapshot: Mapping[str, Any], events: Sequence[PlanEvent]) -> PlanProgress:
    """Fold plan events in: steps (child jobs) in order, output messages, the end."""
    snap = dict(snapshot)
    steps = [dict(s) for s in snap.get("steps") or ()]
    known = {s["job"] for s in steps}
    new_steps: list[str] = []
    messages: list[str] = []
    finished = False
    for event in events:
        child = event.child_job
        if event.type.endswith("_start") and child and child not in known:
            kind = event.type.removesuffix("_start")
            steps.append({"job": child, "kind": kind, "state": "running"})
            known.add(child)
            new_steps.append(child)
        elif event.type == "out_message":
            messages.append(str(event.details.get("message", "")))
        elif event.type in PLAN_END:
            finished = True
            snap["state"] = PLAN_END[event.type]
            snap["result"] = event.details.get("result")
    snap["steps"] = steps
    if events and snap.get("state") in (None, "new", "pending"):
        snap["state"] = "running"
    return PlanProgress(snap, tuple(new_steps), tuple(messages), finished)
