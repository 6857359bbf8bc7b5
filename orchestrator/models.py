"""Typed jobs, plan jobs and nodes, parsed leniently where real PE is inconsistent; events are
orchestrator/events.py, what a command answers orchestrator/refs.py (both re-exported here).

Every shape here was seen in real PE bodies (../shared/reference/pe-bodies, SOURCES.md): PE 2016
job items without `type`, `node_states`, timestamps, `userdata` or `pagination`; plan events
without `id`; `job-id` as a number; durations as strings. What the bot cannot do without (a job's
state, an event's type, a page's items) is required, and its absence is UnexpectedShape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from model.snapshot import TERMINAL_JOB_STATES, TERMINAL_PLAN_STATES
from orchestrator.catalog import (  # noqa: F401  (re-exported: callers import them from here)
    CreatedRef,
    InventoryNode,
    Listing,
    ParamSpec,
    PlanInfo,
    Summary,
    TaskInfo,
)
from orchestrator.events import (  # noqa: F401  (re-exported: callers import them from here)
    Event,
    EventPage,
    PlanEvent,
    event_page,
)
from orchestrator.lenient import (  # noqa: F401  (ident, number and timestamp are re-exported)
    count,
    ident,
    items,
    mapping,
    name_of,
    need,
    number,
    obj,
    optional_int,
    text,
    timestamp,
)
from orchestrator.refs import (  # noqa: F401  (re-exported: callers import them from here)
    JobRef,
    PlanJobRef,
    StopResult,
    Submitted,
)


def _login(owner: Any) -> str | None:
    return owner.get("login") if isinstance(owner, Mapping) else None


def _scheduled_id(options: Mapping[str, Any], key: str) -> str | None:
    value = options.get(key)
    return None if value in (None, "") or isinstance(value, bool | dict | list) else str(value)


def _userdata(data: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """None when PE sent no `userdata` key at all (PE 2016-2019), {} when it sent it empty."""
    if "userdata" not in data:
        return None
    return mapping(data.get("userdata"))


@dataclass(frozen=True)
class StatusEntry:
    """One state a job went through."""

    state: str
    enter_time: datetime | None
    exit_time: datetime | None

    @classmethod
    def parse(cls, data: Any) -> StatusEntry:
        data = mapping(data)
        return cls(
            state=text(data.get("state")),
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
    userdata: Mapping[str, Any] | None = None
    id: str = ""

    @property
    def done(self) -> bool:
        return self.state in TERMINAL_JOB_STATES

    @property
    def description(self) -> str:
        return text(self.options.get("description"))

    @property
    def scheduled_job_id(self) -> str | None:
        """The schedule that started it: task jobs' `options["scheduled-job-id"]` (2021.7.1
        jobs.json, go-pe-client's capture); deploy jobs document none."""
        return _scheduled_id(self.options, "scheduled-job-id")

    @classmethod
    def parse(cls, data: Any) -> Job:
        data = obj(data, "the job")
        options = mapping(data.get("options"))
        env = options.get("environment")
        if env is None:
            env = mapping(data.get("environment")).get("name", "")
        # PE 2016 job items carry neither `type` nor `command`: a task job names its task.
        kind = text(data.get("type") or data.get("command")) or (
            "task" if options.get("task") else ""
        )
        status = data.get("status")
        status = status if isinstance(status, list) else ()
        return cls(
            name=name_of(data, "the job"),
            id=text(data.get("id")),
            state=text(need(data, "state", "the job")),
            type=kind,
            environment=text(env),
            options=options,
            owner=_login(data.get("owner")),
            node_count=count(data.get("node_count")),
            node_states={str(k): count(v) for k, v in mapping(data.get("node_states")).items()},
            timestamp=timestamp(data.get("timestamp")),
            started=timestamp(data.get("started_timestamp")),
            finished=timestamp(data.get("finished_timestamp")),
            duration=number(data.get("duration")),
            status=tuple(StatusEntry.parse(s) for s in status),
            userdata=_userdata(data),
        )


@dataclass(frozen=True)
class JobList:
    """A page of GET /jobs; `total` is None when PE sent no `pagination` (before 2019.8)."""

    items: tuple[Job, ...]
    total: int | None
    limit: int | None
    offset: int

    @classmethod
    def parse(cls, data: Any) -> JobList:
        data = obj(data, "the job list")
        page = data.get("pagination")
        page = page if isinstance(page, Mapping) else None
        return cls(
            items=tuple(Job.parse(j) for j in items(data, "the job list")),
            total=None if page is None else count(page.get("total")),
            limit=None if page is None or page.get("limit") is None else count(page["limit"]),
            offset=0 if page is None else count(page.get("offset")),
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
    metrics: Mapping[str, Any] | None = None  # PE 2016 put a run's metrics in `details`

    @classmethod
    def parse(cls, data: Any) -> Node:
        data = obj(data, "a node of the job")
        details = mapping(data.get("details"))
        metrics = details.get("metrics")
        return cls(
            name=text(need(data, "name", "a node of the job")),
            state=text(data.get("state")),
            start=timestamp(data.get("start_timestamp")),
            finish=timestamp(data.get("finish_timestamp")),
            duration=number(data.get("duration")),
            message=text(details.get("message")),
            report_url=details.get("report-url") or None,
            result=data.get("result"),
            metrics=metrics if isinstance(metrics, Mapping) else None,
        )


@dataclass(frozen=True)
class NodePage:
    """A page of GET /jobs/<id>/nodes."""

    items: tuple[Node, ...]

    @classmethod
    def parse(cls, data: Any) -> NodePage:
        data = obj(data, "the node list")
        return cls(items=tuple(Node.parse(n) for n in items(data, "the node list")))


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
    userdata: Mapping[str, Any] | None = None
    id: str = ""
    timestamp: datetime | None = None
    scheduled_job_id: str | None = None  # `options.scheduled_job_id` (2021.7.1 plan-jobs.json)

    @property
    def done(self) -> bool:
        return self.state in TERMINAL_PLAN_STATES

    @classmethod
    def parse(cls, data: Any) -> PlanJob:
        data = obj(data, "the plan job")
        options = mapping(data.get("options"))
        children = {
            ident(k): tuple(StatusEntry.parse(s) for s in (v if isinstance(v, list) else ()))
            for k, v in mapping(data.get("status")).items()
        }
        return cls(
            name=name_of(data, "the plan job"),
            id=text(data.get("id")),
            state=text(need(data, "state", "the plan job")),
            plan_name=text(options.get("plan_name")),
            environment=text(options.get("environment")),
            parameters=mapping(options.get("parameters")),
            description=text(options.get("description")),
            owner=_login(data.get("owner")),
            result=data.get("result"),
            created=timestamp(data.get("created_timestamp")),
            finished=timestamp(data.get("finished_timestamp")),
            duration=number(data.get("duration")),
            children=children,
            userdata=_userdata(data),
            timestamp=timestamp(data.get("timestamp")),
            scheduled_job_id=_scheduled_id(options, "scheduled_job_id"),
        )
