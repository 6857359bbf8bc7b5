"""One budget for every Slack Web API call the bot makes: per method, per channel, by priority.

The bot assumes Slack's published limits (the floor of each method's tier, README "Slack's rate
limits") and spends them so that it never earns a 429 from Slack's own limits:

- A call starts only when its buckets conform, and a bucket is charged when the call *returns*
  (never earlier than Slack saw it), with one call in flight per bucket: however late a request
  reaches Slack, two calls are never closer than the bucket allows.
- The outbox sender asks (`try_take`) and orders what it asks by priority; calls that cannot
  wait (a views.open whose trigger_id lives 3 s, an answer to a click) `take` at once, and are
  counted, so the queued work behind them waits instead.
- When Slack still answers 429 (other apps share the limit, or it is smaller than published),
  the bucket honours Retry-After and the rate it assumes drops by 30% (to a quarter at most),
  then climbs back by a quarter for each 30 s without a refusal; a step up that earns a 429
  doubles the quiet time before the next one (up to 10 minutes).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Priority(IntEnum):
    """Who waits for a call: lower goes first."""

    NOW = 0  # cannot wait: views.open with a 3-second trigger_id
    PERSON = 1  # answers to a person: replies, approval cards and decisions, a new status card
    FINAL = 2  # final summaries and a card's final state
    FAILURES = 3  # failure batches and other thread news
    PROGRESS = 4  # progress edits of a running job's card
    BACKGROUND = 5  # Home tabs, announcements


@dataclass(frozen=True)
class Rate:
    """`per_minute` calls, evenly spaced, `burst` back to back when idle."""

    per_minute: float
    burst: int = 1


TIER_1, TIER_2, TIER_3, TIER_4 = Rate(1), Rate(20), Rate(50), Rate(100)
POST_MESSAGE = "chat.postMessage"
# Slack's method reference, "Rate limits" of each page (README: "Slack's rate limits").
ASSUMED: dict[str, Rate] = {
    POST_MESSAGE: Rate(300, 10),  # workspace: "several hundred messages per minute"
    "chat.update": TIER_3,
    "chat.delete": TIER_3,
    "chat.postEphemeral": TIER_4,
    "conversations.history": TIER_3,
    "conversations.replies": TIER_3,
    "conversations.info": TIER_3,
    "conversations.open": TIER_3,
    "usergroups.list": TIER_2,
    "usergroups.users.list": TIER_2,
    "users.info": TIER_4,
    "views.open": TIER_4,
    "views.update": TIER_4,
    "views.publish": TIER_4,
    "apps.connections.open": TIER_1,
    "auth.test": Rate(200),
}
POST_PER_CHANNEL = Rate(60, 3)  # "1 message per second to a specific channel", short bursts
UNKNOWN = TIER_2  # a method not in the table is assumed to be in the common tier

LOWER_BY = 0.7
LOWEST = 0.25
RAISE_BY = 1.25
QUIET_BEFORE_RAISE = 30.0
MAX_QUIET = 600.0
WINDOW = 60.0


@dataclass
class Bucket:
    """One limit as the bot keeps it: the next conforming time, calls in flight, a pause."""

    rate: Rate
    factor: float = 1.0
    tat: float = float("-inf")
    in_flight: int = 0
    paused_until: float = float("-inf")
    last_refused: float = float("-inf")
    last_lowered: float = float("-inf")
    last_raise: float = float("-inf")
    quiet: float = QUIET_BEFORE_RAISE

    @property
    def interval(self) -> float:
        return 60.0 / (self.rate.per_minute * self.factor)

    def wait(self, now: float) -> float:
        """Seconds until a call may start; inf while one is in flight."""
        if self.in_flight:
            return float("inf")
        tolerance = (self.rate.burst - 1) * self.interval
        wait = max(self.paused_until - now, self.tat - tolerance - now)
        return wait if wait > 1e-6 else 0.0

    def finish(self, now: float) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        self.tat = max(self.tat, now) + self.interval

    def refuse(self, now: float, retry_after: float) -> None:
        self.paused_until = max(self.paused_until, now + retry_after)
        # Calls already in flight when Slack started refusing come back refused too: lower once
        # per Retry-After, not once per refusal.
        if now - self.last_lowered >= retry_after:
            if now - self.last_raise < self.quiet:
                # The last step up was one too many: wait longer before the next.
                self.quiet = min(MAX_QUIET, self.quiet * 2)
            self.factor = max(LOWEST, self.factor * LOWER_BY)
            self.last_lowered = now
        self.last_refused = now

    def recover(self, now: float) -> None:
        quiet = min(now - self.last_refused, now - self.last_raise)
        if self.factor < 1.0 and quiet >= self.quiet:
            self.factor = min(1.0, self.factor * RAISE_BY)
            self.last_raise = now
            if self.factor == 1.0:
                self.quiet = QUIET_BEFORE_RAISE


@dataclass
class Ticket:
    """A call the budget let start; hand it back with `Budget.done`."""

    method: str
    keys: tuple[tuple[str, str], ...]
    started: float
    priority: Priority
    settled: bool = field(default=False, compare=False)


class Budget:
    """Thread-safe; every sender thread and worker shares the one instance."""

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        *,
        rates: dict[str, Rate] | None = None,
        per_channel: Rate = POST_PER_CHANNEL,
    ) -> None:
        self.clock = clock
        self.rates = dict(ASSUMED if rates is None else rates)
        self.per_channel = per_channel
        self._buckets: dict[tuple[str, str], Bucket] = {}
        self._recent: dict[str, deque[float]] = {}
        self._refused: dict[str, int] = {}
        self._lock = threading.Lock()
        self.changed = threading.Condition(self._lock)

    # -- spending -------------------------------------------------------------------------------

    def wait(self, method: str, channel: str | None = None) -> float:
        """Seconds until `try_take` could let this call start (inf while one is in flight)."""
        with self._lock:
            now = self.clock()
            return max(self._bucket(k).wait(now) for k in self._keys(method, channel))

    def try_take(
        self, method: str, channel: str | None = None, priority: Priority = Priority.PROGRESS
    ) -> Ticket | None:
        """Start a call if every bucket it spends conforms now, else None (nothing spent)."""
        with self._lock:
            now = self.clock()
            keys = self._keys(method, channel)
            buckets = [self._bucket(k) for k in keys]
            for bucket in buckets:
                bucket.recover(now)
            if any(b.wait(now) > 0 for b in buckets):
                return None
            return self._start(method, keys, buckets, now, priority)

    def take(
        self, method: str, channel: str | None = None, priority: Priority = Priority.NOW
    ) -> Ticket:
        """Start a call that cannot wait; it is counted, and queued work waits behind it."""
        with self._lock:
            now = self.clock()
            keys = self._keys(method, channel)
            return self._start(method, keys, [self._bucket(k) for k in keys], now, priority)

    def spacing(self, method: str) -> float:
        """Seconds between two calls of `method` the workspace allows as the budget assumes now
        (its published rate, lowered after 429s)."""
        with self._lock:
            return self._bucket((method, "*")).interval

    def done(self, ticket: Ticket, *, retry_after: float | None = None) -> None:
        """The call returned (`retry_after` when Slack answered 429)."""
        with self._lock:
            if ticket.settled:
                return
            ticket.settled = True
            now = self.clock()
            for key in ticket.keys:
                self._bucket(key).finish(now)
            if retry_after is not None:
                self._refuse(ticket.method, ticket.keys, now, retry_after)
            self.changed.notify_all()

    def refused(self, method: str, channel: str | None, retry_after: float) -> None:
        """A 429 seen outside a ticket (slack_sdk's retry handler, between its attempts)."""
        with self._lock:
            now = self.clock()
            self._refuse(method, self._keys(method, channel), now, retry_after)
            self.changed.notify_all()

    def _start(
        self,
        method: str,
        keys: tuple[tuple[str, str], ...],
        buckets: list[Bucket],
        now: float,
        priority: Priority,
    ) -> Ticket:
        for bucket in buckets:
            bucket.in_flight += 1
        recent = self._recent.setdefault(method, deque())
        recent.append(now)
        while recent and recent[0] <= now - WINDOW:
            recent.popleft()
        return Ticket(method, keys, now, priority)

    def _refuse(
        self, method: str, keys: tuple[tuple[str, str], ...], now: float, retry_after: float
    ) -> None:
        self._refused[method] = self._refused.get(method, 0) + 1
        for key in keys:
            self._bucket(key).refuse(now, retry_after)

    def _keys(self, method: str, channel: str | None) -> tuple[tuple[str, str], ...]:
        if method == POST_MESSAGE and channel:
            return ((method, "*"), (method, channel))
        return ((method, "*"),)

    def _bucket(self, key: tuple[str, str]) -> Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            method, scope = key
            rate = self.per_channel if scope != "*" else self.rates.get(method, UNKNOWN)
            bucket = self._buckets[key] = Bucket(rate)
        return bucket

    # -- reporting ------------------------------------------------------------------------------

    def report(self) -> dict[str, Any]:
        """Per method used: calls in the last minute against the published limit and the rate
        assumed now, 429s seen, and any pause."""
        with self._lock:
            now = self.clock()
            out: dict[str, Any] = {}
            methods = {m for m, scope in self._buckets if scope == "*"} | set(self._recent)
            for method in sorted(methods):
                recent = self._recent.setdefault(method, deque())
                while recent and recent[0] <= now - WINDOW:
                    recent.popleft()
                bucket = self._bucket((method, "*"))
                out[method] = {
                    "calls_last_minute": len(recent),
                    "limit_per_minute": bucket.rate.per_minute,
                    "assumed_per_minute": round(bucket.rate.per_minute * bucket.factor, 1),
                    "refused_429": self._refused.get(method, 0),
                    "paused_s": round(max(0.0, bucket.paused_until - now), 1),
                }
            return out
