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


def owner(user: User, legacy: bool = False) -> dict[str, Any]:
    if legacy:  # PE 2016 (jenkins-pe-plugin and orchestrator_client-ruby captures)
        return {"id": user.id, "login": user.login}
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
    dialect = fmt.dialect
    states = {k: v for k, v in job.counts.items() if v}
    # A plan's child job: `plan_task`, with an empty environment name (2021.7.1 docs' /jobs).
    child = job.kind == "plan_task"
    options = {k: v for k, v in spec.options.items() if not (child and k == "environment")}
    item: dict[str, Any] = {
        "id": fmt.url("jobs", job.id),
        "name": fmt.name(job.id),
        "state": job.state,
        "command": job.kind,
        "type": job.kind,
        "options": options,
        "owner": owner(spec.owner, legacy=dialect.legacy_jobs),
        "description": spec.options.get("description") or "",
        "environment": {"name": "" if child else spec.environment},
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
    dropped: tuple[str, ...] = ()
    if dialect.legacy_jobs:
        dropped = ("command", "description", "started_timestamp", "finished_timestamp")
        dropped += ("duration", "node_states")
    if not dialect.job_type:
        dropped += ("type",)
    if not dialect.userdata:
        dropped += ("userdata",)
    for key in dropped:
        item.pop(key, None)
    return item


def job_detail(job: Job, fmt: Format) -> dict[str, Any]:
    return {**job_summary(job, fmt), "status": status(job.status)}


def node_item(world: World, job: Job, run: NodeRun, fmt: Format) -> dict[str, Any]:
    if fmt.dialect.legacy_jobs:
        return _legacy_node_item(world, job, run, fmt)
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


def _legacy_node_item(world: World, job: Job, run: NodeRun, fmt: Format) -> dict[str, Any]:
    """PE 2016: no timings, no `result`; a Puppet run's metrics, hash and report in `details`
    (jenkins-pe-plugin 2016.4 jobs/711/nodes)."""
    details = results.node_details(world, job, run, fmt.now)
    result = results.node_result(world, job, run)
    if job.kind == "deploy" and isinstance(result, dict) and "metrics" in result:
        details = {
            "metrics": result["metrics"],
            "report-url": results.report_url(world, job, run),
            "hash": result["hash"],
            "environment": result["environment"],
            **details,
        }
    return {
        "name": run.name,
        "transaction_uuid": None,
        "state": run.state,
        "timestamp": iso(run.finish if run.finish is not None else run.start),
        "details": details,
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


def next_events(fmt: Format, start: int, with_event: bool) -> dict[str, Any]:
    """`id` echoes the request URI (2023.8 docs; 2021.7.1 job-events: start=1272 and item 1272);
    plan events add `event`, the start asked for (2021.7.1 plan-job-events)."""
    link: dict[str, Any] = {"id": fmt.request_uri}
    if with_event:
        link["event"] = fmt.name(start)
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
    if not fmt.dialect.userdata:
        del item["userdata"]
    return item


def plan_detail(plan_job: PlanJob, jobs: dict[int, Job], fmt: Format) -> dict[str, Any]:
    children = {str(i): status(jobs[i].status) for i in plan_job.children}
    return {**plan_summary(plan_job, fmt), "status": children}


def plan_event(event: Event, fmt: Format, truncate: bool) -> dict[str, Any]:
    details = dict(event.details or {})
    if "plan-id" in details:
        details["plan-id"] = fmt.name(details["plan-id"])
    # `job-id` is a number (2019.5 docs: "job-id": 69), though 2021.7.1's example quotes it.
    message = details.get("message")
    if truncate and isinstance(message, str) and len(message.encode()) > PLAN_MESSAGE_LIMIT:
        details["message"] = message.encode()[:PLAN_MESSAGE_LIMIT].decode(errors="ignore")
    item: dict[str, Any] = {
        "id": fmt.name(event.id),
        "type": event.type,
        "timestamp": iso(event.time),
        "details": details,
    }
    if not fmt.dialect.plan_event_ids and event.type in ("out_message", "plan_end"):
        del item["id"]  # as the 2019.5 docs show them
    return item


def node_counts(job: Job) -> dict[str, int]:
    """The stop response's `nodes`: every state a node can be in, with its count."""
    keys = ("new", "running", "failed", "errored", "skipped", "finished")
    return {k: job.counts.get(k, 0) for k in keys}
