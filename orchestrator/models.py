"""Typed results of orchestrator calls, parsed leniently where real PE is inconsistent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

TERMINAL_JOB_STATES = frozenset({"finished", "failed", "stopped"})
TERMINAL_PLAN_STATES = frozenset({"success", "failure"})


def ident(value: Any) -> str:
    """An id as PE sends it, `"81"` or `81`, as a string."""
    if value is None or isinstance(value, bool):
        raise ValueError(f"not an id: {value!r}")
    return str(value)


def number(value: Any) -> float | None:
    """A duration that PE sends as `"256.0"` or `256.0` or null."""
    if value is None or value == "":
        return None
    return float(value)


def timestamp(value: Any) -> datetime | None:
    """An ISO-8601 UTC timestamp (`2016-05-20T16:45:31Z`, sometimes with ms) or None."""
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _login(owner: Any) -> str | None:
    return owner.get("login") if isinstance(owner, Mapping) else None


@dataclass(frozen=True)
class JobRef:
    """A job the orchestrator created: `{"id": URL, "name": "81"}`."""

    name: str
    id: str = ""

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> JobRef:
        return cls(name=ident(data["name"]), id=str(data.get("id", "")))


@dataclass(frozen=True)
class PlanJobRef:
    """A plan job the orchestrator created: `{"name": "1234"}`."""

    name: str


@dataclass(frozen=True)
class StopResult:
    """The answer to /command/stop: the job and its nodes counted by state."""

    job: JobRef
    nodes: Mapping[str, int]

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> StopResult:
        job = data["job"]
        counts = {str(k): int(v) for k, v in (job.get("nodes") or {}).items()}
        return cls(job=JobRef.parse(job), nodes=counts)


@dataclass(frozen=True)
class StatusEntry:
    """One state a job went through."""

    state: str
    enter_time: datetime | None
    exit_time: datetime | None

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> StatusEntry:
        return cls(
            state=str(data.get("state", "")),
            enter_time=timestamp(data.get("enter_time")),
            exit_time=timestamp(data.get("exit_time")),
        )


@dataclass(frozen=True)
class Job:
    """A deploy, task or plan_task job as GET /jobs/<id> reports it."""

    name: str
    state: str
    type: str
    environment: str
    options: Mapping[str, Any]
    owner: str | None
    node_count: int
    node_states: Mapping[str, int]
    timestamp: datetime | None
    started: datetime | None
    finished: datetime | None
    duration: float | None
    status: tuple[StatusEntry, ...] = ()
    userdata: Mapping[str, Any] = field(default_factory=dict)
    id: str = ""

    @property
    def done(self) -> bool:
        return self.state in TERMINAL_JOB_STATES

    @property
    def description(self) -> str:
        return str(self.options.get("description") or "")

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Job:
        options = data.get("options") or {}
        env = options.get("environment")
        if env is None:
            env = (data.get("environment") or {}).get("name", "")
        return cls(
            name=ident(data["name"]),
            id=str(data.get("id", "")),
            state=str(data.get("state", "")),
            type=str(data.get("type") or data.get("command") or ""),
            environment=str(env or ""),
            options=options,
            owner=_login(data.get("owner")),
            node_count=int(data.get("node_count") or 0),
            node_states={k: int(v) for k, v in (data.get("node_states") or {}).items()},
            timestamp=timestamp(data.get("timestamp")),
            started=timestamp(data.get("started_timestamp")),
            finished=timestamp(data.get("finished_timestamp")),
            duration=number(data.get("duration")),
            status=tuple(StatusEntry.parse(s) for s in data.get("status") or ()),
            userdata=data.get("userdata") or {},
        )


@dataclass(frozen=True)
class JobList:
    """A page of GET /jobs."""

    items: tuple[Job, ...]
    total: int
    limit: int | None
    offset: int

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> JobList:
        page = data.get("pagination") or {}
        return cls(
            items=tuple(Job.parse(j) for j in data.get("items") or ()),
            total=int(page.get("total") or 0),
            limit=page.get("limit"),
            offset=int(page.get("offset") or 0),
        )


@dataclass(frozen=True)
class Node:
    """One node of a job: its state, timings, message and result."""

    name: str
    state: str
    start: datetime | None
    finish: datetime | None
    duration: float | None
    message: str
    report_url: str | None
    result: Any

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Node:
        details = data.get("details") or {}
        return cls(
            name=str(data["name"]),
            state=str(data.get("state", "")),
            start=timestamp(data.get("start_timestamp")),
            finish=timestamp(data.get("finish_timestamp")),
            duration=number(data.get("duration")),
            message=str(details.get("message") or ""),
            report_url=details.get("report-url"),
            result=data.get("result"),
        )


def _next_event(data: Mapping[str, Any]) -> int | None:
    nxt = (data.get("next-events") or {}).get("event")
    return None if nxt is None else int(nxt)


@dataclass(frozen=True)
class NodePage:
    """A page of GET /jobs/<id>/nodes, with the event id to follow from."""

    items: tuple[Node, ...]
    next_event: int | None

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> NodePage:
        nodes = tuple(Node.parse(n) for n in data.get("items") or ())
        return cls(items=nodes, next_event=_next_event(data))


@dataclass(frozen=True)
class Event:
    """A job event (`node_running`, `node_finished`, `job_finished`, ...)."""

    id: int
    type: str
    timestamp: datetime | None
    node: str | None
    detail: Mapping[str, Any]
    message: str

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Event:
        details = data.get("details") or {}
        return cls(
            id=int(ident(data["id"])),
            type=str(data.get("type", "")),
            timestamp=timestamp(data.get("timestamp")),
            node=details.get("node"),
            detail=details.get("detail") or {},
            message=str(data.get("message") or ""),
        )


@dataclass(frozen=True)
class PlanEvent:
    """A plan job event (`task_start`, `out_message`, `plan_finished`, ...)."""

    id: int
    type: str
    timestamp: datetime | None
    details: Mapping[str, Any]

    @property
    def child_job(self) -> str | None:
        child = self.details.get("job-id")
        return None if child is None else ident(child)

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> PlanEvent:
        return cls(
            id=int(ident(data["id"])),
            type=str(data.get("type", "")),
            timestamp=timestamp(data.get("timestamp")),
            details=data.get("details") or {},
        )


@dataclass(frozen=True)
class EventPage:
    """Events from a cursor, and the cursor to ask from next time."""

    items: tuple[Any, ...]
    next_start: int


def event_page(data: Mapping[str, Any], start: int, parse: Any) -> EventPage:
    """Events at or after `start`; the next cursor is the highest id seen plus one.

    `next-events.id` is documented both as an echo of the request and as last+1, so the
    cursor is derived from the ids themselves, which is right under either reading.
    """
    items = tuple(parse(e) for e in data.get("items") or ())
    fresh = tuple(e for e in items if e.id >= start)
    next_start = max([start, *(e.id + 1 for e in fresh)])
    return EventPage(items=fresh, next_start=next_start)


@dataclass(frozen=True)
class PlanJob:
    """A plan job as GET /plan_jobs/<id> reports it."""

    name: str
    state: str
    plan_name: str
    environment: str
    parameters: Mapping[str, Any]
    description: str
    owner: str | None
    result: Any
    created: datetime | None
    finished: datetime | None
    duration: float | None
    children: Mapping[str, tuple[StatusEntry, ...]]
    userdata: Mapping[str, Any] = field(default_factory=dict)
    id: str = ""

    @property
    def done(self) -> bool:
        return self.state in TERMINAL_PLAN_STATES

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> PlanJob:
        options = data.get("options") or {}
        status = data.get("status") or {}
        children = {
            ident(k): tuple(StatusEntry.parse(s) for s in v or ()) for k, v in status.items()
        }
        return cls(
            name=ident(data["name"]),
            id=str(data.get("id", "")),
            state=str(data.get("state", "")),
            plan_name=str(options.get("plan_name", "")),
            environment=str(options.get("environment") or ""),
            parameters=options.get("parameters") or {},
            description=str(options.get("description") or ""),
            owner=_login(data.get("owner")),
            result=data.get("result"),
            created=timestamp(data.get("created_timestamp")),
            finished=timestamp(data.get("finished_timestamp")),
            duration=number(data.get("duration")),
            children=children,
            userdata=data.get("userdata") or {},
        )


@dataclass(frozen=True)
class ParamSpec:
    """A task or plan parameter from its metadata."""

    name: str
    type: str
    description: str = ""
    has_default: bool = False
    default: Any = None

    @property
    def required(self) -> bool:
        return not self.has_default and not self.type.startswith("Optional")

    @classmethod
    def parse(cls, name: str, data: Mapping[str, Any]) -> ParamSpec:
        return cls(
            name=name,
            type=str(data.get("type") or "Any"),
            description=str(data.get("description") or ""),
            has_default="default_value" in data,
            default=data.get("default_value"),
        )


def _params(metadata: Mapping[str, Any]) -> dict[str, ParamSpec]:
    raw = metadata.get("parameters") or {}
    return {name: ParamSpec.parse(name, spec or {}) for name, spec in raw.items()}


@dataclass(frozen=True)
class Summary:
    """A task or plan in a listing."""

    name: str
    permitted: bool | None = None

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Summary:
        return cls(name=str(data["name"]), permitted=data.get("permitted"))


@dataclass(frozen=True)
class Listing:
    """GET /tasks or GET /plans: the environment and what it holds."""

    environment: str
    items: tuple[Summary, ...]

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Listing:
        env = (data.get("environment") or {}).get("name", "")
        return cls(environment=str(env), items=tuple(Summary.parse(i) for i in data["items"]))


@dataclass(frozen=True)
class TaskInfo:
    """GET /tasks/<module>/<task>: the task and its parameter metadata."""

    name: str
    environment: str
    description: str
    supports_noop: bool
    parameters: Mapping[str, ParamSpec]

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> TaskInfo:
        meta = data.get("metadata") or {}
        return cls(
            name=str(data["name"]),
            environment=str((data.get("environment") or {}).get("name", "")),
            description=str(meta.get("description") or ""),
            supports_noop=bool(meta.get("supports_noop", False)),
            parameters=_params(meta),
        )


@dataclass(frozen=True)
class PlanInfo:
    """GET /plans/<module>/<plan>: the plan, its parameters and whether we may run it."""

    name: str
    environment: str
    description: str
    parameters: Mapping[str, ParamSpec]
    permitted: bool

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> PlanInfo:
        meta = data.get("metadata") or {}
        return cls(
            name=str(data["name"]),
            environment=str((data.get("environment") or {}).get("name", "")),
            description=str(meta.get("description") or ""),
            parameters=_params(meta),
            permitted=bool(data.get("permitted", False)),
        )


@dataclass(frozen=True)
class InventoryNode:
    """A node's PCP connection as GET /inventory reports it."""

    name: str
    connected: bool
    broker: str | None = None

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> InventoryNode:
        return cls(
            name=str(data["name"]),
            connected=bool(data.get("connected")),
            broker=data.get("broker"),
        )


@dataclass(frozen=True)
class CreatedRef:
    """A task-target or scheduled job the orchestrator created."""

    name: str
    id: str = ""

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> CreatedRef:
        return cls(name=ident(data["name"]), id=str(data.get("id", "")))
