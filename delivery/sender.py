"""The outbox sender: each queued post reaches Slack once, in priority order, within the budget.

Posts are claimed (pending → sending) before the call and settled after it. A post left in
`sending` by a crash is looked up in Slack by the key carried in its message metadata before
anything is sent again (delivery/recovery.py), so a restart neither loses nor doubles a message.

Two lanes run side by side, each with one call in flight: posts (chat.postMessage, ordered by
delivery/plan.py) and card edits (chat.update, delivery/edits.py). Each asks the budget before
every call, so the bot never sends faster than Slack's published limits; a 429 all the same
(another app, a smaller limit) pauses the call's bucket for its Retry-After and lowers the rate
the budget assumes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from delivery import outbox
from delivery.budget import POST_MESSAGE, Budget, Ticket
from delivery.edits import CardEditor, CardSource
from delivery.outbox import METADATA_TYPE
from delivery.plan import order_posts
from delivery.recovery import Recovery
from delivery.slack import CHANNEL_ERRORS, error_of, retry_after
from store import Store, jobs, posts
from store.posts import PostRow, Queued

log = logging.getLogger(__name__)

MIN_PASS_GAP = 0.05

__all__ = ["METADATA_TYPE", "CardSource", "Sender", "Wakeup"]


class Wakeup:
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
        cards: CardSource,
        *,
        clock: Callable[[], float],
        budget: Budget | None = None,
        card_gap: float = 0.5,
    ) -> None:
        self.store = store
        self.slack = slack
        self.cards = cards
        self.clock = clock
        self.budget = budget if budget is not None else Budget(clock)
        self.editor = CardEditor(store, slack, cards, clock=clock, budget=self.budget, gap=card_gap)
        self.wake = Wakeup()
        self._lock = threading.Lock()
        self.recovery = Recovery(store, slack, budget=self.budget, clock=clock)
        self.sent = 0

    # -- running ----------------------------------------------------------------------------------

    def run(self, stop: threading.Event, *, period: float = 1.0) -> None:
        """Send until `stop` is set: posts here, card edits on a thread of their own."""
        self.reconcile()
        edits = threading.Thread(
            target=self._loop, args=(stop, self.editor.edit, period), name="sender-edits"
        )
        edits.start()
        try:
            self._loop(stop, self.send_posts, period)
        finally:
            self.wake.set()
            edits.join(timeout=10)

    def _loop(self, stop: threading.Event, lane: Callable[[], float | None], period: float) -> None:
        while not stop.is_set():
            seen = self.wake.generation
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
                self.wake.wait(seen, period)
                stop.wait(MIN_PASS_GAP)

    def close(self) -> None:
        """Nothing to release: the lanes end with the stop event."""

    def flush(self) -> int:
        """One pass of each lane; returns the number of Slack calls that succeeded."""
        before = self.sent
        self.send_posts()
        return self.sent - before + self.editor.edit_count()

    def backlog(self) -> dict[str, Any]:
        """What waits: posts, cards behind their job, and the age of the oldest post."""
        db = self.store.db
        count, oldest = posts.backlog(db)
        return {
            "posts": count,
            "cards": jobs.cards_behind(db),
            "oldest_post_s": round(max(0.0, self.clock() - oldest), 1) if oldest else 0.0,
        }

    # -- posts ----------------------------------------------------------------------------------

    def send_posts(self) -> float | None:
        """Send queued posts, most urgent first, as far as the budget allows now. Returns the
        seconds until the budget lets the next one go, or None when nothing waits."""
        with self._lock:
            if self.recovery.orphans:
                self.recovery.settle()
            plan = order_posts(posts.queued(self.store.db))
            if not plan:
                return None
            blocked: set[str] = set()  # threads that must wait: nothing overtakes in a thread
            held: dict[str, float] = {}  # channels whose bucket is empty, and for how long
            for priority, queued in plan:
                thread = queued.thread_of or queued.key
                if thread in blocked:
                    continue
                if queued.channel_id in held:
                    blocked.add(thread)
                    continue
                if self.budget.wait(POST_MESSAGE) > 0:
                    break  # the workspace's ceiling: no channel can post now
                wait = self.budget.wait(POST_MESSAGE, queued.channel_id)
                if wait > 0:
                    held[queued.channel_id] = wait
                    blocked.add(thread)
                    continue
                thread_ts = outbox.thread_ts(self.store.db, queued.thread_of)
                if queued.thread_of and thread_ts is None:
                    if not self._parent_lost(queued):
                        blocked.add(thread)
                    continue
                ticket = self.budget.try_take(POST_MESSAGE, queued.channel_id, priority)
                if ticket is None:
                    blocked.add(thread)
                    continue
                outcome = self._send(queued, thread_ts, ticket)
                if outcome == "stop":
                    return 1.0
                if outcome != "sent":
                    blocked.add(thread)
            waits = [self.budget.wait(POST_MESSAGE), *held.values()]
            finite = [w for w in waits if 0 < w < float("inf")]
            return min(finite) if finite else MIN_PASS_GAP

    def _parent_lost(self, queued: Queued) -> bool:
        """The card that starts this thread was given up on, so the reply never can be sent:
        it is settled as dead (True); False while the card may still come."""
        parent = posts.get(self.store.db, f"{queued.thread_of}/card")
        if parent is None or parent.state != "dead":
            return False
        with self.store.write() as db:
            posts.settle(
                db,
                queued.seq,
                state="dead",
                now=self.clock(),
                error="its thread's first message could not be posted",
            )
        return True

    def _send(self, queued: Queued, thread_ts: str | None, ticket: Ticket) -> str:
        with self.store.write() as db:
            row = posts.by_seq(db, queued.seq) if posts.claim(db, queued.seq) else None
        if row is None:
            self.budget.done(ticket)
            return "skipped"
        payload, version = self._current(row)
        try:
            response = self.slack.chat_postMessage(
                channel=row.channel_id,
                thread_ts=thread_ts,
                text=payload["text"],
                blocks=payload.get("blocks") or None,
                metadata={"event_type": METADATA_TYPE, "event_payload": {"key": row.key}},
                unfurl_links=False,
            )
        except SlackApiError as exc:
            self.budget.done(ticket, retry_after=retry_after(exc))
            return self._failed(row, exc)
        except OSError as exc:
            self.budget.done(ticket)
            log.warning("Slack unreachable posting %s: %s", row.key, exc)
            self._settle(row, "pending", error=str(exc))
            return "stop"
        self.budget.done(ticket)
        self._settled(row, str(response["ts"]), version)
        self.sent += 1
        return "sent"

    def _current(self, row: PostRow) -> tuple[dict[str, Any], int]:
        """A status card is rendered as it is now, not as it was queued: posted late (a busy
        channel takes about a post a second), it already shows the job's progress."""
        job = jobs.get(self.store.db, row.ref) if row.kind == "card" and row.ref else None
        if job is None:
            return row.payload, 1
        return self.cards.job_card(job).payload(), job.card_version

    def _settle(self, row: PostRow, state: str, *, error: str | None = None) -> None:
        outbox.record_state(self.store, row, state, self.clock(), error=error)

    def _failed(self, row: PostRow, exc: SlackApiError) -> str:
        wait = retry_after(exc)
        if wait is not None:
            log.info(
                "Slack rate-limited a post in %s; waiting %.0fs (Retry-After) and slowing down",
                row.channel_id,
                wait,
            )
            self._settle(row, "pending", error="ratelimited")
            return "limited"
        error = error_of(exc)
        if error in CHANNEL_ERRORS:
            log.error(
                "cannot post in channel %s (%s): invite the bot there (/invite @bot) or check the "
                "channel; its queued messages are dropped, other channels carry on",
                row.channel_id,
                error,
            )
            with self.store.write() as db:
                posts.settle(db, row.seq, state="dead", now=self.clock(), error=error)
                db.execute(
                    "UPDATE posts SET state = 'dead', error = ? WHERE channel_id = ? AND state = "
                    "'pending'",
                    [error, row.channel_id],
                )
            return "dead"
        log.error("Slack refused post %s: %s", row.key, error)
        self._settle(row, "dead", error=error)
        return "dead"

    def _settled(self, row: PostRow, ts: str, version: int = 1) -> None:
        outbox.record_sent(self.store, row, ts, version, self.clock())

    # -- crash recovery -------------------------------------------------------------------------

    def reconcile(self) -> int:
        """Settle the posts a crash left in `sending` (delivery/recovery.py); call it before
        sending anything. Returns how many Slack turned out to have."""
        with self._lock:
            return self.recovery.start()
