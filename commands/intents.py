"""What a slash command asks for, once parsed: data only, acted on by the flows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from orchestrator.requests import DeployRequest, Scope, TaskTargetRequest


class UsageError(ValueError):
    """The command text cannot be understood; the message says which word and the right form."""

    def __init__(self, message: str, *, command: str, usage: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.command = command
        self.usage = usage


@dataclass(frozen=True)
class ShowHelp:
    """`/deploy help` and friends: show the usage of a command."""

    command: str


@dataclass(frozen=True)
class Later:
    """`--at`, `--in` and `--every` as typed (their forms already checked): the run becomes a
    schedule. When they mean is read after the ack, in the requester's Slack time zone."""

    at: str | None = None
    in_: str | None = None
    every: str | None = None


@dataclass(frozen=True)
class RunDeploy:
    """`/deploy ...`: the request is complete and already checked against the documented rules."""

    request: DeployRequest
    later: Later | None = None


@dataclass(frozen=True)
class RunTask:
    """`/task <task> k=v ...`: `raw_params` are typed later from the task's metadata."""

    task: str
    scope: Scope
    environment: str = "production"
    raw_params: Mapping[str, str] = field(default_factory=dict)
    json_params: Mapping[str, Any] = field(default_factory=dict)
    noop: bool | None = None
    timeout: int | None = None
    description: str | None = None
    userdata: Mapping[str, Any] | None = None
    via: str | None = None
    later: Later | None = None


@dataclass(frozen=True)
class RunPlan:
    """`/plan <plan> k=v ...`; a `scoped_params` entry (query or node_group) makes it an
    environment_plan_run. `raw_params` are typed later from the plan's metadata."""

    plan: str
    environment: str | None = None
    raw_params: Mapping[str, str] = field(default_factory=dict)
    json_params: Mapping[str, Any] = field(default_factory=dict)
    scoped_params: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    timeout: int | None = None
    description: str | None = None
    userdata: Mapping[str, Any] | None = None
    later: Later | None = None


@dataclass(frozen=True)
class StopJob:
    """`/stop <job-id> [--force]`."""

    job: str
    force: bool = False


@dataclass(frozen=True)
class StopPlan:
    """`/stop plan <plan-job-id>`."""

    plan_job: str


@dataclass(frozen=True)
class CreateTaskTarget:
    """`/task target create "<name>" ...`, checked against the documented rules."""

    request: TaskTargetRequest


@dataclass(frozen=True)
class ListTasks:
    """`/task list [-e ENV]`."""

    environment: str = "production"


@dataclass(frozen=True)
class ShowTask:
    """`/task show <task> [-e ENV]`."""

    task: str
    environment: str = "production"


@dataclass(frozen=True)
class ListPlans:
    """`/plan list [-e ENV]`."""

    environment: str = "production"


@dataclass(frozen=True)
class ShowPlan:
    """`/plan show <plan> [-e ENV]`."""

    plan: str
    environment: str = "production"


@dataclass(frozen=True)
class ListSchedules:
    """`/schedule list [--mine] [-e ENV]`."""

    mine: bool = False
    environment: str | None = None


@dataclass(frozen=True)
class ShowSchedule:
    """`/schedule show <id>`."""

    name: str


@dataclass(frozen=True)
class CancelSchedule:
    """`/schedule cancel <id>`: PE's soft delete."""

    name: str


@dataclass(frozen=True)
class WatchJob:
    """`/watch <job-id>` or `/watch plan <plan-job-id>`."""

    job: str
    plan: bool = False


@dataclass(frozen=True)
class WatchEnvironment:
    """`/watch environment <ENV|*>`."""

    environment: str


@dataclass(frozen=True)
class UnwatchEnvironment:
    """`/unwatch environment <ENV>`."""

    environment: str


@dataclass(frozen=True)
class ListWatches:
    """`/watch list`."""


@dataclass(frozen=True)
class ListJobs:
    """`/jobs [--running] [-e ENV] [--mine] [--limit N]`."""

    running: bool = False
    environment: str | None = None
    mine: bool = False
    limit: int = 10


Intent = (
    ShowHelp
    | RunDeploy
    | RunTask
    | RunPlan
    | StopJob
    | StopPlan
    | CreateTaskTarget
    | ListTasks
    | ShowTask
    | ListPlans
    | ShowPlan
    | ListSchedules
    | ShowSchedule
    | CancelSchedule
    | WatchJob
    | WatchEnvironment
    | UnwatchEnvironment
    | ListWatches
    | ListJobs
)
