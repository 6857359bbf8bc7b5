"""Read-only commands: list and show tasks and plans, answered privately."""

from __future__ import annotations

from typing import Literal

from flows.asker import Asker
from flows.deps import Deps
from flows.messages import answer
from orchestrator.models import PlanInfo, TaskInfo

Kind = Literal["task", "plan"]


def list_all(deps: Deps, asker: Asker, kind: Kind, environment: str) -> None:
    """`/task list`, `/plan list`: GET /tasks or GET /plans."""
    read = deps.orchestrator.tasks if kind == "task" else deps.orchestrator.plans
    listing = read(environment)
    answer(
        deps,
        asker.response_url,
        f"{kind}_list",
        replace=asker.replace,
        environment=listing.environment or environment,
        items=[{"name": i.name, "permitted": i.permitted} for i in listing.items],
    )


def show(deps: Deps, asker: Asker, kind: Kind, name: str, environment: str) -> None:
    """`/task show`, `/plan show`: the metadata, parameters and types."""
    info: TaskInfo | PlanInfo
    if kind == "task":
        info = deps.orchestrator.task_info(name, environment)
        extra = {"supports_noop": info.supports_noop}
    else:
        info = deps.orchestrator.plan_info(name, environment)
        extra = {"permitted": info.permitted}
    answer(
        deps,
        asker.response_url,
        f"{kind}_show",
        replace=asker.replace,
        name=info.name,
        environment=info.environment or environment,
        description=info.description,
        params=list(info.parameters.values()),
        **extra,
    )
