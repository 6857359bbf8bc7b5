"""GET /jobs and /plan_jobs: lists with paging and ordering, details, nodes, reports and events."""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable
from typing import Any

from . import views
from .context import Ctx, iso, parse_iso
from .errors import ApiError, unknown_job, validation_error
from .state import NODE_STATES, Job, PlanJob
from .validation import parse_int

log = logging.getLogger(__name__)

Reply = tuple[int, Any]

_JOB_ORDER: dict[str, Callable[[Job], Any]] = {
    "owner": lambda j: j.spec.owner.login,
    "timestamp": lambda j: j.timestamp,
    "environment": lambda j: j.spec.environment,
    "name": lambda j: j.id,
    "state": lambda j: j.state,
}
_PLAN_ORDER: dict[str, Callable[[PlanJob], Any]] = {
    "owner": lambda p: p.spec.owner.login,
    "timestamp": lambda p: p.timestamp,
    "environment": lambda p: p.spec.environment,
    "name": lambda p: p.id,
    "state": lambda p: p.state,
}
_NODE_ORDER: dict[str, Callable[[Any], Any]] = {
    "name": lambda r: r.name,
    "duration": lambda r: (r.finish or 0) - (r.start or 0),
    "state": lambda r: r.state,
    "start_timestamp": lambda r: r.start or 0,
    "finish_timestamp": lambda r: r.finish or 0,
}


def _int_param(ctx: Ctx, name: str, default: int | None = None) -> int | None:
    raw = ctx.req.param(name)
    if raw is None:
        return default
    value = parse_int(raw, name)
    if value < 0:
        raise validation_error(f"The {name} parameter must not be negative", value=raw)
    return value


def _choice(ctx: Ctx, name: str, allowed: Any, default: str | None) -> str | None:
    value = ctx.req.param(name)
    if value is None:
        return default
    if value not in allowed:
        raise validation_error(
            f"The {name} parameter must be one of {', '.join(allowed)}", value=value
        )
    return value


def _time_param(ctx: Ctx, name: str) -> float | None:
    raw = ctx.req.param(name)
    if raw is None:
        return None
    try:
        return parse_iso(raw)
    except ValueError as exc:
        raise validation_error(
            f"The {name} parameter is not an ISO-8601 timestamp", value=raw
        ) from exc


def _page(
    items: list[Any], key: Callable[[Any], Any], ctx: Ctx, order_by: str
) -> tuple[list[Any], dict[str, Any]]:
    limit, offset = _int_param(ctx, "limit"), _int_param(ctx, "offset", 0) or 0
    order = _choice(ctx, "order", ("asc", "desc"), "asc") or "asc"
    ordered = sorted(
        items, key=lambda item: (key(item), getattr(item, "id", 0)), reverse=order == "desc"
    )
    page = ordered[offset : offset + limit if limit is not None else None]
    return page, {
        "limit": limit,
        "offset": offset,
        "order": order,
        "order_by": order_by,
        "total": len(items),
    }


def _finish_window(ctx: Ctx) -> Callable[[float | None], bool]:
    """A test for finish times within min/max_finish_timestamp (parameters checked up front)."""
    low, high = _time_param(ctx, "min_finish_timestamp"), _time_param(ctx, "max_finish_timestamp")
    if low is None and high is None:
        return lambda finished: True
    return lambda finished: (
        finished is not None
        and (low is None or finished >= low)
        and (high is None or finished <= high)
    )


def get_job(ctx: Ctx, job_id: str) -> Job:
    number = parse_int(job_id, "job ID")
    job = ctx.engine.jobs.get(number)
    if job is None:
        raise unknown_job(number)
    return job


def list_jobs(ctx: Ctx) -> Reply:
    if ctx.fmt.dialect.legacy_jobs:
        return _legacy_jobs(ctx)
    order_by = _choice(ctx, "order_by", tuple(_JOB_ORDER), "timestamp") or "timestamp"
    kind = _choice(ctx, "type", ("deploy", "task", "plan_task"), None)
    task = ctx.req.param("task")
    if task is not None and kind == "deploy":
        raise validation_error("The task parameter cannot be used with type=deploy", value=task)
    window = _finish_window(ctx)
    jobs = [
        j
        for j in ctx.engine.jobs.values()
        if (kind is None or j.kind == kind)
        and (task is None or (j.spec.task is not None and task in j.spec.task.name))
        and window(j.finished)
    ]
    page, pagination = _page(jobs, _JOB_ORDER[order_by], ctx, order_by)
    pagination["type"] = kind or ""
    body: dict[str, Any] = {"items": [views.job_summary(j, ctx.fmt) for j in page]}
    style = ctx.fmt.dialect.pagination
    if style != "none":  # 2019.8: {limit, offset, total}; 2021.7 on: the full object
        keep = ("limit", "offset", "total") if style == "short" else tuple(pagination)
        body["pagination"] = {k: pagination[k] for k in keep}
    return 200, body


def _legacy_jobs(ctx: Ctx) -> Reply:
    """PE 2016.5 docs: GET /jobs takes only `limit`, "the most recent n jobs" (other parameters
    are ignored here), listed oldest first, without pagination."""
    limit = _int_param(ctx, "limit")
    recent = sorted(ctx.engine.jobs.values(), key=lambda j: (j.timestamp, j.id))
    page = recent[-limit:] if limit else recent
    return 200, {"items": [views.job_summary(j, ctx.fmt) for j in page]}


def show_job(ctx: Ctx, job_id: str) -> Reply:
    return 200, views.job_detail(get_job(ctx, job_id), ctx.fmt)


def job_nodes(ctx: Ctx, job_id: str) -> Reply:
    job = get_job(ctx, job_id)
    state = _choice(ctx, "state", NODE_STATES, None)
    order_by = _choice(ctx, "order_by", tuple(_NODE_ORDER), "name") or "name"
    runs = [r for r in job.nodes if state is None or r.state == state]
    page, _ = _page(runs, _NODE_ORDER[order_by], ctx, order_by)
    following = job.events[-1].id + 1 if job.events else 1
    if ctx.fmt.dialect.legacy_jobs:  # PE 2016 node lists: only `items`
        return 200, {"items": [views.node_item(ctx.world, job, r, ctx.fmt) for r in page]}
    return 200, {
        "next-events": {
            "id": f"{ctx.fmt.url('jobs', job.id, 'events')}?start={following}",
            "event": ctx.fmt.name(following),
        },
        "items": [views.node_item(ctx.world, job, r, ctx.fmt) for r in page],
    }


def job_report(ctx: Ctx, job_id: str) -> Reply:
    job = get_job(ctx, job_id)
    by_node: dict[str, list[dict[str, Any]]] = {r.name: [] for r in job.nodes}
    for event in job.events:
        if event.run is not None:
            by_node[event.run.name].append(views.job_event(ctx.world, job, event, ctx.fmt))
    items = [
        {"node": r.name, "state": r.state, "timestamp": iso(job.created), "events": by_node[r.name]}
        for r in job.nodes
    ]
    return 200, {"items": items}


def _start(ctx: Ctx) -> int:
    raw = ctx.req.param("start")
    return 0 if raw is None else parse_int(raw, "start")


def job_events(ctx: Ctx, job_id: str) -> Reply:
    job = get_job(ctx, job_id)
    start = _start(ctx)
    items = job.events[bisect.bisect_left(job.events, start, key=lambda e: e.id) :]
    return 200, {
        "next-events": views.next_events(ctx.fmt, start, with_event=False),
        "items": [views.job_event(ctx.world, job, e, ctx.fmt) for e in items],
    }


def get_plan_job(ctx: Ctx, plan_id: str) -> PlanJob:
    number = parse_int(plan_id, "plan job ID")
    plan_job = ctx.engine.plan_jobs.get(number)
    if plan_job is None:
        raise unknown_job(number, "plan job")
    return plan_job


def list_plan_jobs(ctx: Ctx) -> Reply:
    order_by = _choice(ctx, "order_by", tuple(_PLAN_ORDER), "timestamp") or "timestamp"
    results = _choice(ctx, "results", ("include", "exclude"), "include")
    window = _finish_window(ctx)
    plan_jobs = [p for p in ctx.engine.plan_jobs.values() if window(p.finished)]
    page, pagination = _page(plan_jobs, _PLAN_ORDER[order_by], ctx, order_by)
    items = [views.plan_summary(p, ctx.fmt, with_result=results == "include") for p in page]
    return 200, {
        "items": items,
        "pagination": {k: pagination[k] for k in ("limit", "offset", "total")},
    }


def show_plan_job(ctx: Ctx, plan_id: str) -> Reply:
    return 200, views.plan_detail(get_plan_job(ctx, plan_id), ctx.engine.jobs, ctx.fmt)


def plan_job_events(ctx: Ctx, plan_id: str) -> Reply:
    plan_job = get_plan_job(ctx, plan_id)
    start = _start(ctx)
    items = plan_job.events[bisect.bisect_left(plan_job.events, start, key=lambda e: e.id) :]
    return 200, {
        "next-events": views.next_events(ctx.fmt, start, with_event=True),
        "items": [views.plan_event(e, ctx.fmt, truncate=True) for e in items],
    }


def plan_job_event(ctx: Ctx, plan_id: str, event_id: str) -> Reply:
    plan_job = get_plan_job(ctx, plan_id)
    number = parse_int(event_id, "event ID")
    event = next((e for e in plan_job.events if e.id == number), None)
    if event is None:
        raise ApiError(
            404,
            "puppetlabs.orchestrator/mismatched-job-event-id",
            f"Event {number} does not belong to plan job {plan_job.id}",
            {"job-id": str(plan_job.id), "event-id": str(number)},
        )
    return 200, views.plan_event(event, ctx.fmt, truncate=False)
