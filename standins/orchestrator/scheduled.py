"""Scheduled environment jobs: create (POST), edit or soft-delete (PUT), and the deprecated routes.

As documented for PE 2021.7 and later (orchestrator-api.md, scheduled jobs; help.puppet.com
"PUT /scheduled_jobs/environment_jobs/<job-id>"): a scheduled job is validated as the command it
stands for would be, stored, and started as a real job at `next_run`, then every `interval`
seconds. There is no DELETE: `PUT {"enabled": false}` is PE's soft delete, and a disabled job
cannot be edited again. Reads are in scheduled_views.py.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

from . import commands, plan_commands
from .context import Ctx, iso, parse_iso
from .errors import ORCH, ApiError, not_permitted, unknown_job, validation_error
from .state import ScheduledJob
from .validation import check_types, parse_int, required

log = logging.getLogger(__name__)

Reply = tuple[int, Any]
KINDS = ("deploy", "task", "plan")
# The keys a PUT may replace (the PUT page: "input, environment, schedule, description,
# userdata, and enabled"); anything else is refused rather than silently ignored.
EDITABLE = {
    "input": "object",
    "environment": "string",
    "schedule": "object",
    "description": "string",
    "userdata": "object",
    "enabled": "boolean",
}
Launch = Callable[[float], tuple[str, int]]


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


def _launcher(ctx: Ctx, kind: str, body: dict[str, Any]) -> Callable[[int], Launch]:
    """Validate the job now, and return how to start it later (given the scheduled job id)."""
    build = {"deploy": commands.build_deploy, "task": commands.build_task}.get(kind)
    if build is None:
        plan_commands.build_plan(ctx, body, True)
    else:
        build(ctx, body)

    def bind(sched_id: int) -> Launch:
        def launch(now: float) -> tuple[str, int]:
            # Checked again as things are when its time comes: PuppetDB may be down by then.
            live = dataclasses.replace(ctx, now=now, puppetdb_down=ctx.engine.puppetdb_down())
            if build is None:
                # Plan jobs carry `scheduled_job_id` (2021.7.1 plan-jobs.json: "116").
                spec = plan_commands.build_plan(live, body, True)
                options = {**spec.options, "scheduled_job_id": str(sched_id)}
                plan_job = ctx.engine.create_plan_job(
                    dataclasses.replace(spec, options=options), now
                )
                return "plan_job", plan_job.id
            spec = build(live, body)
            if kind == "task":  # task jobs: `scheduled-job-id` (go-pe-client capture: "123")
                spec = dataclasses.replace(
                    spec, options={**spec.options, "scheduled-job-id": str(sched_id)}
                )
            # Deploy jobs: the documented options have no scheduled job id, so none is added;
            # the run is found through the scheduled job's `last_run` (WORLD.md).
            return "job", ctx.engine.create_job(spec, now).id

        return launch

    return bind


def _start_time(ctx: Ctx, schedule: dict[str, Any]) -> float:
    try:
        start = parse_iso(required(schedule, "start_time", "string"))
    except ValueError as exc:
        raise validation_error(
            "schedule.start_time is not an ISO-8601 time", key="start_time"
        ) from exc
    if start <= ctx.now:
        raise ApiError(
            400,
            ORCH + "invalid-time",
            "The start_time must be in the future",
            {"start_time": iso(start)},
        )
    return start


def _interval(schedule: dict[str, Any]) -> int | None:
    interval = schedule.get("interval")
    if interval is not None and not (
        isinstance(interval, dict)
        and interval.get("units") == "seconds"
        and isinstance(interval.get("value"), int)
        and not isinstance(interval.get("value"), bool)
        and interval["value"] > 0
    ):
        raise validation_error(
            'interval must be null or {"value": <seconds>, "units": "seconds"}', key="interval"
        )
    return interval["value"] if interval else None


def _kind(body: dict[str, Any]) -> str:
    kind = required(body, "type", "string")
    if kind not in KINDS:
        raise validation_error("type must be one of deploy, task or plan", key="type")
    return kind


def create(ctx: Ctx) -> Reply:
    body = ctx.req.json_object()
    check_types(body, {**EDITABLE, "type": "string"})
    kind = _kind(body)
    data = required(body, "input", "object")
    schedule = required(body, "schedule", "object")
    start, interval = _start_time(ctx, schedule), _interval(schedule)
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
            interval=interval,
            description=body.get("description") or "",
            userdata=body.get("userdata") or {},
            launch=bind(sched_id),
        )
    )
    return 200, _reply(ctx, sched_id)


def _reply(ctx: Ctx, sched_id: int) -> dict[str, Any]:
    return {
        "scheduled_job": {
            "id": ctx.fmt.url("scheduled_jobs", "environment_jobs", sched_id),
            "name": ctx.fmt.name(sched_id),
        }
    }


def update(ctx: Ctx, sched_id: str) -> Reply:
    """PUT: the given top-level keys replace the stored ones; `{"enabled": false}` disables."""
    number = parse_int(sched_id, "scheduled job ID")
    job = ctx.engine.scheduled.get(number)
    if job is None:
        raise unknown_job(number, "scheduled job")
    body = ctx.req.json_object()
    unknown = sorted(set(body) - set(EDITABLE))
    if unknown:
        raise validation_error(
            f"A scheduled job has no editable key {unknown[0]!r}; "
            "send input, environment, schedule, description, userdata or enabled",
            key=unknown[0],
        )
    check_types(body, EDITABLE)
    _may_edit(ctx, job)
    if not job.enabled:
        raise ApiError(
            400,
            ORCH + "disabled-scheduled-job",
            f"The scheduled job {number} is disabled and cannot be edited",
            {"id": str(number)},
        )
    data = body.get("input", job.input)
    env = body.get("environment", job.environment)
    description = body.get("description", job.description)
    schedule = body.get("schedule")
    start = _start_time(ctx, schedule) if schedule is not None else job.start_time
    interval = _interval(schedule) if schedule is not None else job.interval
    launch = job.launch
    if "input" in body or "environment" in body:  # checked as a new request would be
        owner_ctx = dataclasses.replace(ctx, user=job.owner)
        launch = _launcher(owner_ctx, job.type, _command_body(job.type, env, data, description))(
            number
        )
    job.input, job.environment, job.description, job.launch = data, env, description, launch
    job.userdata = body.get("userdata", job.userdata)
    if schedule is not None:
        job.start_time, job.interval = start, interval
        ctx.engine.reschedule(job, start)
    if body.get("enabled") is False:
        job.enabled = False
        ctx.engine.reschedule(job, None)  # never runs again; next_run shows null
    return 200, _reply(ctx, number)


def _may_edit(ctx: Ctx, job: ScheduledJob) -> None:
    """The PUT page lists POST's errors among its own: a caller who could not have made the
    job (may not run what it stands for, in its environment) may not edit or disable it
    either, 403 not-permitted. Who owns it is not checked (PE's documents do not say)."""
    perms, login = ctx.user.permissions, ctx.user.login
    name = str(job.input.get("name") or "")
    may = perms.allows("environments", job.environment) and (
        perms.deploy
        if job.type == "deploy"
        else perms.allows("tasks" if job.type == "task" else "plans", name)
    )
    if not may:
        what = "Puppet runs" if job.type == "deploy" else f"the {job.type} {name}"
        raise not_permitted(
            f"{login} may not edit or disable the scheduled job {job.id} ({what})", id=str(job.id)
        )


def delete_deprecated(ctx: Ctx, sched_id: str) -> Reply:
    """DELETE /scheduled_jobs/<id>: deprecated, "the response is always 204 No Content", and it
    cannot find the new jobs to delete (help.puppet.com, 2023.8)."""
    return 204, None
