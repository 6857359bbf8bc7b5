"""Scheduled environment jobs: validate, store, list, and launch them when their time comes."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

from . import commands, plan_commands
from .context import Ctx, iso, parse_iso
from .errors import ApiError, query_error, unknown_job, validation_error
from .state import ScheduledJob
from .validation import check_types, parse_int, required
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


def _command_body(
    kind: str, env: str, data: dict[str, Any], description: str | None
) -> dict[str, Any]:
    """The /command/* body equivalent to a scheduled job's `input`."""
    if kind == "deploy":
        return {**data, "environment": env}
    if kind == "task":
        body = {
            "environment": env,
            "task": data.get("name"),
            "params": data.get("parameters", {}),
            "scope": data.get("scope"),
            "description": description,
        }
        body.update({k: data[k] for k in ("noop", "concurrency", "targets") if k in data})
        return body
    return {
        "plan_name": data.get("name"),
        "params": data.get("parameters", {}),
        "environment": env,
        "description": description,
    }


def _launcher(ctx: Ctx, kind: str, body: dict[str, Any]) -> Callable[[int], Callable]:
    """Validate the job now, and return how to start it later (given the scheduled job id)."""
    build = {"deploy": commands.build_deploy, "task": commands.build_task}.get(kind)
    if build is None:
        plan_commands.build_plan(ctx, body, True)
    else:
        build(ctx, body)

    def bind(sched_id: int) -> Callable[[float], tuple[str, int]]:
        def launch(now: float) -> tuple[str, int]:
            # Checked again as things are when its time comes: PuppetDB may be down by then.
            live = dataclasses.replace(ctx, now=now, puppetdb_down=ctx.engine.puppetdb_down())
            if build is None:
                spec = plan_commands.build_plan(live, body, True)
                options = {**spec.options, "scheduled_job_id": str(sched_id)}
                plan_job = ctx.engine.create_plan_job(
                    dataclasses.replace(spec, options=options), now
                )
                return "plan_job", plan_job.id
            spec = build(live, body)
            options = {**spec.options, "scheduled-job-id": str(sched_id)}
            return "job", ctx.engine.create_job(dataclasses.replace(spec, options=options), now).id

        return launch

    return bind


def create(ctx: Ctx) -> Reply:
    body = ctx.req.json_object()
    check_types(
        body,
        {
            "type": "string",
            "input": "object",
            "environment": "string",
            "schedule": "object",
            "description": "string",
            "userdata": "object",
        },
    )
    kind = required(body, "type", "string")
    if kind not in ("deploy", "task", "plan"):
        raise validation_error("type must be one of deploy, task or plan", key="type")
    data = required(body, "input", "object")
    schedule = required(body, "schedule", "object")
    try:
        start = parse_iso(required(schedule, "start_time", "string"))
    except ValueError as exc:
        raise validation_error(
            "schedule.start_time is not an ISO-8601 time", key="start_time"
        ) from exc
    if start <= ctx.now:
        raise ApiError(
            400,
            "puppetlabs.orchestrator/invalid-time",
            "The start_time must be in the future",
            {"start_time": iso(start)},
        )
    interval = schedule.get("interval")
    if interval is not None and not (
        isinstance(interval, dict)
        and interval.get("units") == "seconds"
        and isinstance(interval.get("value"), int)
        and interval["value"] > 0
    ):
        raise validation_error(
            'interval must be null or {"value": <seconds>, "units": "seconds"}', key="interval"
        )
    env = body.get("environment") or "production"
    bind = _launcher(ctx, kind, _command_body(kind, env, data, body.get("description")))
    sched_id = ctx.engine.next_id()
    ctx.engine.schedule(
        ScheduledJob(
            id=sched_id,
            type=kind,
            owner=ctx.user,
            environment=env,
            input=data,
            start_time=start,
            interval=interval["value"] if interval else None,
            description=body.get("description") or "",
            userdata=body.get("userdata") or {},
            launch=bind(sched_id),
        )
    )
    return 200, {
        "scheduled_job": {
            "id": ctx.fmt.url("scheduled_jobs", "environment_jobs", sched_id),
            "name": ctx.fmt.name(sched_id),
        }
    }


def _view(ctx: Ctx, job: ScheduledJob) -> dict[str, Any]:
    last = job.last_run
    if last is not None:
        if "job" in last:
            path = "jobs" if last["job"]["kind"] == "job" else "plan_jobs"
            # `name` is a number here (2021.7.1 docs: "name": 42), unlike job items.
            ran = {"id": ctx.fmt.url(path, last["job"]["id"]), "name": last["job"]["id"]}
            last = {"time": iso(last["time"]), "job": ran}
        else:  # 2021.7.1 docs: the error sits in `job`, with the name it would have had
            last = {
                "time": iso(last["time"]),
                "job": {"submission_error": last["submission_error"], "name": last["name"]},
            }
    return {
        "id": ctx.fmt.url("scheduled_jobs", "environment_jobs", job.id),
        "name": ctx.fmt.name(job.id),
        "enabled": job.enabled,
        "environment": job.environment,
        "owner": owner(job.owner),
        "description": job.description,
        "type": job.type,
        "input": dict(job.input),
        "userdata": dict(job.userdata),
        "schedule": {
            "start_time": iso(job.start_time),
            "interval": {"value": job.interval, "units": "seconds"} if job.interval else None,
        },
        "next_run": {"time": iso(job.next_run)} if job.next_run is not None else None,
        "last_run": last,
    }


def _param(ctx: Ctx, name: str, allowed: tuple[str, ...] | None = None) -> str | None:
    value = ctx.req.param(name)
    if value is not None and allowed is not None and value not in allowed:
        raise query_error(f"The {name} parameter must be one of {', '.join(allowed)}", value)
    return value


def list_scheduled(ctx: Ctx) -> Reply:
    order_by = _param(ctx, "order_by", tuple(_ORDER)) or "next_run_time"
    order = _param(ctx, "order", ("asc", "desc")) or "asc"
    kind = _param(ctx, "type", ("deploy", "task", "plan"))
    try:
        limit = int(_param(ctx, "limit") or 0) or None
        offset = int(_param(ctx, "offset") or 0)
    except ValueError as exc:
        raise query_error("limit and offset must be integers", dict(ctx.req.query)) from exc
    jobs = [s for s in ctx.engine.scheduled.values() if kind is None or s.type == kind]
    jobs.sort(key=lambda s: (_ORDER[order_by](s), s.id), reverse=order == "desc")
    page = jobs[offset : offset + limit if limit else None]
    return 200, {
        "items": [_view(ctx, s) for s in page],
        "pagination": {
            "limit": limit,
            "offset": offset,
            "order": order,
            "order_by": order_by,
            "total": len(jobs),
        },
    }


def list_deprecated(ctx: Ctx) -> Reply:
    """GET /scheduled_jobs: deprecated, and always empty (orchestrator-api.md, scheduled jobs)."""
    return 200, {"items": []}


def show_scheduled(ctx: Ctx, sched_id: str) -> Reply:
    number = parse_int(sched_id, "scheduled job ID")
    job = ctx.engine.scheduled.get(number)
    if job is None:
        raise unknown_job(number, "scheduled job")
    return 200, _view(ctx, job)
