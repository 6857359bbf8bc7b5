"""Typed command requests: one frozen dataclass per POST endpoint, turned into the documented body.

Field names are the documented body keys, so a request's body is its fields without the unset
ones; `from_body` rebuilds the request from a stored body, so what an approver saw is what runs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

ScopeKind = Literal["nodes", "query", "node_group"]
SCOPE_KINDS: tuple[ScopeKind, ...] = ("nodes", "query", "node_group")


@dataclass(frozen=True)
class Scope:
    """Exactly one way of naming the target nodes: a node list, a PQL/AST query or a node group."""

    kind: ScopeKind
    value: Any

    def __post_init__(self) -> None:
        if self.kind not in SCOPE_KINDS:
            raise ValueError(f"unknown scope kind {self.kind!r}")
        if self.kind == "nodes":
            object.__setattr__(self, "value", tuple(self.value))

    @classmethod
    def nodes(cls, names: list[str] | tuple[str, ...]) -> Scope:
        return cls("nodes", tuple(names))

    @classmethod
    def query(cls, query: str | list[Any]) -> Scope:
        return cls("query", query)

    @classmethod
    def node_group(cls, group_id: str) -> Scope:
        return cls("node_group", group_id)

    def body(self) -> dict[str, Any]:
        return {self.kind: list(self.value) if self.kind == "nodes" else self.value}

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Scope:
        kinds: dict[str, ScopeKind] = {k: k for k in SCOPE_KINDS}
        if len(body) != 1 or next(iter(body)) not in kinds:
            raise ValueError(f"a scope has exactly one of {', '.join(SCOPE_KINDS)}")
        key, value = next(iter(body.items()))
        return cls(kinds[key], value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Scope):
        return value.body()
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


class _Command:
    """Shared behaviour of the request dataclasses."""

    ENDPOINT: ClassVar[str]

    def body(self) -> dict[str, Any]:
        """The JSON body the documentation describes, without the keys left unset."""
        return {
            f.name: _jsonable(getattr(self, f.name))
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
            if getattr(self, f.name) is not None
        }

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Any:
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        values = {k: v for k, v in body.items() if k in names}
        if "scope" in values:
            values["scope"] = Scope.from_body(values["scope"])
        for key in ("tasks", "nodes", "node_groups", "targets"):
            if isinstance(values.get(key), list):
                values[key] = tuple(values[key])
        return cls(**values)

    def replace(self, **changes: Any) -> Any:
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]


@dataclass(frozen=True)
class DeployRequest(_Command):
    """POST /command/deploy: run Puppet on a set of nodes."""

    ENDPOINT: ClassVar[str] = "deploy"
    environment: str
    scope: Scope | None = None
    concurrency: int | None = None
    debug: bool | None = None
    description: str | None = None
    enforce_environment: bool | None = None
    evaltrace: bool | None = None
    filetimeout: int | None = None
    http_connect_timeout: int | None = None
    http_keepalive_timeout: int | None = None
    http_read_timeout: int | None = None
    noop: bool | None = None
    no_noop: bool | None = None
    ordering: str | None = None
    skip_tags: str | None = None
    tags: str | None = None
    trace: bool | None = None
    use_cached_catalog: bool | None = None
    usecacheonfailure: bool | None = None
    userdata: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class TaskRequest(_Command):
    """POST /command/task: run a task on a set of nodes."""

    ENDPOINT: ClassVar[str] = "task"
    environment: str
    task: str
    params: Mapping[str, Any]
    scope: Scope
    targets: tuple[Mapping[str, Any], ...] | None = None
    noop: bool | None = None
    timeout: int | None = None
    description: str | None = None
    userdata: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class PlanRunRequest(_Command):
    """POST /command/plan_run: run a plan with plain parameters."""

    ENDPOINT: ClassVar[str] = "plan_run"
    plan_name: str
    params: Mapping[str, Any] | None = None
    environment: str | None = None
    description: str | None = None
    timeout: int | None = None
    userdata: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class EnvironmentPlanRunRequest(_Command):
    """POST /command/environment_plan_run: each parameter is `{value, type?}`."""

    ENDPOINT: ClassVar[str] = "environment_plan_run"
    plan_name: str
    params: Mapping[str, Mapping[str, Any]]
    environment: str | None = None
    description: str | None = None
    timeout: int | None = None
    userdata: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class StopRequest(_Command):
    """POST /command/stop: halt a job; `force` also ends the runs in progress."""

    ENDPOINT: ClassVar[str] = "stop"
    job: str
    force: bool | None = None


@dataclass(frozen=True)
class StopPlanRequest(_Command):
    """POST /command/stop_plan: interrupt a plan job."""

    ENDPOINT: ClassVar[str] = "stop_plan"
    plan_job: str


@dataclass(frozen=True)
class TaskTargetRequest(_Command):
    """POST /command/task_target: a set of tasks and nodes that RBAC roles can grant."""

    ENDPOINT: ClassVar[str] = "task_target"
    display_name: str
    tasks: tuple[str, ...] | None = None
    all_tasks: bool | None = None
    nodes: tuple[str, ...] = ()
    node_groups: tuple[str, ...] = ()
    pql_query: str | None = None


@dataclass(frozen=True)
class ScheduleRequest(_Command):
    """POST /scheduled_jobs/environment_jobs: run a deploy, task or plan later or repeatedly."""

    ENDPOINT: ClassVar[str] = "scheduled_jobs/environment_jobs"
    type: Literal["deploy", "task", "plan"]
    input: Mapping[str, Any]
    environment: str
    schedule: Mapping[str, Any]
    description: str | None = None
    userdata: Mapping[str, Any] | None = None


CommandRequest = (
    DeployRequest
    | TaskRequest
    | PlanRunRequest
    | EnvironmentPlanRunRequest
    | StopRequest
    | StopPlanRequest
    | TaskTargetRequest
    | ScheduleRequest
)

REQUEST_TYPES: dict[str, type[_Command]] = {
    cls.ENDPOINT: cls
    for cls in (
        DeployRequest,
        TaskRequest,
        PlanRunRequest,
        EnvironmentPlanRunRequest,
        StopRequest,
        StopPlanRequest,
        TaskTargetRequest,
        ScheduleRequest,
    )
}


def request_from_body(endpoint: str, body: Mapping[str, Any]) -> CommandRequest:
    """Rebuild a typed request from a stored endpoint and body."""
    try:
        cls = REQUEST_TYPES[endpoint]
    except KeyError:
        raise ValueError(f"unknown command endpoint {endpoint!r}") from None
    request: CommandRequest = cls.from_body(body)
    return request
