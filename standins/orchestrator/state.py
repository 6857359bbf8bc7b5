"""The engine's records: jobs, node runs, plan jobs, events, scheduled jobs (mutable, locked)."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .world import PlanDef, TaskDef, User

log = logging.getLogger(__name__)

TERMINAL = frozenset({"finished", "failed", "stopped"})
NODE_STATES = (
    "new",
    "ready",
    "running",
    "stopping",
    "stopped",
    "finished",
    "failed",
    "errored",
    "skipped",
)


@dataclass(frozen=True)
class JobSpec:
    """Everything needed to create a deploy, task or plan_task job."""

    kind: str
    owner: User
    environment: str
    nodes: tuple[str, ...]
    options: Mapping[str, Any]
    userdata: Mapping[str, Any] = field(default_factory=dict)
    noop: bool = False
    concurrency: int | None = None
    task: TaskDef | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    transports: Mapping[str, str] = field(default_factory=dict)
    plan_job: int | None = None


@dataclass(frozen=True)
class PlanSpec:
    """Everything needed to start a plan job; `params` already carry the defaults."""

    plan: PlanDef
    owner: User
    environment: str
    params: Mapping[str, Any]
    options: Mapping[str, Any]
    userdata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    owner_id: int  # the job or plan job the event belongs to
    type: str
    time: float
    run: NodeRun | None = None
    details: Mapping[str, Any] | None = None  # plan events; node events render from `run`
    plan: bool = False


@dataclass(slots=True, eq=False)
class NodeRun:
    name: str
    index: int
    seconds: float
    outcome: str  # success | changed | failed | unreachable | error_result (task `_error`, exit 0)
    transport: str = "pcp"
    state: str = "new"
    start: float | None = None
    finish: float | None = None
    forced: bool = False
    last_event: int | None = None


@dataclass(slots=True, eq=False)
class StatusEntry:
    state: str
    enter: float
    exit: float | None = None


@dataclass(slots=True, eq=False)
class Job:
    id: int
    spec: JobSpec
    created: float
    nodes: list[NodeRun]
    concurrency: int
    state: str = "new"
    status: list[StatusEntry] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    pending: deque[int] = field(default_factory=deque)
    running: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    started: float | None = None
    finished: float | None = None
    timestamp: float = 0.0

    @property
    def kind(self) -> str:
        return self.spec.kind


@dataclass(slots=True, eq=False)
class PlanJob:
    id: int
    spec: PlanSpec
    created: float
    state: str = "running"
    result: Any = None
    finished: float | None = None
    timestamp: float = 0.0
    events: list[Event] = field(default_factory=list)
    children: list[int] = field(default_factory=list)
    step: int = 0
    current: int | None = None
    flat: list[Any] | None = None  # the steps with sub-plans spread out (plans.flatten)
    sub_started: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True, eq=False)
class ScheduledJob:
    id: int
    type: str
    owner: User
    environment: str
    input: Mapping[str, Any]
    start_time: float
    interval: int | None
    description: str
    userdata: Mapping[str, Any]
    launch: Callable[[float], tuple[str, int]]  # runs it: ("job" | "plan_job", id), or raises
    enabled: bool = True
    next_run: float | None = None
    last_run: dict[str, Any] | None = None
    generation: int = 0  # bumped whenever it is re-armed; older heap entries are ignored
