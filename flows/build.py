"""Complete requests that need the orchestrator's metadata: typed task and plan parameters."""

from __future__ import annotations

from typing import Any

from commands.intents import RunPlan, RunTask, UsageError
from commands.ptypes import ParamError, coerce_params
from orchestrator.client import OrchestratorClient
from orchestrator.models import PlanInfo
from orchestrator.requests import EnvironmentPlanRunRequest, PlanRunRequest, TaskRequest


def task_request(client: OrchestratorClient, intent: RunTask) -> TaskRequest:
    """Parameters typed from GET /tasks/<module>/<task>: `count=3` is sent as a number when the
    task declares Integer, and a value that does not fit is refused before anything runs."""
    info = client.task_info(intent.task, intent.environment)
    try:
        params = coerce_params(intent.raw_params, intent.json_params, info.parameters)
    except ParamError as exc:
        raise UsageError(_problems(f"task {intent.task}", exc), command="/task") from None
    if intent.noop and not info.supports_noop:
        raise UsageError(
            f"task {intent.task} does not support --noop, so it cannot be "
            "dry-run; leave --noop out to run it for real",
            command="/task",
        )
    return TaskRequest(
        environment=intent.environment,
        task=intent.task,
        params=params,
        scope=intent.scope,
        noop=intent.noop,
        timeout=intent.timeout,
        description=intent.description,
        userdata=intent.userdata,
    )


def plan(
    client: OrchestratorClient, intent: RunPlan
) -> tuple[PlanRunRequest | EnvironmentPlanRunRequest, tuple[str, ...]]:
    """The plan request, and the names of its parameters that are targets: those typed
    TargetSpec in the plan's metadata, and those given as a query or a node group."""
    info = client.plan_info(intent.plan, intent.environment or "production")
    request = _plan_request(info, intent)
    targets = {n for n, spec in info.parameters.items() if "TargetSpec" in spec.type}
    targets |= set(intent.scoped_params)
    return request, tuple(sorted(targets))


def plan_request(
    client: OrchestratorClient, intent: RunPlan
) -> PlanRunRequest | EnvironmentPlanRunRequest:
    """plan_run, or environment_plan_run when a parameter is a query or a node group."""
    return plan(client, intent)[0]


def _plan_request(info: PlanInfo, intent: RunPlan) -> PlanRunRequest | EnvironmentPlanRunRequest:
    if not info.permitted:
        raise UsageError(
            f"the bot's PE user is not permitted to run plan {intent.plan} "
            "(GET /plans says permitted: false); a PE admin can grant it in RBAC",
            command="/plan",
        )
    try:
        params = coerce_params(
            intent.raw_params,
            intent.json_params,
            info.parameters,
            elsewhere=tuple(intent.scoped_params),
        )
    except ParamError as exc:
        raise UsageError(_problems(f"plan {intent.plan}", exc), command="/plan") from None
    common: dict[str, Any] = {
        "plan_name": intent.plan,
        "environment": intent.environment,
        "description": intent.description,
        "timeout": intent.timeout,
        "userdata": intent.userdata,
    }
    if not intent.scoped_params:
        return PlanRunRequest(params=params, **common)
    typed = {k: {"value": v} for k, v in params.items()}
    typed.update(
        {k: {"type": kind, "value": value} for k, (kind, value) in intent.scoped_params.items()}
    )
    return EnvironmentPlanRunRequest(params=typed, **common)


def _problems(what: str, exc: ParamError) -> str:
    return f"The parameters do not fit {what}: " + "; ".join(exc.problems)
