"""The outbox sender: runs the post lane and the card-edit lane until the bot stops.

Two lanes run side by side, each with one call in flight: posts (chat.postMessage, in the order
of delivery/plan.py; delivery/posting.py) and card edits (chat.update; delivery/edits.py). Each
asks the budget before every call, so the bot never sends faster than Slack's published limits;
a 429 all the same (another app, a smaller limit) pauses the call's bucket for its Retry-After
and lowers the rate the budget assumes. Before anything is sent, a post a crash left in
`sending` is looked up in Slack (delivery/recovery.py), so a restart neither loses nor doubles
a message. Whoever queues something calls `wake()`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from delivery.budget import POST_MESSAGE, Budget
from delivery.compose import Composer
from delivery.edits import CardEditor
from delivery.posting import MIN_PASS_GAP, PostLane
from delivery.recovery import Recovery
from store import Store, jobs, posts

log = logging.getLogger(__name__)

__all__ = ["Sender"]


class _Wakeup:
    """`set()` from anywhere wakes every lane of the sender."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.generation = 0

    def set(self) -> None:
        with self._cond:
            self.generation += 1
            self._cond.notify_all()

    def wait(self, seen: int, timeout: float) -> None:
        with self._cond:
            if self.generation == seen:
                self._cond.wait(timeout)


class Sender:
    """`flush()` is one pass of both lanes, for tests and the poller's `tick()`."""

    def __init__(
        self,
        store: Store,
        slack: WebClient,
        composer: Composer,
        *,
        clock: Callable[[], float],
        budget: Budget | None = None,
        card_gap: float = 0.5,
    ) -> None:
        self.store = store
        self.slack = slack
        self.clock = clock
        self.budget = budget if budget is not None else Budget(clock)
        self._lock = threading.Lock()
        self._wakeup = _Wakeup()
        self.recovery = Recovery(store, slack, budget=self.budget, clock=clock)
        self.posts = PostLane(
            store,
            slack,
            composer,
            clock=clock,
            budget=self.budget,
            recovery=self.recovery,
            lock=self._lock,
        )
        self.editor = CardEditor(
            store, slack, composer, clock=clock, budget=self.budget, gap=card_gap
        )

    def wake(self) -> None:
        """Something was queued or changed: every lane looks again now."""
        self._wakeup.set()

    def run(self, stop: threading.Event, *, period: float = 1.0) -> None:
        """Send until `stop` is set: posts here, card edits on a thread of their own."""
        self.reconcile()
        edits = threading.Thread(
            target=self._loop, args=(stop, self.editor.edit, period), name="sender-edits"
        )
        edits.start()
        try:
            self._loop(stop, self.posts.send, period)
        finally:
            self.wake()
            edits.join(timeout=10)

    def _loop(self, stop: threading.Event, lane: Callable[[], float | None], period: float) -> None:
        while not stop.is_set():
            seen = self._wakeup.generation
            try:
                wait = lane()
            except Exception:
                log.exception("sender pass failed; carrying on")
                wait = period
            # Woken by every poll, a lane must still not spin: it sleeps at least a little, and
            # all the way to its budget's next opening when that is what holds it back.
            if wait is not None and wait > MIN_PASS_GAP:
                stop.wait(min(wait, period))
            else:
                self._wakeup.wait(seen, period)
                stop.wait(MIN_PASS_GAP)

    def flush(self) -> int:
        """One pass of each lane; returns the number of Slack calls that succeeded."""
        before = self.posts.sent
        self.posts.send()
        return self.posts.sent - before + self.editor.edit_count()

    def behind(self) -> float:
        """Seconds Slack needs to take the posts already waiting, at the workspace's post rate
        as the budget assumes it now: news found now reaches a channel no sooner (the poller
        paces itself by it, poller/pacing.py)."""
        return posts.waiting(self.store.db) * self.budget.spacing(POST_MESSAGE)

    def backlog(self) -> dict[str, Any]:
        """What waits: posts, cards behind their job, and the age of the oldest post."""
        db = self.store.db
        count, oldest = posts.backlog(db)
        return {
            "posts": count,
            "cards": jobs.cards_behind(db),
            "oldest_post_s": round(max(0.0, self.clock() - oldest), 1) if oldest else 0.0,
        }

    def reconcile(self) -> int:
        """Settle the posts a crash left in `sending` (delivery/recovery.py); call it before
        sending anything. Returns how many Slack turned out to have."""
        with self._lock:
            return self.recovery.start()
