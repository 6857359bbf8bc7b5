"""POST /command/*: validate each request as the documentation describes, then start the job."""

from __future__ import annotations

import logging
from typing import Any

from .context import Ctx
from .errors import ApiError, not_permitted, unknown_environment, unknown_job, validation_error
from .state import JobSpec
from .validation import (
    check_environment_name,
    check_params,
    check_targets,
    check_types,
    parse_int,
    required,
    resolve_scope,
)
from .views import node_counts

log = logging.getLogger(__name__)

Reply = tuple[int, Any]

DEPLOY_KEYS = {
    "environment": "string",
    "scope": "object",
    "concurrency": "integer",
    "debug": "boolean",
    "description": "string",
    "enforce_environment": "boolean",
    "evaltrace": "boolean",
    "filetimeout": "integer",
    "http_connect_timeout": "integer",
    "http_keepalive_timeout": "integer",
    "http_read_timeout": "integer",
    "noop": "boolean",
    "no_noop": "boolean",
    "ordering": "string",
    "skip_tags": "string",
    "tags": "string",
    "trace": "boolean",
    "use_cached_catalog": "boolean",
    "usecacheonfailure": "boolean",
    "userdata": "object",
    "timeout": "integer",
}
TASK_KEYS = {
    "environment": "string",
    "scope": "object",
    "description": "string",
    "noop": "boolean",
    "params": "object",
    "targets": "array",
    "task": "string",
    "timeout": "integer",
    "userdata": "object",
    "concurrency": "integer",
}


def existing_environment(ctx: Ctx, name: str) -> str:
    check_environment_name(name)
    if ctx.world.environment(name) is None:
        raise unknown_environment(name)
    if not ctx.user.permissions.allows("environments", name):
        raise not_permitted(
            f"{ctx.user.login} may not run jobs in environment {name}", environment=name
        )
    return name


def _concurrency(body: dict[str, Any]) -> int | None:
    value = body.get("concurrency")
    if value is not None and value < 1:
        raise validation_error("The value of 'concurrency' must be at least 1", key="concurrency")
    return value


def build_deploy(ctx: Ctx, body: dict[str, Any]) -> JobSpec:
    check_types(body, DEPLOY_KEYS)
    env = required(body, "environment", "string")
    if body.get("noop") and body.get("no_noop"):
        raise validation_error("The noop and no_noop flags cannot both be true", key="no_noop")
    enforce = body.get("enforce_environment", True)
    if env == "":
        if enforce is not False:
            raise validation_error(
                "enforce_environment must be false when environment is an empty string",
                key="enforce_environment",
            )
        if "scope" not in body:
            raise validation_error(
                "A scope is required when environment is an empty string", key="scope"
            )
    else:
        existing_environment(ctx, env)
    if not ctx.user.permissions.deploy:
        raise not_permitted(f"{ctx.user.login} may not run Puppet on nodes")
    if "scope" in body:
        nodes = resolve_scope(ctx.world, body["scope"], env, ctx.puppetdb_down)
    else:  # no scope: the whole environment
        nodes = ctx.world.nodes_in(env)
        if not nodes:
            raise ApiError(
                400,
                "puppetlabs.orchestrator/empty-environment",
                f"The environment {env} contains no nodes.",
                {"environment": env},
            )
    options = {
        "concurrency": None,
        "noop": False,
        "trace": False,
        "debug": False,
        "evaltrace": False,
        "enforce_environment": enforce,
        "environment": env,
        "scope": body.get("scope", {}),
        "target": None,
    }
    options.update({k: body[k] for k in DEPLOY_KEYS if k in body and k != "userdata"})
    return JobSpec(
        kind="deploy",
        owner=ctx.user,
        environment=env,
        nodes=tuple(nodes),
        options=options,
        userdata=body.get("userdata") or {},
        noop=bool(body.get("noop")),
        concurrency=_concurrency(body),
    )


def build_task(ctx: Ctx, body: dict[str, Any]) -> JobSpec:
    check_types(body, TASK_KEYS)
    name = required(body, "task", "string")
    params = required(body, "params", "object")
    scope = required(body, "scope", "object")
    env = existing_environment(ctx, body.get("environment") or "production")
    task = ctx.world.task(env, name)
    if task is None:
        raise ApiError(
            404,
            "puppetlabs.orchestrator/unknown-task",
            f"Could not find a task named '{name}' in environment {env}",
            {"task": name, "environment": env},
        )
    if not ctx.user.permissions.allows("tasks", name):
        raise not_permitted(f"{ctx.user.login} may not run the task {name}", task=name)
    if body.get("noop") and not task.metadata.get("supports_noop", False):
        raise validation_error(f"Task {name} does not support noop", task=name)
    check_params(f"Task {name}", task.metadata, params)
    nodes = resolve_scope(ctx.world, scope, env, ctx.puppetdb_down)
    transports = check_targets(body["targets"], nodes, env) if "targets" in body else {}
    options = {
        "description": body.get("description"),
        "transport": "pxp",
        "noop": bool(body.get("noop")),
        "task": name,
        "sensitive": [],
        "scheduled-job-id": None,  # a schedule's id when one started it (2021.7.1 jobs.json)
        "params": params,
        "scope": scope,
        "environment": env,
    }
    options.update({k: body[k] for k in ("concurrency", "timeout") if k in body})
    return JobSpec(
        kind="task",
        owner=ctx.user,
        environment=env,
        nodes=tuple(nodes),
        options=options,
        userdata=body.get("userdata") or {},
        noop=bool(body.get("noop")),
        concurrency=_concurrency(body),
        task=task,
        params=params,
        transports=transports,
    )


def _job_reply(ctx: Ctx, job_id: int) -> Reply:
    return 202, {"job": {"id": ctx.fmt.url("jobs", job_id), "name": ctx.fmt.name(job_id)}}


def deploy(ctx: Ctx) -> Reply:
    job = ctx.engine.create_job(build_deploy(ctx, ctx.req.json_object()), ctx.now)
    return _job_reply(ctx, job.id)


def task(ctx: Ctx) -> Reply:
    job = ctx.engine.create_job(build_task(ctx, ctx.req.json_object()), ctx.now)
    return _job_reply(ctx, job.id)


def body_id(body: dict[str, Any], key: str, what: str) -> int:
    if body.get(key) is None:
        raise validation_error(f"The key '{key}' is required", key=key)
    return parse_int(body[key], what)


def stop(ctx: Ctx) -> Reply:
    body = ctx.req.json_object()
    job_id = body_id(body, "job", "job ID")
    check_types(body, {"force": "boolean"})
    job = ctx.engine.jobs.get(job_id)
    if job is None:
        raise unknown_job(job_id)
    ctx.engine.stop_job(job, bool(body.get("force")), ctx.now)
    return 202, {
        "job": {
            "id": ctx.fmt.url("jobs", job.id),
            "name": ctx.fmt.name(job.id),
            "nodes": node_counts(job),
        }
    }


def task_target(ctx: Ctx) -> Reply:
    body = ctx.req.json_object()
    name = body.get("display_name")
    if not isinstance(name, str) or not name.strip():
        raise validation_error(
            "display_name is required and must be a non-empty string", key="display_name"
        )
    if "all_tasks" in body and not isinstance(body["all_tasks"], bool):
        raise validation_error("all_tasks must be a Boolean", key="all_tasks")
    all_tasks = body.get("all_tasks") is True
    tasks = body.get("tasks")
    if not all_tasks:
        if not tasks:
            raise validation_error(
                "tasks is required and must not be empty unless all_tasks is true", key="tasks"
            )
        check_types(body, {"tasks": "strings"})
    for key in ("nodes", "node_groups"):
        required(body, key, "strings")
    check_types(body, {"pql_query": "string"})
    target_id = ctx.engine.next_id()
    record = {
        "id": target_id,
        "name": str(target_id),
        "display_name": name,
        "nodes": body["nodes"],
        "node_groups": body["node_groups"],
    }
    record.update({"all_tasks": True} if all_tasks else {"tasks": tasks})
    if "pql_query" in body:
        record["pql_query"] = body["pql_query"]
    ctx.engine.task_targets[target_id] = record
    return 200, {
        "task_target": {
            "id": ctx.fmt.url("scopes", "task_targets", target_id),
            "name": ctx.fmt.name(target_id),
        }
    }
