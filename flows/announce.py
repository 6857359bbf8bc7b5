"""Environment subscriptions: each new deploy, task or plan job that the bot did not start gets a
card in the channel watching its environment, exactly once.

Run by the poller's housekeeping every POLL_INTERVAL while any channel watches. New jobs are the
ones numbered above the cursor (the newest number already looked at, kept in the store). Left
out: the bot's own jobs (followed already, or carrying its request marker), runs of its own
schedules (the schedules are read first, so a run that just fired is taken as the bot's, and
PE's scheduled job id in the options is checked too), and a plan's `plan_task` children. The
card, the job and the cursor are written in one transaction, so a crash at any point neither
loses a job nor announces one twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flows.deps import Deps
from flows.outside import is_bots_own, output_shown, scheduled_by, take_up
from orchestrator.errors import OrchestratorError
from orchestrator.models import Job, PlanJob
from store import jobs, schedules, watches

log = logging.getLogger(__name__)

PAGE = 100
MAX_PAGES = 5
ANNOUNCED_TYPES = ("deploy", "task")  # never plan_task: a plan's children belong to its card


class Announcer:
    """Called by the housekeeping each second; looks for new jobs every `every` seconds.
    `before` runs first (the bot's schedule runs are taken as its own before anything else)."""

    def __init__(self, deps: Deps, *, every: float, before: Callable[[float], None]) -> None:
        self.deps = deps
        self.every = every
        self.before = before
        self._last = float("-inf")

    def __call__(self, now: float) -> None:
        if now - self._last < self.every:
            return
        self._last = now
        watching = watches.every(self.deps.store.db)
        if not watching:
            return
        try:
            announce(self.deps, watching, self.before, now)
        except OrchestratorError as exc:
            log.warning("cannot look for new jobs now (%s); next time", exc)


def _new_jobs(deps: Deps, since: int) -> list[Job]:
    found: dict[str, Job] = {}
    for page in range(MAX_PAGES):
        got = deps.orchestrator.jobs(
            limit=PAGE, offset=page * PAGE, order_by="timestamp", order="desc"
        ).items
        fresh = [j for j in got if j.name.isdigit() and int(j.name) > since]
        found.update((j.name, j) for j in fresh)
        if len(got) < PAGE or not fresh:
            break
    return sorted(found.values(), key=lambda j: int(j.name))


def _new_plans(deps: Deps, since: int) -> list[PlanJob]:
    got = deps.orchestrator.plan_jobs(
        limit=PAGE, order_by="timestamp", order="desc", results="exclude"
    )
    fresh = [p for p in got if p.name.isdigit() and int(p.name) > since]
    return sorted(fresh, key=lambda p: int(p.name))


def announce(
    deps: Deps, watching: list[watches.Watch], before: Callable[[float], None], now: float
) -> int:
    """Announce what is new; the number of cards queued."""
    db = deps.store.db
    since_job = watches.last_seen(db, "job") or 0
    since_plan = watches.last_seen(db, "plan_job") or 0
    candidates: list[Job | PlanJob] = [*_new_jobs(deps, since_job), *_new_plans(deps, since_plan)]
    if not candidates:
        return 0
    before(now)  # the bot's schedules read now: a run that just fired is taken as the bot's
    ours = schedules.all_names(db)
    queued = 0
    for job in candidates:
        kind = "plan_job" if isinstance(job, PlanJob) else "job"
        with deps.store.write() as wdb:
            watches.saw(wdb, kind, int(job.name))
            if not _outside(job, ours) or jobs.get(wdb, jobs.job_key(kind, job.name)):
                continue
            chosen = watches.watcher_of(watching, job.environment or "")
            if chosen is None:
                continue
            take_up(
                wdb,
                job,
                channel_id=chosen.channel_id,
                withheld=not output_shown(deps, chosen.channel_id, chosen.user_id),
                announced=True,
                now=now,
            )
            queued += 1
    if queued:
        deps.sender.wake()
    return queued


def _outside(job: Job | PlanJob, ours: set[str]) -> bool:
    if isinstance(job, Job) and (job.type or "deploy") not in ANNOUNCED_TYPES:
        return False
    if is_bots_own(job):
        return False
    scheduled = scheduled_by(job)
    return scheduled is None or scheduled not in ours
