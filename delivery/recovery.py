"""After a crash: a post left in `sending` is looked up in Slack before anything is sent again.

Found in Slack → sent; Slack positively without it → pending, to send; the lookup failed (or the
budget has no room for it yet) → left in `sending` and looked up again later, since sending it
blind could post it twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from delivery.budget import Budget, Priority
from delivery.outbox import record_sent, record_state, thread_ts
from delivery.slack import error_of, retry_after
from store import Store, posts
from store.posts import PostRow

log = logging.getLogger(__name__)

LOOKUP_RETRY = 5.0


class Recovery:
    """The posts a crash left in `sending`, settled one lookup at a time, within the budget."""

    def __init__(
        self, store: Store, slack: WebClient, *, budget: Budget, clock: Callable[[], float]
    ) -> None:
        self.store = store
        self.slack = slack
        self.budget = budget
        self.clock = clock
        self.orphans: set[int] = set()

    def start(self) -> int:
        """Call before sending anything: every post in `sending` is an orphan of a crash."""
        self.orphans = {row.seq for row in posts.in_flight(self.store.db)}
        return self.settle()

    def settle(self) -> int:
        """Look up what the budget allows now; returns how many were found in Slack."""
        found = 0
        for row in posts.in_flight(self.store.db):
            if row.seq not in self.orphans:
                continue
            parent = thread_ts(self.store.db, row.thread_of)
            method = "conversations.replies" if parent else "conversations.history"
            ticket = self.budget.try_take(method, None, Priority.PERSON)
            if ticket is None:
                continue  # looked up on a later pass
            try:
                ts = self._find(row, parent)
            except SlackApiError as exc:
                self.budget.done(ticket, retry_after=retry_after(exc) or LOOKUP_RETRY)
                log.warning(
                    "cannot check Slack for post %s (%s); will look again", row.key, error_of(exc)
                )
                continue
            except OSError as exc:
                self.budget.done(ticket)
                log.warning("cannot check Slack for post %s (%s); will look again", row.key, exc)
                continue
            self.budget.done(ticket)
            self.orphans.discard(row.seq)
            if ts:
                record_sent(self.store, row, ts, 1, self.clock())
                found += 1
            else:
                record_state(self.store, row, "pending", self.clock())
        return found

    def _find(self, row: PostRow, parent: str | None) -> str | None:
        """The ts of the post if Slack has it, None if Slack positively has not; raises if
        Slack could not be asked."""
        if parent:
            response = self.slack.conversations_replies(
                channel=row.channel_id, ts=parent, include_all_metadata=True, limit=200
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
