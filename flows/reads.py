"""Read-only commands: list and show tasks and plans, answered privately."""

from __future__ import annotations

from flows.asker import Asker
from flows.deps import Deps
from flows.messages import answer


def list_tasks(deps: Deps, asker: Asker, environment: str) -> None:
    listing = deps.orchestrator.tasks(environment)
    answer(
        deps,
        asker.response_url,
        "task_list",
        replace=asker.replace,
        environment=listing.environment or environment,
        items=[{"name": i.name, "permitted": i.permitted} for i in listing.items],
    )


def show_task(deps: Deps, asker: Asker, name: str, environment: str) -> None:
    info = deps.orchestrator.task_info(name, environment)
    answer(
        deps,
        asker.response_url,
        "task_show",
        replace=asker.replace,
        name=info.name,
        environment=info.environment or environment,
        description=info.description,
        supports_noop=info.supports_noop,
        params=list(info.parameters.values()),
    )


def list_plans(deps: Deps, asker: Asker, environment: str) -> None:
    listing = deps.orchestrator.plans(environment)
    answer(
        deps,
        asker.response_url,
        "plan_list",
        replace=asker.replace,
        environment=listing.environment or environment,
        items=[{"name": i.name, "permitted": i.permitted} for i in listing.items],
    )


def show_plan(deps: Deps, asker: Asker, name: str, environment: str) -> None:
    info = deps.orchestrator.plan_info(name, environment)
    answer(
        deps,
        asker.response_url,
        "plan_show",
        replace=asker.replace,
        name=info.name,
        environment=info.environment or environment,
        description=info.description,
        permitted=info.permitted,
        params=list(info.parameters.values()),
    )
