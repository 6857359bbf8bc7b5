"""A schedule request read back as the run-now request it stands for (pure), so what it reaches
and what the policy says of it are found exactly as for a run now.

The inverse of `schedules.schedule_request`: deploy input is the deploy body without its
environment; task input is `{name, parameters, scope, targets?, noop?}`; plan input is
`{name, parameters: {p: {value, type?}}}`, read as an environment_plan_run (whose parameters
have that shape), so a query or node-group parameter is seen as one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from orchestrator.requests import (
    DeployRequest,
    EnvironmentPlanRunRequest,
    ScheduleRequest,
    Scope,
    TaskRequest,
)

RunNow = DeployRequest | TaskRequest | EnvironmentPlanRunRequest


def run_now_of(request: ScheduleRequest) -> RunNow:
    """The run-now request a schedule's input stands for (without its description and marker:
    those belong to the schedule)."""
    data: Mapping[str, Any] = request.input
    if request.type == "deploy":
        body = {k: v for k, v in data.items() if k not in ("description", "userdata")}
        deploy: DeployRequest = DeployRequest.from_body(
            {**body, "environment": request.environment}
        )
        return deploy
    if request.type == "task":
        targets = data.get("targets")
        return TaskRequest(
            environment=request.environment,
            task=str(data.get("name", "")),
            params=dict(data.get("parameters") or {}),
            scope=Scope.from_body(data.get("scope") or {}),
            targets=tuple(targets) if isinstance(targets, list) else None,
            noop=data.get("noop"),
        )
    params = {
        str(k): (dict(v) if isinstance(v, Mapping) else {"value": v})
        for k, v in dict(data.get("parameters") or {}).items()
    }
    return EnvironmentPlanRunRequest(
        plan_name=str(data.get("name", "")), params=params, environment=request.environment
    )


def start_of(request: ScheduleRequest) -> datetime | None:
    """The schedule's start time (aware UTC), or None when it cannot be read."""
    raw = request.schedule.get("start_time")
    try:
        moment = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else None


def interval_of(request: ScheduleRequest) -> int | None:
    """Seconds between runs; None for a one-off."""
    every = request.schedule.get("interval")
    if not isinstance(every, Mapping):
        return None
    value = every.get("value")
    return int(value) if isinstance(value, int) and not isinstance(value, bool) and value else None
