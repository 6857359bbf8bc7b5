"""What the orchestrator answers a command with: the job, plan job, stop, task-target or
scheduled job it created, one typed value per endpoint (`OrchestratorClient.submit`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orchestrator.catalog import CreatedRef
from orchestrator.lenient import count, mapping, name_of, need, obj, text
from orchestrator.schedules import ScheduledRef


@dataclass(frozen=True)
class JobRef:
    """A job the orchestrator created: `{"id": URL, "name": "81"}`."""

    name: str
    id: str = ""

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> JobRef:
        data = obj(data, "the job reference")
        return cls(name=name_of(data, "the job reference"), id=text(data.get("id")))


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
        job = obj(need(obj(data, "the stop answer"), "job", "the stop answer"), "its job")
        counts = {str(k): count(v) for k, v in mapping(job.get("nodes")).items()}
        return cls(job=JobRef.parse(job), nodes=counts)


# What `OrchestratorClient.submit` answers: deploy and task a JobRef, plan runs and stop_plan a
# PlanJobRef, stop a StopResult, task_target a CreatedRef, a schedule a ScheduledRef.
Submitted = JobRef | PlanJobRef | StopResult | CreatedRef | ScheduledRef
