"""Recent jobs and plan jobs, filtered the way `/jobs [--running] [-e ENV]` needs.

GET /jobs documents only `limit`, `offset`, `order_by`, `order`, `type` (deploy, task,
plan_task), `task` and `min/max_finish_timestamp`, and GET /plan_jobs the same without `type`
and `task` (orchestrator-api.md §4-5; pe_client.rb's jobs.rb): PE cannot filter by environment,
owner or state. So the newest jobs are read page by page (`order_by=timestamp&order=desc`,
timestamp being the last state change) and filtered here, within a bounded scan.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from orchestrator.models import Job, JobList, PlanJob

log = logging.getLogger(__name__)

ACTIVE_JOB_STATES = frozenset({"new", "ready", "running", "stopping"})
ACTIVE_PLAN_STATES = frozenset({"pending", "running"})
T = TypeVar("T", Job, PlanJob)


@dataclass(frozen=True)
class JobFilter:
    """Which jobs to keep. `types` applies to /jobs (a plan's `plan_task` children are left out
    unless asked for); a plan job with no `options.environment` (PE leaves it out of some
    items) never matches a named environment."""

    environment: str | None = None
    owner: str | None = None  # an RBAC login
    running: bool = False  # only jobs not yet finished
    types: frozenset[str] = frozenset({"deploy", "task"})

    def matches(self, job: Job) -> bool:
        return (
            (job.type or "deploy") in self.types  # PE 2016 names no type; a task names its task
            and (self.environment is None or job.environment == self.environment)
            and (self.owner is None or job.owner == self.owner)
            and (not self.running or job.state in ACTIVE_JOB_STATES)
        )

    def matches_plan(self, plan: PlanJob) -> bool:
        return (
            (self.environment is None or plan.environment == self.environment)
            and (self.owner is None or plan.owner == self.owner)
            and (not self.running or plan.state in ACTIVE_PLAN_STATES)
        )


def newest(
    fetch: Callable[[int, int], tuple[list[T], int | None]],
    keep: Callable[[T], bool],
    *,
    limit: int,
    scan: int,
    page: int,
) -> list[T]:
    """Up to `limit` kept items from pages fetched newest first (`fetch(offset, size)` gives a
    page and the total, if known), reading at most `scan` items. Stops early on a short page
    or a page with nothing new (a PE 2016 server ignores `offset`)."""
    kept: list[T] = []
    seen: set[str] = set()
    offset = 0
    while len(kept) < limit and offset < scan:
        got, total = fetch(offset, min(page, scan - offset))
        fresh = [j for j in got if j.name not in seen]
        seen.update(j.name for j in fresh)
        kept.extend(j for j in fresh if keep(j))
        offset += len(got)
        if not fresh or len(got) < page or (total is not None and offset >= total):
            break
    return kept[:limit]  # in PE's order: newest state change first


class JobListingAPI:
    """Mixed into OrchestratorClient: `jobs()` and `plan_jobs()` are its own."""

    jobs: Callable[..., JobList]
    plan_jobs: Callable[..., list[PlanJob]]

    def recent_jobs(
        self, where: JobFilter = JobFilter(), *, limit: int = 20, scan: int = 500, page: int = 100
    ) -> list[Job]:
        """The newest deploy and task jobs (by last state change) that `where` keeps."""
        only = next(iter(where.types)) if len(where.types) == 1 else None

        def fetch(offset: int, size: int) -> tuple[list[Job], int | None]:
            params: dict[str, Any] = {"order_by": "timestamp", "order": "desc", "type": only}
            listing = self.jobs(limit=size, offset=offset, **params)
            return list(listing.items), listing.total

        return newest(fetch, where.matches, limit=limit, scan=scan, page=page)

    def recent_plan_jobs(
        self, where: JobFilter = JobFilter(), *, limit: int = 20, scan: int = 500, page: int = 100
    ) -> list[PlanJob]:
        """The newest plan jobs (by last state change) that `where` keeps."""

        def fetch(offset: int, size: int) -> tuple[list[PlanJob], int | None]:
            got = self.plan_jobs(
                limit=size, offset=offset, order_by="timestamp", order="desc", results="exclude"
            )
            return got, None

        return newest(fetch, where.matches_plan, limit=limit, scan=scan, page=page)
