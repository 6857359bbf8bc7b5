"""Read-only endpoints backed by the world: root, tasks, plans, inventory, usage, task targets."""

from __future__ import annotations

import hashlib
import logging
import re
import time
from typing import Any

from .context import Ctx, iso, parse_iso
from .errors import ApiError, unknown_environment, validation_error
from .validation import check_environment_name, is_kind, parse_int
from .world import TaskDef

log = logging.getLogger(__name__)

Reply = tuple[int, Any]
_SEGMENT = re.compile(r"^[a-z][a-z0-9_]*$")
_DAY = 86400


def root(ctx: Ctx) -> Reply:
    link = lambda name, *path: {"name": name, "id": ctx.fmt.url(*path)}  # noqa: E731
    return 200, {
        "info": {
            "title": "Application Management API (EXPERIMENTAL)",
            "description": "Multi-purpose API for performing application management operations",
            "warning": "This version of the API is experimental, and might change in "
            "backwards-incompatible ways in the future",
            "version": "0.1",
            "license": {
                "name": "Puppet Enterprise License",
                "url": "https://puppetlabs.com/puppet-enterprise-components-licenses",
            },
        },
        "status": link("status", "status"),
        "collections": [link("environments", "environments"), link("jobs", "jobs")],
        "commands": [link("deploy", "command", "deploy"), link("stop", "command", "stop")],
    }


def _environment(ctx: Ctx) -> str:
    name = check_environment_name(ctx.req.param("environment") or "production")
    if ctx.world.environment(name) is None:
        raise unknown_environment(name)
    return name


def _env_object(ctx: Ctx, name: str) -> dict[str, Any]:
    env = ctx.world.environment(name)
    return {"name": name, "code_id": env.code_id if env else None}


def _check_segments(module: str, name: str) -> None:
    for segment in (module, name):
        if not _SEGMENT.match(segment):
            raise validation_error(f"'{segment}' is not a legal module or item name", value=segment)


def list_tasks(ctx: Ctx) -> Reply:
    env = _environment(ctx)
    items = [
        {"id": ctx.fmt.url("tasks", *t.path.split("/")), "name": t.name}
        for t in ctx.world.tasks_in(env)
    ]
    return 200, {"environment": _env_object(ctx, env), "items": items}


def _task_files(task: TaskDef, env: str) -> list[dict[str, Any]]:
    module, short = task.path.split("/")
    filename = f"{short}.sh"
    digest = hashlib.sha256(f"{task.name}/{env}".encode()).hexdigest()
    return [
        {
            "filename": filename,
            "uri": {"path": f"/{module}/tasks/{filename}", "params": {"environment": env}},
            "sha256": digest,
            "size_bytes": 300 + int(digest[:3], 16),
        }
    ]


def show_task(ctx: Ctx, module: str, name: str) -> Reply:
    _check_segments(module, name)
    env = _environment(ctx)
    full = module if name == "init" else f"{module}::{name}"
    task = ctx.world.task(env, full)
    if task is None:
        raise ApiError(
            404,
            "puppetlabs.orchestrator/unknown-task",
            f"Could not find a task named '{full}' in environment {env}",
            {"task": full, "environment": env},
        )
    return 200, {
        "id": ctx.fmt.url("tasks", module, name),
        "name": task.name,
        "environment": _env_object(ctx, env),
        "metadata": dict(task.metadata),
        "files": _task_files(task, env),
    }


def _permitted(ctx: Ctx, plan: Any) -> bool:
    return plan.permitted and ctx.user.permissions.allows("plans", plan.name)


def list_plans(ctx: Ctx) -> Reply:
    env = _environment(ctx)
    items = [
        {
            "id": ctx.fmt.url("plans", *p.path.split("/")),
            "name": p.name,
            "permitted": _permitted(ctx, p),
        }
        for p in ctx.world.plans_in(env)
    ]
    return 200, {"environment": _env_object(ctx, env), "items": items}


def show_plan(ctx: Ctx, module: str, name: str) -> Reply:
    _check_segments(module, name)
    env = _environment(ctx)
    full = module if name == "init" else f"{module}::{name}"
    plan = ctx.world.plan(env, full)
    if plan is None:
        raise ApiError(
            404,
            "puppetlabs.orchestrator/unknown-plan",
            f"Could not find a plan named '{full}' in environment {env}",
            {"plan_name": full, "environment": env},
        )
    return 200, {
        "id": ctx.fmt.url("plans", module, name),
        "name": plan.name,
        "environment": _env_object(ctx, env),
        "metadata": dict(plan.metadata),
        "permitted": _permitted(ctx, plan),
    }


def _broker_up(ctx: Ctx) -> None:
    if ctx.pcp_broker_down:
        raise ApiError(
            500,
            "puppetlabs.orchestrator/pcp-broker-unavailable",
            "The PCP broker could not be reached",
            {},
        )


def _inventory_record(ctx: Ctx, name: str) -> dict[str, Any]:
    node = ctx.world.node(name)
    if node is None or not node.reachable:
        return {"name": name, "connected": False}
    spread = int(hashlib.md5(name.encode()).hexdigest()[:4], 16) % 600
    connected_at = ctx.now - 3600 - spread  # connected an hour or so ago
    return {
        "name": name,
        "connected": True,
        "broker": ctx.world.settings.broker,
        "timestamp": iso(connected_at, millis=True),
    }


def inventory(ctx: Ctx) -> Reply:
    """Every node, `connected: false` (no broker or timestamp) for those without a PXP agent
    connected: exactly the nodes whose PCP runs error "not connected to the PCP broker"
    (2021.7.1 docs, inventory.json node3)."""
    _broker_up(ctx)
    return 200, {"items": [_inventory_record(ctx, n.certname) for n in ctx.world.nodes]}


def inventory_node(ctx: Ctx, node: str) -> Reply:
    _broker_up(ctx)
    return 200, _inventory_record(ctx, node)


def inventory_check(ctx: Ctx) -> Reply:
    _broker_up(ctx)
    body = ctx.req.json_object()
    if not is_kind(body.get("nodes"), "strings"):
        raise validation_error("nodes must be an array of node names", key="nodes")
    return 200, {"items": [_inventory_record(ctx, n) for n in body["nodes"]]}


def _date(ctx: Ctx, name: str, default: float) -> float:
    raw = ctx.req.param(name)
    if raw is None:
        return default
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raise validation_error(f"The {name} parameter must be a date like 2024-01-31", value=raw)
    try:
        return parse_iso(raw)
    except ValueError as exc:
        raise validation_error(f"The {name} parameter is not a valid date", value=raw) from exc


def usage(ctx: Ctx) -> Reply:
    today = ctx.now - ctx.now % _DAY
    end = _date(ctx, "end_date", today)
    start = _date(ctx, "start_date", end - 6 * _DAY)
    if start > end:
        raise validation_error("start_date must not be after end_date")
    agents = sum(1 for n in ctx.world.nodes if n.connected)
    items = []
    for day in range(int(end), int(start) - 1, -_DAY):
        jobs = [j for j in ctx.engine.jobs.values() if day <= j.created < day + _DAY]
        task_nodes = {r.name for j in jobs if j.kind != "deploy" for r in j.nodes}
        plan_nodes = {r.name for j in jobs if j.kind == "plan_task" for r in j.nodes}
        changed = sum(j.counts.get("finished", 0) for j in jobs if j.kind == "deploy")
        items.append(
            {
                "date": time.strftime("%Y-%m-%d", time.gmtime(day)),
                "total_nodes": len(ctx.world.nodes),
                "nodes_with_agent": agents,
                "nodes_without_agent": len(ctx.world.nodes) - agents,
                "corrective_agent_changes": 0,
                "intentional_agent_changes": changed,
                "nodes_affected_by_task_runs": len(task_nodes),
                "nodes_affected_by_plan_runs": len(plan_nodes),
            }
        )
    dates = {
        "start_date": time.strftime("%Y-%m-%d", time.gmtime(start)),
        "end_date": time.strftime("%Y-%m-%d", time.gmtime(end)),
    }
    return 200, {"items": items, "pagination": dates}


def _task_target_view(ctx: Ctx, record: dict[str, Any]) -> dict[str, Any]:
    return {
        **record,
        "id": ctx.fmt.url("scopes", "task_targets", record["id"]),
        "name": ctx.fmt.name(record["id"]),
    }


def list_task_targets(ctx: Ctx) -> Reply:
    return 200, {"items": [_task_target_view(ctx, r) for r in ctx.engine.task_targets.values()]}


def show_task_target(ctx: Ctx, target_id: str) -> Reply:
    number = parse_int(target_id, "task-target ID")
    record = ctx.engine.task_targets.get(number)
    if record is None:
        raise ApiError(
            404,
            "puppetlabs.orchestrator/unknown-task-target",
            f"No task-target with id '{number}'",
            {"id": str(number)},
        )
    return 200, _task_target_view(ctx, record)
