"""POST /command/plan_run, environment_plan_run and stop_plan: start or stop plan jobs."""

from __future__ import annotations

import logging
from typing import Any

from . import plans
from .commands import Reply, body_id, existing_environment
from .context import Ctx
from .errors import ApiError, not_permitted, unknown_job, validation_error
from .state import PlanSpec
from .validation import check_params, check_types, group_nodes, required, run_query

log = logging.getLogger(__name__)

PLAN_KEYS = {
    "plan_name": "string",
    "params": "object",
    "environment": "string",
    "description": "string",
    "timeout": "integer",
    "userdata": "object",
}


def build_plan(ctx: Ctx, body: dict[str, Any], resolve_params: bool) -> PlanSpec:
    check_types(body, PLAN_KEYS)
    if not isinstance(body.get("plan_name"), str) or not body["plan_name"]:
        raise validation_error(
            "The plan_name is not valid: it must be a non-empty string", key="plan_name"
        )
    name = body["plan_name"]
    env = existing_environment(ctx, body.get("environment") or "production")
    plan = ctx.world.plan(env, name)
    if plan is None:
        raise ApiError(
            404,
            "puppetlabs.orchestrator/unknown-plan",
            f"Could not find a plan named '{name}' in environment {env}",
            {"plan_name": name, "environment": env},
        )
    if not (plan.permitted and ctx.user.permissions.allows("plans", name)):
        raise not_permitted(
            f"{ctx.user.login} is not permitted to run the plan {name}", plan_name=name
        )
    given = body.get("params") or {}
    if resolve_params:
        given = _resolve_environment_params(ctx, given)
    params = check_params(f"Plan {name}", plan.metadata, given)
    options = {
        "description": body.get("description"),
        "plan_name": name,
        "parameters": given,
        "environment": env,
        "sensitive": [],
        "scheduled_job_id": None,  # a schedule's id when one started it (2021.7.1 plan-jobs)
    }
    return PlanSpec(
        plan=plan,
        owner=ctx.user,
        environment=env,
        params=params,
        options=options,
        userdata=body.get("userdata") or {},
    )


def _resolve_environment_params(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """environment_plan_run params: `{"value": v, "type": "query"|"node_group"}` per parameter."""
    resolved = {}
    for name, param in params.items():
        if not isinstance(param, dict) or "value" not in param:
            raise validation_error(
                f"Parameter '{name}' must be an object with a 'value' key", parameter=name
            )
        kind, value = param.get("type"), param["value"]
        if kind == "query":
            if not isinstance(value, str | list):
                raise validation_error(
                    f"Parameter '{name}': a query must be a string", parameter=name
                )
            value = run_query(ctx.world, value, ctx.puppetdb_down)
        elif kind == "node_group":
            if not isinstance(value, str):
                raise validation_error(
                    f"Parameter '{name}': a node group must be an ID", parameter=name
                )
            value = group_nodes(ctx.world, value, need_rules=False)
        elif kind is not None:
            raise validation_error(
                f"Parameter '{name}': type must be query or node_group", parameter=name
            )
        resolved[name] = value
    return resolved


def plan_run(ctx: Ctx) -> Reply:
    plan_job = ctx.engine.create_plan_job(build_plan(ctx, ctx.req.json_object(), False), ctx.now)
    return 202, {"name": ctx.fmt.name(plan_job.id)}


def environment_plan_run(ctx: Ctx) -> Reply:
    body = ctx.req.json_object()
    required(body, "params", "object")
    plan_job = ctx.engine.create_plan_job(build_plan(ctx, body, True), ctx.now)
    return 202, {"name": ctx.fmt.name(plan_job.id)}


def stop_plan(ctx: Ctx) -> Reply:
    body = ctx.req.json_object()
    plan_id = body_id(body, "plan_job", "plan job ID")
    plan_job = ctx.engine.plan_jobs.get(plan_id)
    if plan_job is None:
        raise unknown_job(plan_id, "plan job")
    plans.stop_plan(ctx.engine, plan_job, ctx.user.login, ctx.now)
    return 202, {"name": ctx.fmt.name(plan_id)}
