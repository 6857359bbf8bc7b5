"""Render jobs, nodes, events and plan jobs as the orchestrator's JSON (pure)."""

from __future__ import annotations

import logging
from typing import Any

from . import results
from .context import Format, iso
from .state import Event, Job, NodeRun, PlanJob, StatusEntry
from .world import User, World

log = logging.getLogger(__name__)

PLAN_MESSAGE_LIMIT = 1024  # out_message text is truncated in /events, whole in /event/<id>


def owner(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "login": user.login,
        "email": user.email,
        "display_name": user.display_name or user.login,
        "is_revoked": user.revoked,
        "last_login": "2024-01-01T00:00:00.000Z",
        "is_remote": False,
        "is_superuser": user.superuser,
        "role_ids": [1] if user.superuser else [2],
        "inherited_role_ids": [],
        "group_ids": [],
        "is_group": False,
    }


def duration(fmt: Format, start: float | None, end: float | None) -> str | float | None:
    if start is None or end is None:
        return None
    seconds = round(end - start, 3)
    return seconds if fmt.duration_as_number else f"{seconds:.1f}"


def status(entries: list[StatusEntry]) -> list[dict[str, Any]]:
    return [
        {"state": e.state, "enter_time": iso(e.enter), "exit_time": iso(e.exit)} for e in entries
    ]


def job_summary(job: Job, fmt: Format) -> dict[str, Any]:
    spec = job.spec
    states = {k: v for k, v in job.counts.items() if v}
    return {
        "id": fmt.url("jobs", job.id),
        "name": fmt.name(job.id),
        "state": job.state,
        "command": "deploy" if job.kind == "deploy" else "task",
        "type": job.kind,
        "options": dict(spec.options),
        "owner": owner(spec.owner),
        "description": spec.options.get("description"),
        "environment": {"name": spec.environment},
        "timestamp": iso(job.timestamp),
        "started_timestamp": iso(job.started),
        "finished_timestamp": iso(job.finished),
        "duration": duration(fmt, job.started, job.finished),
        "node_count": len(job.nodes),
        "node_states": states or None,
        "userdata": dict(spec.userdata),
        "nodes": {"id": fmt.url("jobs", job.id, "nodes")},
        "report": {"id": fmt.url("jobs", job.id, "report")},
        "events": {"id": fmt.url("jobs", job.id, "events")},
    }


def job_detail(job: Job, fmt: Format) -> dict[str, Any]:
    return {**job_summary(job, fmt), "status": status(job.status)}


def node_item(world: World, job: Job, run: NodeRun, fmt: Format) -> dict[str, Any]:
    end = run.finish if run.finish is not None else (fmt.now if run.state == "running" else None)
    elapsed = None if run.start is None or end is None else round(end - run.start, 3)
    return {
        "name": run.name,
        "state": run.state,
        "transport": run.transport,
        "start_timestamp": iso(run.start),
        "finish_timestamp": iso(run.finish),
        "duration": elapsed,
        "timestamp": iso(run.finish if run.finish is not None else run.start),
        "transaction_uuid": None,
        "details": results.node_details(world, job, run, fmt.now),
        "result": results.node_result(world, job, run),
        "latest-event-id": run.last_event,
    }


def job_event(world: World, job: Job, event: Event, fmt: Format) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if event.run is not None:
        details = {"node": event.run.name, "detail": results.event_detail(world, job, event)}
    return {
        "id": fmt.name(event.id),
        "type": event.type,
        "timestamp": iso(event.time),
        "details": details,
        "message": results.event_message(job, event),
    }


def next_events(
    fmt: Format, path: str, items: list[Event], start: int, with_event: bool
) -> dict[str, Any]:
    following = items[-1].id + 1 if items else start
    link: dict[str, Any] = {"id": f"{fmt.url(path)}?start={following}"}
    if with_event:
        link["event"] = fmt.name(following)
    return link


def plan_summary(plan_job: PlanJob, fmt: Format, with_result: bool = True) -> dict[str, Any]:
    spec = plan_job.spec
    item = {
        "id": fmt.url("plan_jobs", plan_job.id),
        "name": fmt.name(plan_job.id),
        "state": plan_job.state,
        "options": {**spec.options, "plan_name": spec.plan.name},
        "owner": owner(spec.owner),
        "timestamp": iso(plan_job.timestamp),
        "created_timestamp": iso(plan_job.created),
        "finished_timestamp": iso(plan_job.finished),
        "duration": None
        if plan_job.finished is None
        else round(plan_job.finished - plan_job.created, 3),
        "userdata": dict(spec.userdata),
        "events": {"id": fmt.url("plan_jobs", plan_job.id, "events")},
    }
    if with_result:
        item["result"] = plan_job.result
    return item


def plan_detail(plan_job: PlanJob, jobs: dict[int, Job], fmt: Format) -> dict[str, Any]:
    children = {str(i): status(jobs[i].status) for i in plan_job.children}
    return {**plan_summary(plan_job, fmt), "status": children}


def plan_event(event: Event, fmt: Format, truncate: bool) -> dict[str, Any]:
    details = dict(event.details or {})
    for key in ("job-id", "plan-id"):
        if key in details:
            details[key] = fmt.name(details[key])
    message = details.get("message")
    if truncate and isinstance(message, str) and len(message.encode()) > PLAN_MESSAGE_LIMIT:
        details["message"] = message.encode()[:PLAN_MESSAGE_LIMIT].decode(errors="ignore")
    return {
        "id": fmt.name(event.id),
        "type": event.type,
        "timestamp": iso(event.time),
        "details": details,
    }


def node_counts(job: Job) -> dict[str, int]:
    """The stop response's `nodes`: every state a node can be in, with its count."""
    keys = ("new", "running", "failed", "errored", "skipped", "finished")
    return {k: job.counts.get(k, 0) for k in keys}
