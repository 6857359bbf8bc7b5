"""The poller: follows every unfinished job beside the Slack listener, in the same process."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Protocol

from orchestrator.client import OrchestratorClient
from orchestrator.errors import (
    AuthenticationFailed,
    Rejected,
    Unavailable,
    UnexpectedShape,
    UnknownJob,
)
from poller.observe import observe_job, observe_plan
from poller.pacing import lead_time
from poller.record import Recorder
from store import Store, jobs
from store.jobs import JobRow

log = logging.getLogger(__name__)

MAX_BACKOFF = 60.0
TIMED_POLLS = 50  # the polls `lead()` looks back on
MIN_PASS_GAP = 0.05  # passes no closer than this: polls falling due together start together


class Outbox(Protocol):
    """The outbox sender (delivery/sender.py), as the poller uses it."""

    def wake(self) -> None: ...

    def flush(self) -> int: ...

    def behind(self) -> float: ...


class Poller:
    """`tick(now)` is one pass (tests call it with their own clock); `run()` loops."""

    def __init__(
        self,
        store: Store,
        orchestrator: OrchestratorClient,
        recorder: Recorder,
        sender: Outbox,
        *,
        clock: Callable[[], float],
        housekeeping: Callable[[float], None] | None = None,
        workers: int = 8,
    ) -> None:
        self.store = store
        self.orchestrator = orchestrator
        self.recorder = recorder
        self.sender = sender
        self.clock = clock
        self.housekeeping = housekeeping
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="poll")
        self._inflight: dict[str, Future[None]] = {}
        self._lock = threading.Lock()
        self._durations: deque[float] = deque(maxlen=TIMED_POLLS)
        # Polls asked for by a coming card edit (`ask_before`), by job key: when each starts.
        self._asked: dict[str, float] = {}

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def tick(self, now: float | None = None) -> None:
        """Expire approvals, poll every due job (waiting for them), send what they queued."""
        now = self.clock() if now is None else now
        if self.housekeeping:
            self.housekeeping(now)
        wait(self.poll_due(now))
        self.sender.flush()

    def poll_due(self, now: float) -> list[Future[None]]:
        """Start a poll of each due job not already being polled; one slow job holds up none."""
        started = []
        with self._lock:
            self._inflight = {k: f for k, f in self._inflight.items() if not f.done()}
            asked = [k for k, at in self._asked.items() if at <= now]
            due = [
                k
                for k in dict.fromkeys([*asked, *jobs.due(self.store.db, now)])
                if k not in self._inflight
            ]
            # A poll in flight began before it was asked for: the ask waits for the next one.
            for key in due:
                self._asked.pop(key, None)
            # Read once a pass: how long Slack needs for what already waits (poller/pacing.py).
            behind = self.sender.behind() if due else 0.0
            for key in due:
                future = self._pool.submit(self.poll_key, key, now, behind)
                self._inflight[key] = future
                started.append(future)
        return started

    def poll_key(self, key: str, now: float, behind: float = 0.0) -> None:
        job = jobs.get(self.store.db, key)
        if job is not None and not job.done:
            self.poll(job, now, behind=behind)
            with self._lock:
                self._durations.append(max(0.0, self.clock() - now))

    def ask_before(self, key: str, edit_at: float) -> None:
        """Poll this job `lead()` before its card's edit at `edit_at`: kept apart from the
        store's schedule, so that a poll already in flight, which began earlier and writes the
        next regular time when it lands, cannot cancel it."""
        at = edit_at - self.lead()
        with self._lock:
            self._asked[key] = min(at, self._asked.get(key, at))

    def next_wake(self, now: float) -> float | None:
        """When the next poll falls due: a job's regular time after `now`, or an asked one."""
        with self._lock:  # an ask still waiting for a poll in flight to land: as soon as can be
            asked = [max(at, now) for at in self._asked.values()]
        regular = jobs.next_due(self.store.db, now)
        times = [*asked, *([regular] if regular is not None else [])]
        return min(times) if times else None

    def lead(self) -> float:
        """How long before a card's edit to poll its job (poller/pacing.py, delivery/edits.py)."""
        with self._lock:
            durations = tuple(self._durations)
        return lead_time(durations)

    def poll(self, job: JobRow, now: float, *, behind: float = 0.0) -> None:
        try:
            if job.kind == "plan_job":
                plan = observe_plan(self.orchestrator, job)
                with self.store.write() as db:
                    self.recorder.plan(db, job, plan, now, behind=behind)
            else:
                seen = observe_job(self.orchestrator, job)
                with self.store.write() as db:
                    self.recorder.job(db, job, seen, now, behind=behind)
        except UnknownJob as exc:
            log.warning(
                "%s is unknown to the orchestrator (%s); no longer following it", job.id, exc.msg
            )
            with self.store.write() as db:
                self.recorder.forget(db, job, exc.short_kind, now)
        except UnexpectedShape as exc:
            errors = job.poll_errors + 1
            log.warning("polling %s: %s (poll %d like that)", job.id, exc, errors)
            with self.store.write() as db:
                self.recorder.misunderstood(
                    db, job, exc, now, errors=errors, delay=self._delay(errors)
                )
        except (Unavailable, AuthenticationFailed, Rejected) as exc:
            self._trouble(job, exc, now)
        except Exception:
            log.exception("unexpected error polling %s; will retry", job.id)
            self._trouble(job, Unavailable("internal error"), now)
        else:
            self.sender.wake()  # what this poll changed goes out on the next pass

    def _trouble(self, job: JobRow, exc: Exception, now: float) -> None:
        errors = job.poll_errors + 1
        delay = self._delay(errors)
        reason = _reason(exc)
        if isinstance(exc, AuthenticationFailed):
            log.error(
                "the orchestrator refused the bot's RBAC token (%s): renew PE_RBAC_TOKEN",
                exc.short_kind,
            )
        else:
            log.warning("polling %s failed (%s); next try in %.0fs", job.id, reason, delay)
        with self.store.write() as db:
            self.recorder.lost(db, job, reason, now, errors=errors, delay=delay)

    def _delay(self, errors: int) -> float:
        return min(MAX_BACKOFF, self.recorder.pacing.interval * 2.0 ** min(errors - 1, 6))

    def run(self, stop: threading.Event, *, period: float = 0.25) -> None:
        """Start polls as they fall due until `stop` is set. Sending has a thread of its own
        (Sender.run), so a slow round of Slack calls never delays the next polls. Between passes
        it sleeps until the next job falls due, `period` at most (a card's edit may ask for a
        poll meanwhile): a poll asked for just before an edit starts on time."""
        last_housekeeping = 0.0
        while not stop.is_set():
            now = self.clock()
            wait = period
            try:
                if self.housekeeping and now - last_housekeeping >= 1.0:
                    self.housekeeping(now)
                    last_housekeeping = now
                self.poll_due(now)
                due = self.next_wake(now)
                if due is not None:
                    wait = min(period, max(MIN_PASS_GAP, due - self.clock()))
            except Exception:
                log.exception("poller pass failed; carrying on")
            stop.wait(wait)


def _reason(exc: Exception) -> str:
    if isinstance(exc, Rejected):
        return f"{exc.short_kind}: {exc.msg}"
    return str(exc)
