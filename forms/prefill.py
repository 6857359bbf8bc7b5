"""Run again…: a stored request body → the values a form opens with.

Bodies are the documented POST bodies (orchestrator/requests.py): /command/deploy, /command/task,
/command/plan_run and /command/environment_plan_run. `userdata` (the chat marker and any
--userdata) is not carried: the flow adds a new marker to the new request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from forms.ids import Kind
from forms.targets import Target

_DEPLOY_KEYS = (
    "concurrency",
    "debug",
    "enforce_environment",
    "evaltrace",
    "filetimeout",
    "http_connect_timeout",
    "http_keepalive_timeout",
    "http_read_timeout",
    "no_noop",
    "ordering",
    "skip_tags",
    "tags",
    "trace",
    "use_cached_catalog",
    "usecacheonfailure",
)


@dataclass(frozen=True)
class Prefill:
    """What a form shows at first. `params` are typed values; `targets` a plan's target
    parameters given as a query or node group (environment_plan_run); `target` a task's or
    deploy's scope; `deploy` the deploy body's other options."""

    kind: Kind
    subject: str | None = None
    environment: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    targets: Mapping[str, Target] = field(default_factory=dict)
    target: Target | None = None
    noop: bool | None = None
    timeout: int | None = None
    description: str | None = None
    deploy: Mapping[str, Any] = field(default_factory=dict)


def scope_target(scope: Any) -> Target | None:
    """A body's `scope` object as a form target."""
    if not isinstance(scope, Mapping) or len(scope) != 1:
        return None
    kind, value = next(iter(scope.items()))
    if kind == "nodes" and isinstance(value, list):
        return Target("nodes", tuple(str(v) for v in value))
    if kind == "query":
        return Target("query", value if isinstance(value, str) else json.dumps(value))
    if kind == "node_group" and isinstance(value, str):
        return Target("node_group", value)
    return None


def prefill_from_body(endpoint: str, body: Mapping[str, Any]) -> Prefill:
    """The form values that send this request again. ValueError for other endpoints."""
    text = body.get("description")
    description = text if isinstance(text, str) else None
    timeout = body.get("timeout") if isinstance(body.get("timeout"), int) else None
    if endpoint == "task":
        return Prefill(
            "task",
            subject=str(body.get("task") or "") or None,
            environment=body.get("environment"),
            params=dict(body.get("params") or {}),
            target=scope_target(body.get("scope")),
            noop=body.get("noop") is True,
            timeout=timeout,
            description=description,
        )
    if endpoint in ("plan_run", "environment_plan_run"):
        params: dict[str, Any] = {}
        targets: dict[str, Target] = {}
        for name, given in (body.get("params") or {}).items():
            if endpoint == "plan_run" or not isinstance(given, Mapping):
                params[name] = given
            elif given.get("type") in ("query", "node_group"):
                targets[name] = Target(given["type"], str(given.get("value")))
            else:
                params[name] = given.get("value")
        return Prefill(
            "plan",
            subject=str(body.get("plan_name") or "") or None,
            environment=body.get("environment"),
            params=params,
            targets=targets,
            timeout=timeout,
            description=description,
        )
    if endpoint == "deploy":
        return Prefill(
            "deploy",
            environment=body.get("environment"),
            target=scope_target(body.get("scope")),
            noop=body.get("noop") is True,
            description=description,
            deploy={k: body[k] for k in _DEPLOY_KEYS if body.get(k) is not None},
        )
    raise ValueError(f"no form runs /command/{endpoint}")
