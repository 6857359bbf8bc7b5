"""Runs of the bot's schedules: found when they fire and followed like the bot's own jobs.

Run by the poller's housekeeping every few seconds: the schedules are listed (GET
/scheduled_jobs/environment_jobs, page by page); for each of the bot's enabled ones, a
`last_run` not seen before is the run that just fired.
Its job gets a status card in the schedule's channel, followed to its summary as any job, and a
note in the schedule card's thread; a run PE could not submit (`last_run.job.submission_error`)
is said there in plain words. Each run is taken once (a compare-and-set on the run's time), so a
restart never announces one twice.
"""

from __future__ import annotations

import logging

from sqlite_utils import Database

from flows.deps import Deps
from model.snapshot import Snapshot
from orchestrator.errors import OrchestratorError
from orchestrator.listing import JobFilter
from orchestrator.requests import ScheduleRequest
from orchestrator.schedule_input import run_now_of
from orchestrator.schedules import LastRun, ScheduledJob, iso_utc
from store import jobs, posts, schedules
from store.schedules import ScheduleRow

log = logging.getLogger(__name__)

COMMAND = {"deploy": "deploy", "task": "task", "plan": "plan"}


class ScheduleRuns:
    """Called by the housekeeping each second; reads the schedules every `every` seconds."""

    def __init__(self, deps: Deps, *, every: float = 5.0) -> None:
        self.deps = deps
        self.every = every
        self._last = float("-inf")

    def __call__(self, now: float) -> None:
        if now - self._last < self.every:
            return
        self._last = now
        self.check_all(now)

    def check_all(self, now: float) -> None:
        """Read the schedules now, whenever they were last read: one listing (a page per 100
        schedules) rather than one request per schedule."""
        rows = schedules.in_state(self.deps.store.db, "enabled")
        if not rows:
            return
        try:
            listed = {s.name: s for s in self.deps.orchestrator.all_scheduled_jobs()}
        except OrchestratorError as exc:
            log.warning("cannot read the schedules now (%s); will try again", exc)
            return
        for row in rows:
            check(self.deps, row, listed.get(row.name), now)


def check(deps: Deps, row: ScheduleRow, found: ScheduledJob | None, now: float) -> None:
    """Announce a run of this schedule not seen before; note a schedule that is over (or that
    PE no longer lists)."""
    if found is None:
        with deps.store.write() as db:
            schedules.end(db, row.name, "ended", by="PE", reason="PE no longer has it", now=now)
        return
    last = found.last_run
    stamp = iso_utc(last.time) if last is not None and last.time is not None else None
    # Runs that fired before the last one since the bot last looked (it was down, say): task
    # and plan jobs name their schedule in their options. Read before the write: it is I/O.
    earlier = _earlier_runs(deps, row) if stamp and stamp != row.last_run_at else []
    with deps.store.write() as db:
        fresh = (
            last is not None
            and stamp is not None
            and schedules.saw_run(db, row.name, stamp, last.job, now)
        )
        if fresh and last is not None:
            for kind, name in earlier:
                if name != last.job:
                    _take(db, row, kind, name, now)
            _announce(db, row, last, now)
        _settle(db, row, found, now)
    deps.sender.wake()


def _earlier_runs(deps: Deps, row: ScheduleRow) -> list[tuple[str, str]]:
    """Jobs whose options carry this schedule's id, newer than the last run seen, oldest
    first. Deploy jobs carry no schedule id (only `last_run` finds them)."""
    kind_of = str(row.body.get("type"))
    after = int(row.last_job) if row.last_job and row.last_job.isdigit() else 0
    found: list[tuple[str, str]] = []
    try:
        if kind_of == "task":
            where = JobFilter(types=frozenset({"task"}))
            for job in deps.orchestrator.recent_jobs(where, limit=50, scan=200):
                if job.scheduled_job_id == row.name and int(job.name) > after:
                    found.append(("job", job.name))
        elif kind_of == "plan":
            for plan in deps.orchestrator.recent_plan_jobs(limit=50, scan=200):
                if plan.scheduled_job_id == row.name and int(plan.name) > after:
                    found.append(("plan_job", plan.name))
    except OrchestratorError as exc:
        log.warning("cannot list the runs of schedule %s now (%s)", row.name, exc)
    return sorted(found, key=lambda kn: int(kn[1]))


def _settle(db: Database, row: ScheduleRow, found: ScheduledJob, now: float) -> None:
    if not found.enabled:
        schedules.end(
            db, row.name, "cancelled", by="PE", reason="disabled outside the bot", now=now
        )
    elif not found.active:
        schedules.end(db, row.name, "ended", by="PE", reason="its one run is done", now=now)


def _announce(db: Database, row: ScheduleRow, last: LastRun, now: float) -> None:
    if last.error is not None or last.job is None:
        error = last.error
        words = f"{error.msg} ({error.short_kind})" if error else "PE gave no job"
        stamp = iso_utc(last.time) if last.time else "?"
        posts.enqueue(
            db,
            key=f"{row.key}/run/{stamp}",
            channel_id=row.channel_id,
            kind="reply",
            template="schedule_note",
            data={"event": "not_submitted", "name": row.name, "error": words},
            thread_of=row.key,
            now=now,
        )
        return
    _take(db, row, "plan_job" if last.plan_job else "job", last.job, now)


def _take(db: Database, row: ScheduleRow, kind: str, name: str, now: float) -> None:
    """A run's job: followed with a card in the schedule's channel, and said in the schedule's
    thread, once each (the job key and the note's outbox key are unique)."""
    key = jobs.job_key(kind, name)
    if jobs.get(db, key) is None:
        run = run_now_of(ScheduleRequest.from_body(row.body))
        job = jobs.create(
            db,
            kind=kind,
            name=name,
            command=COMMAND.get(str(row.body.get("type")), "deploy"),
            request_id=row.request_id,
            channel_id=row.channel_id,
            requester=row.requester,
            endpoint=run.ENDPOINT,
            body=run.body(),
            snapshot=Snapshot(state="new", started_at=now),
            now=now,
        )
        posts.enqueue(
            db,
            key=f"{job.id}/card",
            channel_id=row.channel_id,
            kind="card",
            template="job_card",
            ref=job.id,
            now=now,
        )
    posts.enqueue(
        db,
        key=f"{row.key}/fired/{key}",
        channel_id=row.channel_id,
        kind="reply",
        template="schedule_note",
        data={
            "event": "fired",
            "name": row.name,
            "job": name,
            "plan_job": kind == "plan_job",
            "channel": row.channel_id,
            "url": None,
            "card_of": key,  # the sender links the job's card when it sends this
        },
        thread_of=row.key,
        now=now,
    )
