"""Injected faults (outages, errors, slowness, format quirks) and request statistics."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Faults:
    """The complete fault set; the default is a healthy, consistent server."""

    unavailable: bool = False  # every /orchestrator/v1 request answers 503 with an HTML page
    status_500_every: int = 0  # every Nth /orchestrator/v1 request answers 500 (0: never)
    non_json_errors: bool = (
        False  # error responses carry an HTML body instead of {kind,msg,details}
    )
    expire_token: bool | str = False  # True: every token is expired; a string: only that token
    latency: float = 0.0  # seconds added to every /orchestrator/v1 response
    duration_as_number: bool = False  # job `duration` as a number instead of "256.0"
    ids_as_numbers: bool = False  # `name`, event ids, `job-id` as numbers instead of strings
    puppetdb_unreachable: bool = False  # query scopes answer 400 puppetdb-error
    pcp_broker_down: bool = False  # inventory endpoints answer 500

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_TYPES = {"status_500_every": int, "latency": (int, float), "expire_token": (bool, str)}


def faults_from_json(data: Any) -> Faults:
    """A fault set from a JSON object; ValueError names an unknown key or a wrong type."""
    if not isinstance(data, Mapping):
        raise ValueError("faults must be a JSON object")
    names = {f.name for f in dataclasses.fields(Faults)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ValueError(f"unknown faults: {', '.join(unknown)}; known: {', '.join(sorted(names))}")
    for key, value in data.items():
        if not _fits(value, _TYPES.get(key, bool)):
            raise ValueError(f"fault {key} has the wrong type")
        if key in ("status_500_every", "latency") and value < 0:
            raise ValueError(f"fault {key} must not be negative")
    return Faults(**data)


def _fits(value: Any, expected: Any) -> bool:
    if isinstance(value, bool):  # JSON true is not a number here, though Python's bool is an int
        return expected is bool or expected == (bool, str)
    return expected is not bool and isinstance(value, expected)


class Stats:
    """Request counts and response bytes per route, per job and per status (lock held by caller)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.routes: dict[str, dict[str, int]] = {}
        self.jobs: dict[str, dict[str, int]] = {}
        self.plan_jobs: dict[str, dict[str, int]] = {}
        self.statuses: dict[str, int] = {}
        self.total = {"requests": 0, "bytes": 0}

    def record(self, route: str, job: tuple[str, str] | None, status: int, size: int) -> None:
        for bucket in self._buckets(route, job):
            bucket["requests"] += 1
            bucket["bytes"] += size
        self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1

    def _buckets(self, route: str, job: tuple[str, str] | None) -> list[dict[str, int]]:
        buckets = [self.total, self.routes.setdefault(route, {"requests": 0, "bytes": 0})]
        if job is not None:
            table = self.jobs if job[0] == "job" else self.plan_jobs
            buckets.append(table.setdefault(job[1], {"requests": 0, "bytes": 0}))
        return buckets

    def as_json(self) -> dict[str, Any]:
        return {
            "total": dict(self.total),
            "routes": {k: dict(v) for k, v in self.routes.items()},
            "jobs": {k: dict(v) for k, v in self.jobs.items()},
            "plan_jobs": {k: dict(v) for k, v in self.plan_jobs.items()},
            "statuses": dict(self.statuses),
        }
