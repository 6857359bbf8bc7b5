"""The /orchestrator/v1 route table: method and path template to handler."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from . import catalog, commands, plan_commands, reads, scheduled, scheduled_views
from .errors import ApiError

log = logging.getLogger(__name__)

PREFIX = "/orchestrator/v1"
Handler = Callable[..., tuple[int, Any]]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler

    @property
    def name(self) -> str:
        """How statistics name the route, e.g. `GET /jobs/{job_id}/events`."""
        return f"{self.method} {self.template or '/'}"


def _route(method: str, template: str, handler: Handler) -> Route:
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
    return Route(method, template, re.compile(f"^{regex}$"), handler)


ROUTES = (
    _route("GET", "", catalog.root),
    _route("POST", "/command/deploy", commands.deploy),
    _route("POST", "/command/task", commands.task),
    _route("POST", "/command/plan_run", plan_commands.plan_run),
    _route("POST", "/command/environment_plan_run", plan_commands.environment_plan_run),
    _route("POST", "/command/stop", commands.stop),
    _route("POST", "/command/stop_plan", plan_commands.stop_plan),
    _route("POST", "/command/task_target", commands.task_target),
    _route("GET", "/jobs", reads.list_jobs),
    _route("GET", "/jobs/{job_id}", reads.show_job),
    _route("GET", "/jobs/{job_id}/nodes", reads.job_nodes),
    _route("GET", "/jobs/{job_id}/report", reads.job_report),
    _route("GET", "/jobs/{job_id}/events", reads.job_events),
    _route("GET", "/plan_jobs", reads.list_plan_jobs),
    _route("GET", "/plan_jobs/{plan_id}", reads.show_plan_job),
    _route("GET", "/plan_jobs/{plan_id}/events", reads.plan_job_events),
    _route("GET", "/plan_jobs/{plan_id}/event/{event_id}", reads.plan_job_event),
    _route("GET", "/tasks", catalog.list_tasks),
    _route("GET", "/tasks/{module}/{name}", catalog.show_task),
    _route("GET", "/plans", catalog.list_plans),
    _route("GET", "/plans/{module}/{name}", catalog.show_plan),
    _route("GET", "/inventory", catalog.inventory),
    _route("GET", "/inventory/{node}", catalog.inventory_node),
    _route("POST", "/inventory", catalog.inventory_check),
    _route("GET", "/usage", catalog.usage),
    _route("GET", "/scopes/task_targets", catalog.list_task_targets),
    _route("GET", "/scopes/task_targets/{target_id}", catalog.show_task_target),
    _route("GET", "/scheduled_jobs/environment_jobs", scheduled_views.list_scheduled),
    _route("POST", "/scheduled_jobs/environment_jobs", scheduled.create),
    _route("GET", "/scheduled_jobs/environment_jobs/{sched_id}", scheduled_views.show_scheduled),
    _route("PUT", "/scheduled_jobs/environment_jobs/{sched_id}", scheduled.update),
    _route("GET", "/scheduled_jobs", scheduled_views.list_deprecated),
    _route("DELETE", "/scheduled_jobs/{sched_id}", scheduled.delete_deprecated),
)
# Routes an older PE does not have (versions.Dialect), by the feature that brought them.
_FEATURE = {
    "tasks": ("/command/task", "/command/task_target", "/tasks", "/scopes"),
    "plans": ("/command/plan_run", "/command/environment_plan_run", "/command/stop_plan",
              "/plans", "/plan_jobs"),
    "scheduled_jobs": ("/scheduled_jobs",),
}  # fmt: skip


def _feature(template: str) -> str | None:
    for feature, prefixes in _FEATURE.items():
        for prefix in prefixes:
            stem = prefix.rstrip("/")
            if template == stem or template.startswith(stem + "/"):
                return feature
    return None


def available(route: Route, dialect: Any) -> bool:
    """Whether the PE version the simulator speaks has this route."""
    feature = _feature(route.template)
    return feature is None or bool(getattr(dialect, feature))


def match(method: str, path: str) -> tuple[Route, dict[str, str]]:
    """The route for a path below /orchestrator/v1 and its decoded path parameters."""
    path = path.rstrip("/")
    allowed = []
    for route in ROUTES:
        found = route.pattern.match(path)
        if found is None:
            continue
        if route.method == method.upper():
            return route, {k: unquote(v) for k, v in found.groupdict().items()}
        allowed.append(route.method)
    if allowed:
        raise ApiError(
            405,
            "puppetlabs.orchestrator/method-not-allowed",
            f"{method} is not allowed on {PREFIX}{path}; use {', '.join(allowed)}",
            {"allowed": allowed},
        )
    raise ApiError(
        404,
        "puppetlabs.orchestrator/not-found",
        f"No route for {PREFIX}{path}",
        {"path": PREFIX + path},
    )


def stats_key(params: dict[str, str]) -> tuple[str, str] | None:
    """Which job a request reads, for per-job byte counts."""
    if "job_id" in params:
        return "job", params["job_id"]
    if "plan_id" in params:
        return "plan_job", params["plan_id"]
    return None
