"""Scheduled environment jobs (PE 2021.7+): typed results, read leniently, and typed requests.

Shapes from the 2021.7.1 docs (../shared/reference/pe-bodies/pe-2021.7.1/scheduled-environment-
job[s].json) and help.puppet.com's POST/PUT/GET pages. Where those disagree the reader takes
both: the single-job example swaps `id` and `name`; the list example has no `enabled` and one
item repeats `start_time` at the top level; `last_run.job.name` is a number; a run PE could not
submit has `last_run.job.submission_error` instead of an id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from orchestrator.errors import UnexpectedShape
from orchestrator.lenient import count, items, mapping, need, obj, text, timestamp
from orchestrator.requests import (
    DeployRequest,
    EnvironmentPlanRunRequest,
    PlanRunRequest,
    ScheduleRequest,
    TaskRequest,
)

SCHEDULE_TYPES = ("deploy", "task", "plan")
_UNITS = {"seconds": 1}  # the only unit PE documents ("The units key ... must be set to seconds")


@dataclass(frozen=True)
class SubmissionError:
    """Why PE could not start a scheduled run: an orchestrator error body `{kind, msg, details}`."""

    kind: str
    msg: str
    details: Mapping[str, Any]

    @property
    def short_kind(self) -> str:
        return self.kind.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class LastRun:
    """The most recent time a schedule fired: the job it started, or why none started."""

    time: datetime | None
    job: str | None  # the job or plan job it started ("42"); None when it could not submit
    plan_job: bool  # True: `job` is a plan job id (GET /plan_jobs/<id>), else a job id
    error: SubmissionError | None = None

    @property
    def submitted(self) -> bool:
        return self.error is None and self.job is not None

    @classmethod
    def parse(cls, data: Any, schedule_type: str) -> LastRun | None:
        if data is None:
            return None
        data = obj(data, "last_run")
        job = mapping(data.get("job"))
        when = timestamp(data.get("time"))
        failure = job.get("submission_error")
        if isinstance(failure, Mapping):
            error = SubmissionError(
                kind=text(failure.get("kind")),
                msg=text(failure.get("msg")),
                details=mapping(failure.get("details")),
            )
            return cls(time=when, job=None, plan_job=schedule_type == "plan", error=error)
        url = text(job.get("id"))
        name = _number(job.get("name")) or _number(url)
        return cls(time=when, job=name, plan_job="/plan_jobs/" in url or schedule_type == "plan")


def _number(value: Any) -> str | None:
    """A schedule or job number from `2`, `"2"` or a URL ending in `/2`; None otherwise."""
    if value is None or isinstance(value, bool | dict | list):
        return None
    tail = str(value).strip().rstrip("/").rsplit("/", 1)[-1]
    return tail if tail.isdigit() else None


def _enabled(value: Any) -> bool:
    """`enabled`, which the docs' examples leave out: absent means it runs."""
    if isinstance(value, str):
        return value.strip().lower() != "false"
    return value is not False


def _interval(data: Any) -> int | None:
    if data is None:
        return None
    data = obj(data, "schedule.interval")
    units = text(data.get("units")) or "seconds"
    if units not in _UNITS:
        raise UnexpectedShape(f"schedule.interval has units {units!r}, not seconds")
    seconds = count(need(data, "value", "schedule.interval")) * _UNITS[units]
    return seconds or None


@dataclass(frozen=True)
class ScheduledJob:
    """A scheduled deploy, task or plan as GET /scheduled_jobs/environment_jobs/<id> shows it."""

    name: str  # its number, "2"
    type: str  # deploy | task | plan
    enabled: bool  # False: disabled, PE's soft delete (it never runs again)
    environment: str
    owner: str | None  # the RBAC login that created it
    description: str
    input: Mapping[str, Any]  # as PE stores it (see ScheduleRequest for what was sent)
    userdata: Mapping[str, Any]
    start_time: datetime | None
    interval: int | None  # seconds between runs; None: runs once
    next_run: datetime | None  # None once a one-off has run (and, in the simulator, if disabled)
    last_run: LastRun | None
    id: str = ""  # its URL

    @property
    def repeats(self) -> bool:
        return self.interval is not None

    @property
    def active(self) -> bool:
        """Whether PE may still start a run from it (enabled, and a next run is due)."""
        return self.enabled and (self.repeats or self.last_run is None)

    @property
    def target_name(self) -> str:
        """The task or plan it runs (`input.name`); '' for a deploy."""
        return text(self.input.get("name"))

    @classmethod
    def parse(cls, data: Any) -> ScheduledJob:
        data = obj(data, "the scheduled job")
        name = _number(data.get("name")) or _number(data.get("id"))
        if name is None:
            raise UnexpectedShape("the scheduled job has no number in 'name' or 'id'")
        url = next((v for v in (data.get("id"), data.get("name")) if "/" in text(v)), "")
        kind = text(need(data, "type", "the scheduled job"))
        schedule = mapping(data.get("schedule"))
        start = schedule.get("start_time") or data.get("start_time")
        next_run = data.get("next_run")
        next_time = next_run.get("time") if isinstance(next_run, Mapping) else next_run
        owner = data.get("owner")
        return cls(
            name=name,
            id=text(url),
            type=kind,
            enabled=_enabled(data.get("enabled")),
            environment=text(data.get("environment")),
            owner=(text(owner.get("login")) or None) if isinstance(owner, Mapping) else None,
            description=text(data.get("description")),
            input=mapping(data.get("input")),
            userdata=mapping(data.get("userdata")),
            start_time=timestamp(start),
            interval=_interval(schedule.get("interval")),
            next_run=timestamp(next_time),
            last_run=LastRun.parse(data.get("last_run"), kind),
        )


@dataclass(frozen=True)
class ScheduledJobList:
    """A page of GET /scheduled_jobs/environment_jobs."""

    items: tuple[ScheduledJob, ...]
    total: int | None
    limit: int | None
    offset: int

    @classmethod
    def parse(cls, data: Any) -> ScheduledJobList:
        data = obj(data, "the scheduled job list")
        page = mapping(data.get("pagination"))
        return cls(
            items=tuple(ScheduledJob.parse(s) for s in items(data, "the scheduled job list")),
            total=count(page["total"]) if "total" in page else None,
            limit=count(page["limit"]) if page.get("limit") is not None else None,
            offset=count(page.get("offset")),
        )


@dataclass(frozen=True)
class ScheduledRef:
    """What POST and PUT answer: `{"scheduled_job": {"id": URL, "name": "2"}}`."""

    name: str
    id: str = ""

    @classmethod
    def parse(cls, data: Any) -> ScheduledRef:
        ref = obj(need(obj(data, "the answer"), "scheduled_job", "the answer"), "scheduled_job")
        name = _number(ref.get("name")) or _number(ref.get("id"))
        if name is None:
            raise UnexpectedShape("scheduled_job has no number in 'name' or 'id'")
        return cls(name=name, id=text(ref.get("id")))


# -- requests ----------------------------------------------------------------------------------

RunNow = DeployRequest | TaskRequest | PlanRunRequest | EnvironmentPlanRunRequest


def iso_utc(moment: datetime) -> str:
    """`2027-05-05T19:50:08Z`: whole seconds in UTC, as PE prints times."""
    if moment.tzinfo is None:
        raise ValueError("a schedule time must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def schedule_spec(start: datetime, interval: int | None = None) -> dict[str, Any]:
    """The `schedule` object: `{start_time, interval: {value, units: "seconds"} | null}`."""
    if interval is not None and (isinstance(interval, bool) or interval < 1):
        raise ValueError(f"an interval is a positive number of seconds, not {interval!r}")
    every = {"value": int(interval), "units": "seconds"} if interval else None
    return {"start_time": iso_utc(start), "interval": every}


def _no_timeout(request: RunNow) -> None:
    # The scheduled input documents no `timeout`: refuse rather than run without it.
    if getattr(request, "timeout", None) is not None:
        raise ValueError("a scheduled job cannot carry a timeout (PE's input has none)")


def schedule_request(
    request: RunNow,
    *,
    start: datetime,
    interval: int | None = None,
    description: str | None = None,
    userdata: Mapping[str, Any] | None = None,
) -> ScheduleRequest:
    """The POST /scheduled_jobs/environment_jobs body that runs `request` at `start` (and every
    `interval` seconds): the same input the run-now request sends, in the scheduled shape
    (deploy: its scope and flags; task: `{name, parameters, scope, targets?, noop?}`; plan:
    `{name, parameters: {p: {"value": v}}}`, environment_plan_run's `{value, type}` kept).
    `description` and `userdata` default to the request's own. ValueError if it cannot be
    scheduled as it stands (a timeout)."""
    _no_timeout(request)
    described = description if description is not None else request.description
    marked = userdata if userdata is not None else request.userdata
    kind: Literal["deploy", "task", "plan"]
    if isinstance(request, DeployRequest):
        kind, env = "deploy", request.environment
        data = {
            k: v
            for k, v in request.body().items()
            if k not in ("environment", "description", "userdata")
        }
    elif isinstance(request, TaskRequest):
        kind, env = "task", request.environment
        body = request.body()
        data = {"name": request.task, "parameters": body["params"], "scope": body["scope"]}
        data.update({k: body[k] for k in ("targets", "noop") if k in body})
    else:
        kind, env = "plan", request.environment or "production"
        params = request.body().get("params") or {}
        if isinstance(request, PlanRunRequest):
            params = {k: {"value": v} for k, v in params.items()}
        data = {"name": request.plan_name, "parameters": params}
    return ScheduleRequest(
        type=kind,
        input=data,
        environment=env,
        schedule=schedule_spec(start, interval),
        description=described,
        userdata=dict(marked) if marked is not None else None,
    )
