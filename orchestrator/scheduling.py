"""The client's scheduled-jobs methods (PE 2021.7+): create, list, read, edit, disable.

A PE older than 2021.7 has no /scheduled_jobs/environment_jobs and answers 404 (or 405) with
whatever body its web server gives an unknown route; every method here turns that into
SchedulingUnsupported, so the bot can say "scheduling needs PE 2021.7 or later". A 404 that
names a documented kind (unknown-job, unknown-environment, unknown-task, unknown-plan) stays
what it is. There is no DELETE in the API: PE's delete is `PUT {"enabled": false}`, after which
the job can never be edited (or re-enabled) again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

from orchestrator.errors import (
    DisabledScheduledJob,
    Rejected,
    SchedulingUnsupported,
    Unavailable,
    UnknownJob,
    UnknownScheduledJob,
)
from orchestrator.lenient import shaped
from orchestrator.requests import ScheduleRequest
from orchestrator.schedules import ScheduledJob, ScheduledJobList, ScheduledRef

log = logging.getLogger(__name__)

COLLECTION = "/scheduled_jobs/environment_jobs"
_NO_ROUTE = (404, 405)


def _one(sched_id: str) -> str:
    return f"{COLLECTION}/{quote(str(sched_id), safe='')}"


@contextmanager
def _scheduling(sched_id: str | None = None) -> Iterator[None]:
    """Map the answers of the scheduled-jobs routes onto the exception tree."""
    try:
        yield
    except UnknownJob as exc:
        if sched_id is None:
            raise
        raise UnknownScheduledJob(exc.kind, exc.msg, exc.details, status=exc.status) from exc
    except Rejected as exc:
        # Not a documented kind: no such route (404), or an older route at that path that
        # takes other methods (405; PE 2019-2021.6 had GET /scheduled_jobs, DELETE …/<id>).
        if exc.status in _NO_ROUTE and type(exc) is Rejected:
            raise SchedulingUnsupported(exc.kind, status=exc.status) from exc
        raise
    except Unavailable as exc:
        if exc.status in _NO_ROUTE:  # the same without an orchestrator error body
            raise SchedulingUnsupported(status=exc.status) from exc
        raise


class ScheduledJobsAPI:
    """Mixed into OrchestratorClient, whose transport methods these use."""

    # Provided by OrchestratorClient.
    _call: Callable[..., Any]
    _get: Callable[..., Any]

    def schedule(self, request: ScheduleRequest) -> ScheduledRef:
        """POST /scheduled_jobs/environment_jobs (never retried: it creates something).
        Raises InvalidTime for a past start, the run-now request's errors, and
        SchedulingUnsupported on PE before 2021.7."""
        with _scheduling():
            data = self._call("POST", COLLECTION, body=request.body(), retry=False)
        return shaped(ScheduledRef.parse, COLLECTION, data)

    def scheduled_jobs(
        self,
        *,
        limit: int | None = None,
        offset: int | None = None,
        order_by: str | None = None,
        order: str | None = None,
        type: str | None = None,  # noqa: A002 - the documented parameter name
    ) -> ScheduledJobList:
        """One page of GET /scheduled_jobs/environment_jobs. The documented parameters are all
        there is: `order_by` is next_run_time (default), environment, owner, name or type;
        `type` is deploy, task or plan. Disabled (soft-deleted) jobs are listed too."""
        params = {"limit": limit, "offset": offset, "order_by": order_by, "order": order}
        params["type"] = type
        with _scheduling():
            data = self._get(COLLECTION, params)
        return shaped(ScheduledJobList.parse, COLLECTION, data)

    def all_scheduled_jobs(
        self,
        *,
        type: str | None = None,
        page: int = 100,
        most: int = 10_000,  # noqa: A002
    ) -> list[ScheduledJob]:
        """Every scheduled job, page by page in id order (at most `most`: a guard, not a cap
        anyone should meet)."""
        found: list[ScheduledJob] = []
        seen: set[str] = set()
        while len(found) < most:
            got = self.scheduled_jobs(
                limit=page, offset=len(found), order_by="name", order="asc", type=type
            ).items
            fresh = [s for s in got if s.name not in seen]
            seen.update(s.name for s in fresh)
            found.extend(fresh)
            if len(got) < page or not fresh:  # a short page, or a server ignoring offset
                return found
        return found[:most]

    def scheduled_job(self, sched_id: str) -> ScheduledJob:
        """GET …/<id>; UnknownScheduledJob if there is none."""
        path = _one(sched_id)
        with _scheduling(sched_id):
            data = self._get(path)
        return shaped(ScheduledJob.parse, path, data)

    def update_scheduled_job(
        self,
        sched_id: str,
        *,
        input: Mapping[str, Any] | None = None,  # noqa: A002 - the documented key
        environment: str | None = None,
        schedule: Mapping[str, Any] | None = None,
        description: str | None = None,
        userdata: Mapping[str, Any] | None = None,
        enabled: bool | None = None,
    ) -> ScheduledRef:
        """PUT …/<id>: each given key replaces the stored value whole (send all of `input` to
        change one parameter); keys left None are unchanged. DisabledScheduledJob if the job
        is disabled; InvalidTime if a new schedule starts in the past."""
        changes = {
            "input": input,
            "environment": environment,
            "schedule": schedule,
            "description": description,
            "userdata": userdata,
            "enabled": enabled,
        }
        body = {k: v for k, v in changes.items() if v is not None}
        if not body:
            raise ValueError("nothing to change")
        path = _one(sched_id)
        with _scheduling(sched_id):  # a PUT replaces values: safe to retry
            data = self._call("PUT", path, body=body, retry=True)
        return shaped(ScheduledRef.parse, path, data)

    def disable_scheduled_job(self, sched_id: str) -> bool:
        """PE's soft delete, `PUT {"enabled": false}`: the job never runs again and can never
        be edited again. True if this call disabled it, False if it already was."""
        try:
            self.update_scheduled_job(sched_id, enabled=False)
        except DisabledScheduledJob:
            return False
        return True

    def enable_scheduled_job(self, sched_id: str) -> ScheduledRef:
        """`PUT {"enabled": true}`: changes nothing on an enabled job; PE refuses it on a
        disabled one (DisabledScheduledJob), so a disabled job cannot be brought back: create
        a new one."""
        return self.update_scheduled_job(sched_id, enabled=True)

    def delete_scheduled_job(self, sched_id: str) -> bool:
        """The only delete PE has (the soft one): the same as disable_scheduled_job()."""
        return self.disable_scheduled_job(sched_id)
