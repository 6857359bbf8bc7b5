"""Jobs the bot did not start, taken up for a channel: a status card (sent as background work
when announced), followed to its summary as any job. Their task output stays out of the channel
unless a policy rule allows it (`commands = ["watch"]`, `names = ["output"]`, `action = "run"`)."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from flows.deps import Deps
from model.snapshot import Snapshot
from orchestrator.models import Job, PlanJob
from policy import Subject
from store import jobs, posts
from store.jobs import JobRow

MARKER = "chatops_request"


def output_shown(deps: Deps, channel_id: str, user_id: str) -> bool:
    """Whether the policy lets task output of outside jobs into this channel."""
    subject = Subject(command="watch", user_id=user_id, channel_id=channel_id, name="output")
    return deps.policy.decide(subject, deps.groups).action == "run"


def is_bots_own(job: Job | PlanJob) -> bool:
    """Started by the bot: its chat request marker is in the job's userdata."""
    return bool((job.userdata or {}).get(MARKER))


def scheduled_by(job: Job | PlanJob) -> str | None:
    """The schedule that started it, when PE says so in its options (task and plan jobs)."""
    return job.scheduled_job_id


def _body(job: Job | PlanJob) -> tuple[str, str, dict[str, Any]]:
    """(command, endpoint, body) as the card shows a request, from what PE echoes."""
    if isinstance(job, PlanJob):
        body: dict[str, Any] = {"plan_name": job.plan_name, "params": dict(job.parameters)}
        if job.environment:
            body["environment"] = job.environment
        return "plan", "plan_run", body
    options = job.options
    body = {"environment": job.environment or options.get("environment") or ""}
    if options.get("scope"):
        body["scope"] = options["scope"]
    if options.get("noop"):
        body["noop"] = True
    if (job.type or "deploy") == "task" or options.get("task"):
        body.update(task=options.get("task"), params=dict(options.get("params") or {}))
        return "task", "task", body
    return "deploy", "deploy", body


def take_up(
    db: Database,
    job: Job | PlanJob,
    *,
    channel_id: str,
    withheld: bool,
    announced: bool,
    now: float,
) -> JobRow:
    """Follow an outside job in a channel and queue its card (once: the job key is unique)."""
    kind = "plan_job" if isinstance(job, PlanJob) else "job"
    command, endpoint, body = _body(job)
    row = jobs.create(
        db,
        kind=kind,
        name=job.name,
        command=command,
        request_id=None,
        channel_id=channel_id,
        requester=f"pe:{job.owner or ''}",
        endpoint=endpoint,
        body=body,
        snapshot=Snapshot(state="new", started_at=now),
        now=now,
        withheld=withheld,
    )
    posts.enqueue(
        db,
        key=f"{row.id}/card",
        channel_id=channel_id,
        kind="announcement" if announced else "card",
        template="job_card",
        ref=row.id,
        now=now,
    )
    return row
