"""The post lane: queued posts reach Slack once each, most urgent first, within the budget.

Each post is rendered (delivery/compose.py) just before it is sent, then claimed (pending →
sending), sent, and settled. A post that cannot be rendered, or that Slack refuses for good, is
settled as dead and logged; the others carry on. Nothing overtakes an earlier post in its thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from delivery import outbox
from delivery.budget import POST_MESSAGE, Budget, Priority
from delivery.compose import Composer, RenderFailed
from delivery.outbox import METADATA_TYPE
from delivery.plan import order_posts
from delivery.recovery import Recovery
from delivery.slack import CHANNEL_ERRORS, error_of, retry_after
from render import Message
from store import Store, posts
from store.posts import PostRow, Queued

log = logging.getLogger(__name__)

MIN_PASS_GAP = 0.05


class PostLane:
    """`send()` sends what the budget allows now. `lock` is shared with crash recovery, which
    must finish looking a post up before the lane may send it."""

    def __init__(
        self,
        store: Store,
        slack: WebClient,
        composer: Composer,
        *,
        clock: Callable[[], float],
        budget: Budget,
        recovery: Recovery,
        lock: threading.Lock,
    ) -> None:
        self.store = store
        self.slack = slack
        self.composer = composer
        self.clock = clock
        self.budget = budget
        self.recovery = recovery
        self.lock = lock
        self.sent = 0

    def send(self) -> float | None:
        """Send queued posts, most urgent first, as far as the budget allows now. Returns the
        seconds until the budget lets the next one go, or None when nothing waits."""
        with self.lock:
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
                outcome = self._send(queued, thread_ts, priority)
                if outcome == "stop":
                    return 1.0
                if outcome not in ("sent", "dead"):  # a dead post holds up nothing after it
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
        self._settle(queued.seq, "dead", error="its thread's first message could not be posted")
        return True

    def _send(self, queued: Queued, thread_ts: str | None, priority: Priority) -> str:
        """'sent', 'dead', 'limited', 'held' (no room in the budget after all), 'skipped' (no
        longer pending) or 'stop' (Slack unreachable)."""
        row = posts.by_seq(self.store.db, queued.seq)
        if row is None or row.state != "pending":
            return "skipped"
        try:
            message, version = self.composer.post(row)
        except RenderFailed as exc:
            log.error(
                "cannot render post %s (template %s): %s; it is dropped, the others carry on",
                row.key,
                exc.template,
                exc.reason,
            )
            self._settle(row.seq, "dead", error=f"render failed: {exc.reason}")
            return "dead"
        ticket = self.budget.try_take(POST_MESSAGE, queued.channel_id, priority)
        if ticket is None:
            return "held"
        with self.store.write() as db:
            claimed = posts.claim(db, row.seq)
        if not claimed:
            self.budget.done(ticket)
            return "skipped"
        try:
            response = self._post(row, thread_ts, message)
        except SlackApiError as exc:
            self.budget.done(ticket, retry_after=retry_after(exc))
            return self._refused(row, exc)
        except OSError as exc:
            self.budget.done(ticket)
            log.warning("Slack unreachable posting %s: %s", row.key, exc)
            self._settle(row.seq, "pending", error=str(exc))
            return "stop"
        self.budget.done(ticket)
        outbox.record_sent(self.store, row, str(response["ts"]), version, self.clock())
        self.sent += 1
        return "sent"

    def _post(self, row: PostRow, thread_ts: str | None, message: Message) -> dict[str, object]:
        response = self.slack.chat_postMessage(
            channel=row.channel_id,
            thread_ts=thread_ts,
            text=message.text,
            blocks=[dict(b) for b in message.blocks] or None,
            metadata={"event_type": METADATA_TYPE, "event_payload": {"key": row.key}},
            unfurl_links=False,
        )
        return {"ts": response["ts"]}

    def _settle(self, seq: int, state: str, *, error: str | None = None) -> None:
        with self.store.write() as db:
            posts.settle(db, seq, state=state, now=self.clock(), error=error)

    def _refused(self, row: PostRow, exc: SlackApiError) -> str:
        wait = retry_after(exc)
        if wait is not None:
            log.info(
                "Slack rate-limited a post in %s; waiting %.0fs (Retry-After) and slowing down",
                row.channel_id,
                wait,
            )
            self._settle(row.seq, "pending", error="ratelimited")
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
                posts.drop_channel(db, row.channel_id, error)
            return "dead"
        log.error("Slack refused post %s: %s", row.key, error)
        self._settle(row.seq, "dead", error=error)
        return "dead"
