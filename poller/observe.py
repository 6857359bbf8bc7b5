"""Reading a job's news from the orchestrator: events from the cursor, details only when needed."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from model.snapshot import TERMINAL_JOB_STATES
from orchestrator.client import OrchestratorClient
from orchestrator.errors import Rejected, UnexpectedShape
from orchestrator.models import Job, Node, PlanEvent, PlanJob
from poller.follow import (
    JobProgress,
    PlanProgress,
    accounted,
    apply_job_events,
    apply_plan_events,
    cut_by_pe,
    settled,
)
from store.jobs import JobRow

log = logging.getLogger(__name__)

# A quiet job is re-read in full now and then, in case an end event was missed.
RECHECK_EVERY = 12
SMALL_JOB = 5
NODE_PAGE = 500


@dataclass(frozen=True)
class JobObservation:
    """One poll of a deploy or task job. `nodes` are node records read at the end: every node
    when the events did not account for all of them, else a small task job's few (its output)."""

    progress: JobProgress
    next_cursor: int
    details: Job | None
    nodes: tuple[Node, ...] = ()
    complete: bool = False  # `nodes` holds every node of the job

    @property
    def final(self) -> bool:
        return self.details is not None and self.details.done


@dataclass(frozen=True)
class PlanObservation:
    """One poll of a plan job."""

    progress: PlanProgress
    next_cursor: int
    details: PlanJob | None
    children: dict[str, Job]

    @property
    def final(self) -> bool:
        return self.details is not None and self.details.done


def observe_job(client: OrchestratorClient, job: JobRow) -> JobObservation:
    """Events since the cursor; the job itself at the start, at the end and now and then; and,
    once it is done, its node records if the events left any node without an end."""
    snapshot = job.snapshot
    details = None
    if snapshot.node_count is None:
        details = client.job(job.name)
        snapshot = replace(snapshot, node_count=details.node_count)
    page = client.job_events(job.name, job.cursor)
    progress = apply_job_events(snapshot, page.items, noop=bool(job.body.get("noop")))
    quiet = snapshot.quiet_polls + (0 if page.items else 1)
    progress = replace(
        progress, snapshot=replace(progress.snapshot, quiet_polls=0 if page.items else quiet)
    )
    recheck = quiet > 0 and quiet % RECHECK_EVERY == 0
    ending = progress.finished or settled(progress.snapshot) or recheck
    if ending and (details is None or not details.done):
        details = client.job(job.name)
    if details is None or not details.done:
        return JobObservation(progress, page.next_start, details)
    # The orchestrator's final word: when the events do not account for every node (missed,
    # unrecognised, or the job ended between two reads), the node records settle it, once.
    if not accounted(progress.snapshot, details.node_count):
        nodes = tuple(client.all_job_nodes(job.name, page=NODE_PAGE))
        return JobObservation(progress, page.next_start, details, nodes, complete=True)
    if job.command == "task" and details.node_count <= SMALL_JOB:
        nodes = client.job_nodes(job.name, limit=SMALL_JOB, order_by="name").items
        return JobObservation(progress, page.next_start, details, nodes)
    return JobObservation(progress, page.next_start, details)


def observe_plan(client: OrchestratorClient, job: JobRow) -> PlanObservation:
    """Plan events since the cursor, the state of each unfinished step, the plan at the end."""
    page = client.plan_job_events(job.name, job.cursor)
    events, whole = _whole_messages(client, job.name, page.items)
    progress = apply_plan_events(job.snapshot, events, whole=whole)
    children = {
        step.job: client.job(step.job)
        for step in progress.snapshot.steps
        if step.state not in TERMINAL_JOB_STATES
    }
    quiet = job.snapshot.quiet_polls + (0 if page.items else 1)
    progress = replace(
        progress, snapshot=replace(progress.snapshot, quiet_polls=0 if page.items else quiet)
    )
    details = None
    if (
        progress.finished
        or (quiet and quiet % RECHECK_EVERY == 0)
        or job.snapshot.started_at is None
    ):
        details = client.plan_job(job.name)
    return PlanObservation(progress, page.next_start, details, children)


def _whole_messages(
    client: OrchestratorClient, plan_job: str, events: tuple[Any, ...]
) -> tuple[list[PlanEvent], frozenset[int]]:
    """PE cuts an out_message at 1,024 bytes in the events list; read each such one whole."""
    whole: set[int] = set()
    out: list[PlanEvent] = []
    for event in events:
        if event.type == "out_message" and event.id is not None and cut_by_pe(event):
            try:
                full = client.plan_job_event(plan_job, event.id)
            except (Rejected, UnexpectedShape) as exc:  # an outage retries the whole poll
                log.info("cannot read event %s of plan job %s whole: %s", event.id, plan_job, exc)
            else:
                event = replace(event, details={**event.details, **full.details})
                whole.add(event.id)
        out.append(event)
    return out, frozenset(whole)
