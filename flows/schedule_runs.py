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
    with deps.store.write() as db:
        fresh = (
            last is not None
            and last.time is not None
            and schedules.saw_run(db, row.name, iso_utc(last.time), last.job, now)
        )
        if fresh and last is not None:
            _announce(db, row, last, now)
        _settle(db, row, found, now)
    deps.sender.wake()


def _settle(db: Database, row: ScheduleRow, found: ScheduledJob, now: float) -> None:
    if not found.enabled:
        schedules.end(
            db, row.name, "cancelled", by="PE", reason="disabled outside the bot", now=now
        )
    elif not found.active:
        schedules.end(db, row.name, "ended", by="PE", reason="its one run is done", now=now)


def _announce(db: Database, row: ScheduleRow, last: LastRun, now: float) -> None:
    stamp = iso_utc(last.time) if last.time else "?"
    note_key = f"{row.key}/run/{stamp}"
    if last.error is not None or last.job is None:
        error = last.error
        words = f"{error.msg} ({error.short_kind})" if error else "PE gave no job"
        posts.enqueue(
            db,
            key=note_key,
            channel_id=row.channel_id,
            kind="reply",
            template="schedule_note",
            data={"event": "not_submitted", "name": row.name, "error": words},
            thread_of=row.key,
            now=now,
        )
        return
    kind = "plan_job" if last.plan_job else "job"
    key = jobs.job_key(kind, last.job)
    if jobs.get(db, key) is None:
        run = run_now_of(ScheduleRequest.from_body(row.body))
        job = jobs.create(
            db,
            kind=kind,
            name=last.job,
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
        key=note_key,
        channel_id=row.channel_id,
        kind="reply",
        template="schedule_note",
        data={
            "event": "fired",
            "name": row.name,
            "job": last.job,
            "plan_job": last.plan_job,
            "channel": row.channel_id,
            "url": None,
        },
        thread_of=row.key,
        now=now,
    )
