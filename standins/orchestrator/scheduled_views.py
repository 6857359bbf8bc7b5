"""GET /scheduled_jobs/environment_jobs[/<id>]: scheduled jobs as PE 2021.7.1 documents them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from .context import Ctx, iso
from .errors import query_error, unknown_job
from .state import ScheduledJob
from .validation import parse_int
from .views import owner

log = logging.getLogger(__name__)

Reply = tuple[int, Any]
_ORDER: dict[str, Callable[[ScheduledJob], Any]] = {
    "next_run_time": lambda s: s.next_run if s.next_run is not None else float("inf"),
    "environment": lambda s: s.environment,
    "owner": lambda s: s.owner.login,
    "name": lambda s: s.id,
    "type": lambda s: s.type,
}


def _last_run(ctx: Ctx, last: dict[str, Any] | None) -> dict[str, Any] | None:
    if last is None:
        return None
    if "job" in last:
        path = "jobs" if last["job"]["kind"] == "job" else "plan_jobs"
        # `name` is a number here (2021.7.1 docs: "name": 42), unlike job items.
        ran = {"id": ctx.fmt.url(path, last["job"]["id"]), "name": last["job"]["id"]}
        return {"time": iso(last["time"]), "job": ran}
    # 2021.7.1 docs: the error sits in `job`, with the name it would have had.
    return {
        "time": iso(last["time"]),
        "job": {"submission_error": last["submission_error"], "name": last["name"]},
    }


def _input(job: ScheduledJob) -> dict[str, Any]:
    """The stored input; tasks and plans list `sensitive_parameters` (2021.7.1 field table)."""
    data = dict(job.input)
    if job.type in ("task", "plan"):
        data.setdefault("sensitive_parameters", [])
    return data


def view(ctx: Ctx, job: ScheduledJob) -> dict[str, Any]:
    return {
        "id": ctx.fmt.url("scheduled_jobs", "environment_jobs", job.id),
        "name": ctx.fmt.name(job.id),
        "enabled": job.enabled,
        "environment": job.environment,
        "owner": owner(job.owner),
        "description": job.description,
        "type": job.type,
        "input": _input(job),
        "userdata": dict(job.userdata),
        "schedule": {
            "start_time": iso(job.start_time),
            "interval": {"value": job.interval, "units": "seconds"} if job.interval else None,
        },
        "next_run": {"time": iso(job.next_run)} if job.next_run is not None else None,
        "last_run": _last_run(ctx, job.last_run),
    }


def _param(ctx: Ctx, name: str, allowed: tuple[str, ...] | None = None) -> str | None:
    value = ctx.req.param(name)
    if value is not None and allowed is not None and value not in allowed:
        raise query_error(f"The {name} parameter must be one of {', '.join(allowed)}", value)
    return value


def _count(ctx: Ctx, name: str) -> int | None:
    raw = _param(ctx, name)
    if raw is None:
        return None
    if not raw.strip().isdigit():  # the docs name query-error for bad scheduled-jobs params
        raise query_error(f"The {name} parameter must be a non-negative integer", raw)
    return int(raw)


def list_scheduled(ctx: Ctx) -> Reply:
    order_by = _param(ctx, "order_by", tuple(_ORDER)) or "next_run_time"
    order = _param(ctx, "order", ("asc", "desc")) or "asc"
    kind = _param(ctx, "type", ("deploy", "task", "plan"))
    limit, offset = _count(ctx, "limit") or None, _count(ctx, "offset") or 0
    jobs = [s for s in ctx.engine.scheduled.values() if kind is None or s.type == kind]
    jobs.sort(key=lambda s: (_ORDER[order_by](s), s.id), reverse=order == "desc")
    page = jobs[offset : offset + limit if limit else None]
    return 200, {
        "items": [view(ctx, s) for s in page],
        "pagination": {
            "limit": limit,
            "offset": offset,
            "order": order,
            "order_by": order_by,
            "total": len(jobs),
        },
    }


def show_scheduled(ctx: Ctx, sched_id: str) -> Reply:
    number = parse_int(sched_id, "scheduled job ID")
    job = ctx.engine.scheduled.get(number)
    if job is None:
        raise unknown_job(number, "scheduled job")
    return 200, view(ctx, job)


def list_deprecated(ctx: Ctx) -> Reply:
    """GET /scheduled_jobs: deprecated, and always empty (orchestrator-api.md, scheduled jobs)."""
    return 200, {"items": []}
