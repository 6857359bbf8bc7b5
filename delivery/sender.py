"""The outbox sender: each queued post reaches Slack once; cards are edited, coalesced.

Posts are claimed (pending → sending) before the call and settled after it. A post left in
`sending` by a crash is looked up in Slack by the key carried in its message metadata before
anything is sent again, so a restart neither loses nor doubles a message. Each channel gets
about one post a second (Slack's limit), with a small burst; a 429 pauses only that channel for
its Retry-After.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from delivery.slack import CHANNEL_ERRORS
from render.blocks import Message
from store import Store, approvals, jobs, posts
from store.approvals import ApprovalRow
from store.jobs import JobRow
from store.posts import PostRow

log = logging.getLogger(__name__)

METADATA_TYPE = "chatops_post"
LOOKUP_RETRY = 5.0
MIN_PASS_GAP = 0.05
GONE_MESSAGE = frozenset({"message_not_found", "cant_update_message", "edit_window_closed"})


class CardSource(Protocol):
    """Renders the current version of a status card or an approval card."""

    def job_card(self, job: JobRow) -> Message: ...

    def approval_card(self, approval: ApprovalRow) -> Message: ...


class Pacer:
    """Per-channel token buckets and 429 pauses."""

    def __init__(self, clock: Callable[[], float], *, rate: float, burst: int) -> None:
        self._clock = clock
        self._rate = rate
        self._burst = burst
        self._tokens: dict[str, tuple[float, float]] = {}
        self._paused: dict[str, float] = {}
        self._lock = threading.Lock()

    def paused(self, channel: str) -> bool:
        with self._lock:
            return self._paused.get(channel, 0.0) > self._clock()

    def pause(self, channel: str, seconds: float) -> None:
        with self._lock:
            self._paused[channel] = max(self._paused.get(channel, 0.0), self._clock() + seconds)

    def take(self, channel: str) -> bool:
        now = self._clock()
        with self._lock:
            if self._paused.get(channel, 0.0) > now:
                return False
            tokens, at = self._tokens.get(channel, (float(self._burst), now))
            tokens = min(float(self._burst), tokens + (now - at) * self._rate)
            if tokens < 1.0:
                self._tokens[channel] = (tokens, now)
                return False
            self._tokens[channel] = (tokens - 1.0, now)
            return True


def retry_after(exc: SlackApiError) -> float | None:
    """Seconds to wait when Slack answered 429, else None."""
    response = exc.response
    if getattr(response, "status_code", None) != 429:
        return None
    headers = {k.lower(): v for k, v in (response.headers or {}).items()}
    value = headers.get("retry-after", "1")
    value = value[0] if isinstance(value, list) else value
    try:
        return max(1.0, float(value))
    except ValueError:
        return 1.0


def error_of(exc: SlackApiError) -> str:
    data = getattr(exc.response, "data", None)
    return str(data.get("error")) if isinstance(data, dict) else str(exc)


class Sender:
    """Drains the outbox and edits cards; `flush()` is one pass, safe to call from any thread."""

    def __init__(
        self,
        store: Store,
        slack: WebClient,
        cards: CardSource,
        *,
        clock: Callable[[], float],
        rate: float = 1.0,
        burst: int = 3,
        card_gap: float = 0.5,
        workers: int = 8,
    ) -> None:
        self.store = store
        self.slack = slack
        self.cards = cards
        self.clock = clock
        self.pacer = Pacer(clock, rate=rate, burst=burst)
        self.card_gap = card_gap
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sender")
        self._lock = threading.Lock()
        self._orphans: set[int] = set()
        self.wake = threading.Event()

    def run(self, stop: threading.Event, *, period: float = 0.25) -> None:
        """Send until `stop` is set: at once when a flow wakes us, else every `period`."""
        self.reconcile()
        while not stop.is_set():
            try:
                self.flush()
            except Exception:
                log.exception("sender pass failed; carrying on")
            self.wake.wait(period)
            stop.wait(MIN_PASS_GAP)  # woken by every poll, it must still not spin

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def flush(self) -> int:
        """Send what is due; returns the number of Slack calls that succeeded."""
        with self._lock:
            self.wake.clear()
            if self._orphans:
                self._reconcile_orphans()
            pending = posts.pending(self.store.db)
            by_channel: dict[str, list[PostRow]] = defaultdict(list)
            for row in pending:
                by_channel[row.channel_id].append(row)
            sent = sum(self._pool.map(self._send_channel, by_channel.values()))
            return sent + self._edit_cards()

    # -- posts ----------------------------------------------------------------------------------

    def _send_channel(self, rows: list[PostRow]) -> int:
        sent = 0
        blocked_threads: set[str] = set()
        for row in rows:
            if row.thread_of in blocked_threads:
                continue
            thread_ts = self._thread_ts(row)
            if row.thread_of and thread_ts is None:
                if self._parent_lost(row):
                    with self.store.write() as db:
                        posts.settle(
                            db,
                            row.seq,
                            state="dead",
                            now=self.clock(),
                            error="its thread's first message could not be posted",
                        )
                    continue
                blocked_threads.add(row.thread_of)
                continue
            if not self.pacer.take(row.channel_id):
                break
            outcome = self._send(row, thread_ts)
            if outcome == "stop":
                break
            sent += outcome == "sent"
        return sent

    def _thread_ts(self, row: PostRow) -> str | None:
        if not row.thread_of:
            return None
        db = self.store.db
        if row.thread_of.startswith("approval:"):
            approval = approvals.get(db, row.thread_of.split(":", 1)[1])
            return approval.card_ts if approval else None
        job = jobs.get(db, row.thread_of)
        return job.card_ts if job else None

    def _parent_lost(self, row: PostRow) -> bool:
        """The card that starts this thread was given up on, so the reply never can be sent."""
        parent = posts.get(self.store.db, f"{row.thread_of}/card")
        return parent is not None and parent.state == "dead"

    def _send(self, row: PostRow, thread_ts: str | None) -> str:
        with self.store.write() as db:
            if not posts.claim(db, row.seq):
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
            return self._failed(row, exc)
        except OSError as exc:
            log.warning("Slack unreachable posting %s: %s", row.key, exc)
            self._settle(row, "pending", error=str(exc))
            return "stop"
        self._settled(row, str(response["ts"]), version)
        return "sent"

    def _current(self, row: PostRow) -> tuple[dict[str, Any], int]:
        """A status card is rendered as it is now, not as it was queued: posted late (a busy
        channel takes about a post a second), it already shows the job's progress."""
        job = jobs.get(self.store.db, row.ref) if row.kind == "card" and row.ref else None
        if job is None:
            return row.payload, 1
        return self.cards.job_card(job).payload(), job.card_version

    def _settle(self, row: PostRow, state: str, *, error: str | None = None) -> None:
        with self.store.write() as db:
            posts.settle(db, row.seq, state=state, now=self.clock(), error=error)

    def _failed(self, row: PostRow, exc: SlackApiError) -> str:
        wait = retry_after(exc)
        if wait is not None:
            log.info(
                "Slack rate-limited channel %s; waiting %.0fs (Retry-After)", row.channel_id, wait
            )
            self.pacer.pause(row.channel_id, wait)
            self._settle(row, "pending", error="ratelimited")
            return "stop"
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
            return "stop"
        log.error("Slack refused post %s: %s", row.key, error)
        self._settle(row, "dead", error=error)
        return "dead"

    def _settled(self, row: PostRow, ts: str, version: int = 1) -> None:
        with self.store.write() as db:
            posts.settle(db, row.seq, state="sent", now=self.clock(), ts=ts)
            if row.kind == "card" and row.ref:
                jobs.update(db, row.ref, card_ts=ts)
                jobs.card_sent(db, row.ref, version, self.clock())
            elif row.kind == "approval_card" and row.ref:
                approvals.set_card(db, row.ref, ts)
                approvals.card_sent(db, row.ref, 1, self.clock())

    # -- crash recovery -------------------------------------------------------------------------

    def reconcile(self) -> int:
        """Settle the posts a crash left in `sending` (call it before sending anything): found
        in Slack → sent; Slack positively without it → pending, to send; lookup failed → left
        in `sending` and looked up again later, since sending it blind could post it twice."""
        self._orphans = {row.seq for row in posts.in_flight(self.store.db)}
        return self._reconcile_orphans()

    def _reconcile_orphans(self) -> int:
        found = 0
        for row in posts.in_flight(self.store.db):
            if row.seq not in self._orphans or self.pacer.paused(row.channel_id):
                continue
            try:
                ts = self._find_in_slack(row)
            except SlackApiError as exc:
                wait = retry_after(exc)
                self.pacer.pause(row.channel_id, wait or LOOKUP_RETRY)
                log.warning(
                    "cannot check Slack for post %s (%s); will look again", row.key, error_of(exc)
                )
                continue
            except OSError as exc:
                log.warning("cannot check Slack for post %s (%s); will look again", row.key, exc)
                continue
            self._orphans.discard(row.seq)
            if ts:
                self._settled(row, ts)
                found += 1
            else:
                self._settle(row, "pending")
        return found

    def _find_in_slack(self, row: PostRow) -> str | None:
        """The ts of the post if Slack has it, None if Slack positively has not; raises if
        Slack could not be asked."""
        thread_ts = self._thread_ts(row)
        if thread_ts:
            response = self.slack.conversations_replies(
                channel=row.channel_id, ts=thread_ts, include_all_metadata=True, limit=200
            )
        else:
            # An hour back allows for any skew between Slack's clock and ours.
            response = self.slack.conversations_history(
                channel=row.channel_id,
                oldest=str(row.created_at - 3600),
                include_all_metadata=True,
                limit=200,
            )
        for message in response.get("messages") or ():
            meta = message.get("metadata") or {}
            if (meta.get("event_payload") or {}).get("key") == row.key:
                return str(message["ts"])
        return None

    # -- card edits -----------------------------------------------------------------------------

    def _edit_cards(self) -> int:
        """Edit every card whose content moved, in parallel by channel; record the edits made
        in one transaction at the end (a crash before it only means an edit is made again)."""
        now = self.clock()
        db = self.store.db
        edits = [
            _approval_edit(self.cards, a) for a in approvals.cards_to_update(db, now, self.card_gap)
        ]
        edits += [_job_edit(self.cards, j) for j in jobs.cards_to_update(db, now, self.card_gap)]
        by_channel: dict[str, list[Edit]] = defaultdict(list)
        for edit in edits:  # an approval card before the job card it becomes, in one channel
            by_channel[edit.channel].append(edit)
        settled = [
            e for group in self._pool.map(self._edit_channel, by_channel.values()) for e in group
        ]
        if settled:
            with self.store.write() as db:
                for edit in settled:
                    edit.record(db, self.clock())
        return sum(1 for e in settled if e.made)

    def _edit_channel(self, edits: list[Edit]) -> list[Edit]:
        return [e for e in edits if self._edit(e)]

    def _edit(self, edit: Edit) -> bool:
        """True when the card needs no more edits at this version (made, or gone for good)."""
        if self.pacer.paused(edit.channel):
            return False
        message = edit.render()
        try:
            self.slack.chat_update(
                channel=edit.channel,
                ts=edit.ts,
                text=message.text,
                blocks=list(message.payload()["blocks"]),
            )
        except SlackApiError as exc:
            wait = retry_after(exc)
            if wait is not None:
                self.pacer.pause(edit.channel, wait)
                return False
            error = error_of(exc)
            log.error("cannot edit the card of %s in %s: %s", edit.what, edit.channel, error)
            return error in GONE_MESSAGE or error in CHANNEL_ERRORS
        except OSError as exc:
            log.warning("Slack unreachable editing the card of %s: %s", edit.what, exc)
            return False
        edit.made = True
        return True


@dataclass
class Edit:
    """One card to bring up to date: where it is, how to render it, how to record it done."""

    channel: str
    ts: str
    what: str
    render: Callable[[], Message]
    record: Callable[[Any, float], None]
    made: bool = False


def _approval_edit(cards: CardSource, approval: ApprovalRow) -> Edit:
    return Edit(
        approval.channel_id,
        str(approval.card_ts),
        approval.id,
        lambda: cards.approval_card(approval),
        lambda db, now: approvals.card_sent(db, approval.id, approval.card_version, now),
    )


def _job_edit(cards: CardSource, job: JobRow) -> Edit:
    return Edit(
        job.channel_id,
        str(job.card_ts),
        job.id,
        lambda: cards.job_card(job),
        lambda db, now: jobs.card_sent(db, job.id, job.card_version, now),
    )
