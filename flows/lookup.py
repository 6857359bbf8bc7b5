"""Finding the job a request created, when a crash hid the orchestrator's answer.

PE 2021 and later keep the request's `userdata`, which carries the bot's marker. PE 2016-2019
job items have no `userdata` at all, so there the job is recognised by what it was asked to
do: its options echo the request's environment, scope, task, parameters and flags. Either
way the search goes back as far as the request's own age (not a fixed number of recent jobs,
which a busy PE overruns), and a job the bot already follows is never taken for another's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from orchestrator.client import OrchestratorClient
from orchestrator.models import Job, JobRef, PlanJob, PlanJobRef
from orchestrator.schedules import ScheduledRef
from store.requests import RequestRow

Found = TypeVar("Found", Job, PlanJob)

PAGE = 200
# PE's clock and the bot's may disagree; a job stamped a little before the request is still
# looked at. Bounded anyway, so a restart never reads a whole decade of jobs.
CLOCK_SLACK = 600.0
MAX_SCANNED = 100_000
MARKER = "chatops_request"
SCHEDULES = "scheduled_jobs/environment_jobs"
# Request keys a job's `options` echo (when that PE version echoes them at all).
ECHOED = {
    "deploy": ("environment", "scope", "noop", "no_noop", "concurrency", "description"),
    "task": ("environment", "task", "params", "scope", "noop", "description"),
}


@dataclass(frozen=True)
class Lookup:
    """What the orchestrator knows of a request: its job, nothing, or several look-alikes."""

    ref: JobRef | PlanJobRef | ScheduledRef | None = None
    lookalikes: tuple[str, ...] = ()
    scanned: int = 0


def find_launched(
    client: OrchestratorClient, row: RequestRow, followed: Callable[[str, str], bool]
) -> Lookup:
    """The job or plan job `row` created, if the orchestrator has it. `followed(kind, name)`
    says whether the bot already follows a job (it then belongs to another request)."""
    since = row.created_at - CLOCK_SLACK
    if row.endpoint in ("deploy", "task"):
        jobs = _recent(lambda **p: client.jobs(**p).items, since, lambda j: j.timestamp)
        return _pick(row, jobs, lambda j: not followed("job", j.name), _job_matches, _job_ref)
    if row.endpoint in ("plan_run", "environment_plan_run"):
        plans = _recent(client.plan_jobs, since, lambda p: p.timestamp or p.finished)
        return _pick(
            row, plans, lambda p: not followed("plan_job", p.name), _plan_matches, _plan_ref
        )
    if row.endpoint == SCHEDULES:
        return find_schedule(client, row.id)
    return Lookup()


def find_schedule(client: OrchestratorClient, request_id: str) -> Lookup:
    """The schedule a request created, by the marker in its userdata (PE 2021.7+ keeps
    userdata on every scheduled job, disabled ones included): found, or certainly not made."""
    every = client.all_scheduled_jobs()
    for scheduled in every:
        if scheduled.userdata.get(MARKER) == request_id:
            return Lookup(
                ref=ScheduledRef(name=scheduled.name, id=scheduled.id), scanned=len(every)
            )
    return Lookup(scanned=len(every))


def _job_ref(job: Job) -> JobRef:
    return JobRef(name=job.name, id=job.id)


def _plan_ref(plan: PlanJob) -> PlanJobRef:
    return PlanJobRef(name=plan.name)


def _pick(
    row: RequestRow,
    found: Iterator[Found],
    free: Callable[[Found], bool],
    matches: Callable[[Found, RequestRow], bool],
    ref: Callable[[Found], JobRef | PlanJobRef],
) -> Lookup:
    lookalikes: list[Found] = []
    scanned = 0
    for item in found:
        scanned += 1
        if item.userdata is not None:  # PE keeps userdata: only the marker decides
            if item.userdata.get(MARKER) == row.id:
                return Lookup(ref=ref(item), scanned=scanned)
            continue
        if free(item) and matches(item, row):
            lookalikes.append(item)
    if len(lookalikes) == 1:
        return Lookup(ref=ref(lookalikes[0]), scanned=scanned)
    return Lookup(lookalikes=tuple(i.name for i in lookalikes), scanned=scanned)


def _recent(
    read: Callable[..., Iterable[Found]], since: float, stamp: Callable[[Found], datetime | None]
) -> Iterator[Found]:
    """Jobs newest first, page by page, until they are older than `since`. The stop is trusted
    only on a page that really is newest-first; a PE that ignores `order` is read to the end. A
    PE that ignores `offset` (2016: `limit` only, "the most recent n") is asked for more at once."""
    seen: set[str] = set()
    offset, limit = 0, PAGE
    while offset < MAX_SCANNED and limit <= MAX_SCANNED:
        page = list(read(order="desc", order_by="timestamp", limit=limit, offset=offset))
        fresh = [i for i in page if i.name not in seen]
        if offset and page and not fresh:
            offset, limit = 0, limit * 5
            continue
        seen.update(i.name for i in fresh)
        yield from fresh
        times = [t.timestamp() for t in (stamp(i) for i in page) if t is not None]
        newest_first = all(a >= b for a, b in zip(times, times[1:], strict=False))
        if len(page) < limit or (newest_first and times and times[-1] < since):
            return
        offset += len(page)


def _unset(value: Any) -> bool:
    return value is None or value is False or value in ("", {}, [])


def _same(a: Any, b: Any) -> bool:
    """Equal as PE echoes them: unset, null and false alike; node lists in any order."""
    if _unset(a) and _unset(b):
        return True
    if isinstance(a, Mapping) and isinstance(b, Mapping) and set(a) == set(b) == {"nodes"}:
        return sorted(map(str, a["nodes"] or ())) == sorted(map(str, b["nodes"] or ()))
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def _job_matches(job: Job, row: RequestRow) -> bool:
    kind = "deploy" if row.endpoint == "deploy" else "task"
    if job.type and job.type != kind:
        return False
    options, body = job.options, row.body
    if "scope" not in options:  # e.g. a PE 2016.2 application job: its target cannot be told
        return False
    sensitive = set(options.get("sensitive") or ())
    for key in ECHOED[kind]:
        if key not in options:
            continue  # this PE version does not echo it
        mine, theirs = body.get(key), options.get(key)
        if key == "params" and sensitive:  # PE hides sensitive values
            mine = {k: v for k, v in (mine or {}).items() if k not in sensitive}
            theirs = {k: v for k, v in (theirs or {}).items() if k not in sensitive}
        if not _same(mine, theirs):
            return False
    return True


def _plan_params(row: RequestRow) -> Mapping[str, Any]:
    params = row.body.get("params") or {}
    if row.endpoint != "environment_plan_run":
        return params
    return {k: v.get("value") if isinstance(v, Mapping) else v for k, v in params.items()}


def _plan_matches(plan: PlanJob, row: RequestRow) -> bool:
    body = row.body
    if plan.plan_name != body.get("plan_name"):
        return False
    if plan.environment and plan.environment != (body.get("environment") or "production"):
        return False
    if plan.description and plan.description != (body.get("description") or ""):
        return False
    raw = row.body.get("params") or {}
    return _same(plan.parameters, raw) or _same(plan.parameters, _plan_params(row))
