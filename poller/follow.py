"""Events → progress. Pure functions: a snapshot and a page of events in, a new snapshot out."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from model.failures import NodeFailure
from model.snapshot import FAILED_NODE_STATES, NODE_END_STATES, Snapshot, Step
from orchestrator.models import Event, Node, PlanEvent

NODE_END = {
    "node_finished": "finished",
    "node_failed": "failed",
    "node_errored": "errored",
    "node_skipped": "skipped",
}
FAILED = FAILED_NODE_STATES
ENDED = frozenset(NODE_END_STATES)
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
PE_MESSAGE_LIMIT = 1024  # PE cuts out_message at this many bytes in the events list
SEEN_KEPT = 200


@dataclass(frozen=True)
class NodeOutcome:
    """How one node's run ended, as its event or its node record told it."""

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

    snapshot: Snapshot
    outcomes: tuple[NodeOutcome, ...]
    failures: tuple[NodeFailure, ...]
    stopping: bool
    finished: bool


def task_error(result: Any) -> str | None:
    """The message of a task result's `_error`, or None. Bolt counts any `_error` as a failure,
    whatever the node's state says (bolt lib/bolt/transport/orch.rb, process_run_results)."""
    if not isinstance(result, Mapping) or "_error" not in result:
        return None
    error = result["_error"]
    if isinstance(error, Mapping):
        return str(error.get("msg") or error.get("kind") or "the task reported an error")
    return str(error) if error not in (None, "") else "the task reported an error"


def resources_of(result: Any) -> dict[str, int] | None:
    """Resource metrics of a Puppet run result, or None for a task result."""
    if not isinstance(result, Mapping) or not isinstance(result.get("metrics"), Mapping):
        return None
    metrics = result["metrics"]
    return {k: _int(metrics.get(k)) for k in RESOURCE_KEYS}


def _int(value: Any) -> int:
    try:
        return int(float(value or 0))
    except (TypeError, ValueError):
        return 0


def ran_noop(result: Any, default: bool) -> bool:
    """Whether a Puppet run was a no-op run: `"noop": false` (PE 2016) or `"noop": {"noop": …,
    "no_noop": …}` (2021 docs); the job's own noop when the run says nothing."""
    noop = result.get("noop") if isinstance(result, Mapping) else None
    if isinstance(noop, Mapping):
        noop = noop.get("noop")
    return bool(noop) if isinstance(noop, bool) else default


def changes_of(resources: Mapping[str, int] | None, noop: bool = False) -> int:
    """Resources a run changed; on a no-op run, the out-of-sync ones it would change. Failed
    resources are their own count, on either: an enforcing run's out-of-sync resources that did
    not change (`noop => true` resources, failures) are not changes."""
    if not resources:
        return 0
    if noop:
        return would_change(resources)
    return resources.get("changed", 0)


def would_change(resources: Mapping[str, int]) -> int:
    """Out-of-sync resources of a no-op run, less those that failed (their own count)."""
    return max(0, resources.get("out_of_sync", 0) - resources.get("failed", 0))


def outcome(
    node: str, state: str, at: datetime | None, message: str, result: Any, *, noop: bool
) -> NodeOutcome:
    """One node's end: a `finished` task whose result holds `_error` failed, with its message."""
    error = task_error(result)
    if error is not None and state == "finished":
        state = "failed"
    if error is not None:
        message = error
    resources = resources_of(result)
    # A Puppet run's result is its metrics, kept as `resources`; a task's result is its output,
    # which summaries show, so only that is kept whole.
    kept = None
    if resources is None and isinstance(result, Mapping):
        kept = {k: v for k, v in result.items() if k != "report-url"} or None
    elif resources is None and result is not None:
        kept = result
    return NodeOutcome(
        node=node,
        state=state,
        at=at,
        message=message.strip(),
        changes=changes_of(resources, ran_noop(result, noop)),
        resources=resources,
        result=kept,
    )


def node_outcome(node: Node, *, noop: bool) -> NodeOutcome:
    """A node record from GET /jobs/<id>/nodes, read like its end event."""
    result = node.result
    if result is None and node.metrics is not None:  # PE 2016: metrics in `details`
        result = {"metrics": node.metrics}
    return outcome(node.name, node.state, node.finish, node.message, result, noop=noop)


def apply_job_events(
    snapshot: Snapshot, events: Sequence[Event], *, noop: bool = False
) -> JobProgress:
    """Fold events into the snapshot: counts by state, running nodes, resource totals."""
    counts = dict(snapshot.counts)
    running = set(snapshot.running)
    resources = dict(snapshot.resources)
    outcomes: list[NodeOutcome] = []
    failures: list[NodeFailure] = []
    stopping = finished = False
    for event in events:
        if event.type == "node_running" and event.node:
            running.add(event.node)
        elif event.type in NODE_END and event.node:
            running.discard(event.node)
            ended = outcome(
                event.node,
                NODE_END[event.type],
                event.timestamp,
                event.message,
                event.detail or None,
                noop=noop,
            )
            counts[ended.state] = counts.get(ended.state, 0) + 1
            outcomes.append(ended)
            for key, value in (ended.resources or {}).items():
                resources[key] = resources.get(key, 0) + value
            if ended.state in FAILED:
                failures.append(NodeFailure(ended.node, ended.state, ended.message))
        elif event.type == "job_stopping":
            stopping = True
        elif event.type in JOB_END:
            finished = True
    counts["running"] = len(running)
    state = snapshot.state
    if stopping and state not in ("stopped", "finished", "failed"):
        state = "stopping"
    elif events and state in ("new", "ready"):
        state = "running"
    snap = replace(
        snapshot,
        state=state,
        counts=counts,
        running=tuple(sorted(running)),
        resources=resources,
        changed_nodes=snapshot.changed_nodes + sum(1 for o in outcomes if o.changes),
    )
    return JobProgress(snap, tuple(outcomes), tuple(failures), stopping, finished)


def settled(snapshot: Snapshot) -> bool:
    """Every node has ended, whether or not `job_finished` has been seen yet."""
    counts = snapshot.counts
    ended = sum(v for k, v in counts.items() if k != "running")
    return bool(snapshot.node_count) and ended >= snapshot.nodes and not counts.get("running")


def accounted(snapshot: Snapshot, node_count: int) -> bool:
    """Whether the events gave every node of the job an end (nothing missing, nothing running)."""
    counts = snapshot.counts
    ended = sum(v for k, v in counts.items() if k in ENDED)
    return ended >= node_count and not counts.get("running")


@dataclass(frozen=True)
class PlanMessage:
    """What a plan printed: `pe_cut` when PE cut it at 1,024 bytes and it could not be re-read."""

    text: str
    pe_cut: bool = False


@dataclass(frozen=True)
class PlanProgress:
    """What one page of plan events changed."""

    snapshot: Snapshot
    new_steps: tuple[str, ...]
    messages: tuple[PlanMessage, ...]
    finished: bool


def cut_by_pe(event: PlanEvent) -> bool:
    """An out_message as long as PE's limit was very probably cut by it."""
    message = event.details.get("message")
    return isinstance(message, str) and len(message.encode()) >= PE_MESSAGE_LIMIT


def _digest(event: PlanEvent) -> str:
    raw = json.dumps([event.type, str(event.timestamp), event.details], sort_keys=True, default=str)
    return hashlib.sha1(raw.encode()).hexdigest()[:16]


def apply_plan_events(
    snapshot: Snapshot,
    events: Sequence[PlanEvent],
    *,
    whole: frozenset[int] = frozenset(),
) -> PlanProgress:
    """Fold plan events in: steps (child jobs) in order, output messages, the end.

    `whole` names the out_message events re-read in full (GET /plan_jobs/<id>/event/<id>); any
    other message as long as PE's limit is marked as cut by PE. An event without an id cannot
    move the cursor, so PE sends it again on the next poll; it is remembered by its content and
    counted once.
    """
    steps = list(snapshot.steps)
    known = {s.job for s in steps}
    seen = list(snapshot.seen_without_id)
    new_steps: list[str] = []
    messages: list[PlanMessage] = []
    finished = False
    state, result = snapshot.state, snapshot.result
    for event in events:
        if event.id is None:
            digest = _digest(event)
            if digest in seen:
                continue
            seen.append(digest)
        child = event.child_job
        if event.type.endswith("_start") and child and child not in known:
            kind = event.type.removesuffix("_start")
            steps.append(Step(job=child, kind=kind, state="running"))
            known.add(child)
            new_steps.append(child)
        elif event.type == "out_message":
            text = str(event.details.get("message", ""))
            pe_cut = cut_by_pe(event) and event.id not in whole
            messages.append(PlanMessage(text, pe_cut=pe_cut))
        elif event.type in PLAN_END:
            finished = True
            state = PLAN_END[event.type]
            result = event.details.get("result")
    if events and state in ("new", "pending"):
        state = "running"
    snap = replace(
        snapshot,
        state=state,
        result=result,
        steps=tuple(steps),
        seen_without_id=tuple(seen[-SEEN_KEPT:]),
    )
    return PlanProgress(snap, tuple(new_steps), tuple(messages), finished)
