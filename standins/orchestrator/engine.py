"""The clock-driven job engine: node runs within concurrency, stops, events, all advanced lazily."""

from __future__ import annotations

import fnmatch
import heapq
import itertools
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

from . import plans
from .errors import ApiError
from .state import (
    TERMINAL,
    Event,
    Job,
    JobSpec,
    NodeRun,
    PlanJob,
    PlanSpec,
    ScheduledJob,
    StatusEntry,
)
from .world import World

log = logging.getLogger(__name__)

_NODE_DONE, _SCHEDULED, _PLAN_START = 0, 1, 2
PLAN_PENDING = 0.2  # seconds a new plan job stays `pending` (PE 2023 and later), at most


class Engine:
    """Jobs, plan jobs and events; each transition is due at a clock time, applied by advance()."""

    def __init__(self, world: World, node_seconds: float):
        from .versions import Dialect

        self.world = world
        self.node_seconds = node_seconds
        self.pending_plans = Dialect(world.settings.pe_version).plan_pending
        # Whether PuppetDB answers right now (the Simulator sets it from flags and faults).
        self.puppetdb_down: Callable[[], bool] = lambda: world.flags.puppetdb_unreachable
        self.jobs: dict[int, Job] = {}
        self.plan_jobs: dict[int, PlanJob] = {}
        self.scheduled: dict[int, ScheduledJob] = {}
        self.task_targets: dict[int, dict[str, Any]] = {}
        self.events: list[Event] = []  # every event, in id order, for /_sim/event_log
        self._job_ids = itertools.count(1)
        self._plan_ids = itertools.count(1)
        self._event_ids = itertools.count(1)
        self._other_ids = itertools.count(1)
        self._seq = itertools.count()
        # (due time, tie-break, action, id, node index): a heap keeps 100k pending runs cheap.
        self._heap: list[tuple[float, int, int, int, int]] = []

    def next_id(self) -> int:
        """Ids for task targets and scheduled jobs."""
        return next(self._other_ids)

    def advance(self, now: float) -> None:
        """Apply every transition due at or before `now`, in time order."""
        heap = self._heap
        while heap and heap[0][0] <= now:
            due, _, action, ident, index = heapq.heappop(heap)
            if action == _NODE_DONE:
                self._node_done(self.jobs[ident], index, due)
            elif action == _PLAN_START:
                self._start_plan(self.plan_jobs[ident], due)
            else:
                self._fire_scheduled(self.scheduled[ident], due, index)

    # -- jobs ---------------------------------------------------------------------------------

    def create_job(self, spec: JobSpec, now: float) -> Job:
        job = self.new_job(spec, now)
        self.start_job(job, now)
        return job

    def new_job(self, spec: JobSpec, now: float) -> Job:
        runs = [self._plan_run(spec, name, i) for i, name in enumerate(spec.nodes)]
        default = (
            self.world.settings.deploy_concurrency
            if spec.kind == "deploy"
            else self.world.settings.task_concurrency
        )
        job = Job(
            id=next(self._job_ids),
            spec=spec,
            created=now,
            nodes=runs,
            concurrency=spec.concurrency or default,
            counts={"new": len(runs)},
            pending=deque(range(len(runs))),
            timestamp=now,
        )
        self._transition(job, "new", now)
        self.jobs[job.id] = job
        return job

    def start_job(self, job: Job, now: float) -> None:
        self._transition(job, "ready", now)
        self._transition(job, "running", now)
        job.started = now
        self._pump(job, now)

    def stop_job(self, job: Job, force: bool, now: float) -> None:
        """Graceful: skip pending nodes, let running ones finish. Force: fail running ones now."""
        if job.state in TERMINAL:
            return
        if job.state != "stopping":
            self._transition(job, "stopping", now)
            self._emit(job, "job_stopping", now)
        while job.pending:
            run = job.nodes[job.pending.popleft()]
            self._set(job, run, "skipped")
            self._emit(job, "node_skipped", now, run)
        if force:
            for run in job.nodes:
                if run.state == "running":
                    run.forced, run.finish = True, now
                    self._set(job, run, "failed")
                    self._emit(job, "node_failed", now, run)
                    job.running -= 1
        self._pump(job, now)

    def _plan_run(self, spec: JobSpec, name: str, index: int) -> NodeRun:
        node = self.world.node(name)
        transport = spec.transports.get(name, "pcp")
        if transport == "pcp":
            reachable = node is not None and node.reachable
        else:  # SSH/WinRM through Bolt server: no PXP agent needed
            reachable = node is None or node.outcome != "unreachable"
        outcome = "unreachable"
        if reachable:
            outcome = node.outcome if node else "success"
            if spec.task is not None:
                failing = outcome == "failed" or any(
                    fnmatch.fnmatchcase(name, p) for p in spec.task.fails_on
                )
                erring = any(fnmatch.fnmatchcase(name, p) for p in spec.task.errors_on)
                outcome = "failed" if failing else "error_result" if erring else "success"
        seconds = self.node_seconds * (node.factor if node else 1.0)
        return NodeRun(
            name=name, index=index, seconds=seconds, outcome=outcome, transport=transport
        )

    def _pump(self, job: Job, now: float) -> None:
        """Start pending nodes within concurrency; finish the job once nothing is left."""
        while job.state == "running" and job.pending and job.running < job.concurrency:
            run = job.nodes[job.pending.popleft()]
            run.start = now
            if run.outcome == "unreachable":  # errors at once: nothing to wait for
                run.finish = now
                self._set(job, run, "errored")
                self._emit(job, "node_errored", now, run)
                continue
            self._set(job, run, "running")
            self._emit(job, "node_running", now, run)
            job.running += 1
            heapq.heappush(
                self._heap, (now + run.seconds, next(self._seq), _NODE_DONE, job.id, run.index)
            )
        if job.running == 0 and job.state in ("running", "stopping"):
            if job.state == "stopping":
                self._finish(job, "stopped", now)
            elif not job.pending:
                bad = job.counts.get("failed", 0) + job.counts.get("errored", 0)
                self._finish(job, "failed" if bad else "finished", now)

    def _node_done(self, job: Job, index: int, now: float) -> None:
        run = job.nodes[index]
        if run.state != "running":  # already ended by a forced stop
            return
        run.finish = now
        failed = run.outcome == "failed"
        self._set(job, run, "failed" if failed else "finished")
        self._emit(job, "node_failed" if failed else "node_finished", now, run)
        job.running -= 1
        self._pump(job, now)

    def _finish(self, job: Job, state: str, now: float) -> None:
        self._transition(job, state, now)
        job.finished = now
        self._emit(job, "job_finished", now)
        if job.spec.plan_job is not None:
            plans.child_done(self, self.plan_jobs[job.spec.plan_job], job, now)

    def _transition(self, job: Job, state: str, now: float) -> None:
        if job.status:
            job.status[-1].exit = now
        job.status.append(StatusEntry(state, now))
        job.state, job.timestamp = state, now

    @staticmethod
    def _set(job: Job, run: NodeRun, state: str) -> None:
        job.counts[run.state] -= 1
        job.counts[state] = job.counts.get(state, 0) + 1
        run.state = state

    def _emit(self, job: Job, type_: str, now: float, run: NodeRun | None = None) -> None:
        event = Event(next(self._event_ids), job.id, type_, now, run)
        job.events.append(event)
        self.events.append(event)
        if run is not None:
            run.last_event = event.id

    # -- plan jobs ----------------------------------------------------------------------------

    def create_plan_job(self, spec: PlanSpec, now: float) -> PlanJob:
        plan_job = PlanJob(id=next(self._plan_ids), spec=spec, created=now, timestamp=now)
        self.plan_jobs[plan_job.id] = plan_job
        delay = min(PLAN_PENDING, self.node_seconds)
        if self.pending_plans and delay > 0:  # waits for the plan executor, as PE 2023 shows
            plan_job.state = "pending"
            due = now + delay
            heapq.heappush(self._heap, (due, next(self._seq), _PLAN_START, plan_job.id, 0))
        else:
            plans.advance_plan(self, plan_job, now)
        return plan_job

    def _start_plan(self, plan_job: PlanJob, now: float) -> None:
        if plan_job.state == "pending":  # not stopped meanwhile
            plan_job.state, plan_job.timestamp = "running", now
            plans.advance_plan(self, plan_job, now)

    def emit_plan(self, plan_job: PlanJob, type_: str, now: float, details: dict[str, Any]) -> None:
        event = Event(next(self._event_ids), plan_job.id, type_, now, None, details, plan=True)
        plan_job.events.append(event)
        self.events.append(event)

    # -- scheduled jobs -----------------------------------------------------------------------

    def schedule(self, job: ScheduledJob) -> None:
        """Arm a new scheduled job for its start time."""
        self.scheduled[job.id] = job
        self.reschedule(job, job.start_time)

    def reschedule(self, job: ScheduledJob, when: float | None) -> None:
        """Run the scheduled job next at `when` (None: never); earlier arming is forgotten."""
        job.generation += 1
        job.next_run = when
        if when is not None:
            heapq.heappush(self._heap, (when, next(self._seq), _SCHEDULED, job.id, job.generation))

    def _fire_scheduled(self, job: ScheduledJob, now: float, generation: int) -> None:
        if generation != job.generation or not job.enabled:  # re-armed by a PUT, or disabled
            return
        try:
            kind, ident = job.launch(now)
            job.last_run = {"time": now, "job": {"kind": kind, "id": ident}}
        except ApiError as exc:
            # The job it would have been still takes a number (2021.7.1 docs: "name": 33).
            job.last_run = {
                "time": now,
                "submission_error": exc.body(),
                "name": next(self._job_ids),
            }
        self.reschedule(job, now + job.interval if job.interval else None)
