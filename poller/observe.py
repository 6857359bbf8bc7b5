"""Reading a job's news from the orchestrator: events from the cursor, details only when needed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from orchestrator.client import OrchestratorClient
from orchestrator.models import Job, Node, PlanJob
from poller.follow import JobProgress, PlanProgress, apply_job_events, apply_plan_events, settled
from store.jobs import JobRow

# A quiet job is re-read in full now and then, in case an end event was missed.
RECHECK_EVERY = 12
SMALL_JOB = 5


@dataclass(frozen=True)
class JobObservation:
    """One poll of a deploy or task job."""

    progress: JobProgress
    next_cursor: int
    details: Job | None
    outputs: tuple[Node, ...] = ()

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
    """Events since the cursor; the job itself at the start, at the end and now and then."""
    snapshot: dict[str, Any] = dict(job.snapshot)
    details = None
    if "node_count" not in snapshot:
        details = client.job(job.name)
        snapshot.update(node_count=details.node_count)
    page = client.job_events(job.name, job.cursor)
    progress = apply_job_events(snapshot, page.items)
    quiet = int(snapshot.get("quiet_polls", 0)) + (0 if page.items else 1)
    progress.snapshot["quiet_polls"] = 0 if page.items else quiet
    recheck = quiet > 0 and quiet % RECHECK_EVERY == 0
    ending = progress.finished or settled(progress.snapshot) or recheck
    if ending and (details is None or not details.done):
        details = client.job(job.name)
    outputs: tuple[Node, ...] = ()
    if (
        details is not None
        and details.done
        and job.command == "task"
        and (details.node_count <= SMALL_JOB)
    ):
        outputs = client.job_nodes(job.name, limit=SMALL_JOB, order_by="name").items
    return JobObservation(progress, page.next_start, details, outputs)


def observe_plan(client: OrchestratorClient, job: JobRow) -> PlanObservation:
    """Plan events since the cursor, the state of each unfinished step, the plan at the end."""
    page = client.plan_job_events(job.name, job.cursor)
    progress = apply_plan_events(job.snapshot, page.items)
    children = {
        step["job"]: client.job(step["job"])
        for step in progress.snapshot.get("steps") or ()
        if step.get("state") not in ("finished", "failed", "stopped")
    }
    quiet = int(job.snapshot.get("quiet_polls", 0)) + (0 if page.items else 1)
    progress.snapshot["quiet_polls"] = 0 if page.items else quiet
    details = None
    if (
        progress.finished
        or (quiet and quiet % RECHECK_EVERY == 0)
        or "started_at" not in (job.snapshot)
    ):
        details = client.plan_job(job.name)
    return PlanObservation(progress, page.next_start, details, children)
