"""Card edits: each status or approval card brought up to date, as often as the budget allows.

chat.update is a Tier 3 method: about 50 edits a minute for the whole workspace. An edit always
renders the card as it is now, so everything that happened since the last edit is coalesced
into one call. The next edit goes to the most urgent card (a decision on an approval card, then
a job's final state, then progress), and among progress edits to the card left longest without
one: with many busy cards each is edited in turn, less often, and never faster than the budget.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from delivery.budget import Budget, Ticket
from delivery.compose import Composer, RenderFailed
from delivery.plan import CardDue, order_edits
from delivery.slack import CHANNEL_ERRORS, error_of, retry_after
from render.blocks import Message
from store import Store, approvals, jobs
from store.approvals import ApprovalRow

log = logging.getLogger(__name__)

METHOD = "chat.update"
GONE_MESSAGE = frozenset({"message_not_found", "cant_update_message", "edit_window_closed"})


class CardEditor:
    """One edit lane: `edit()` makes the edits the budget allows now (usually one)."""

    def __init__(
        self,
        store: Store,
        slack: WebClient,
        composer: Composer,
        *,
        clock: Callable[[], float],
        budget: Budget,
        gap: float = 0.5,
    ) -> None:
        self.store = store
        self.slack = slack
        self.composer = composer
        self.clock = clock
        self.budget = budget
        self.gap = gap
        self.made = 0
        # The job whose card is edited next is polled just before its turn, so that the edit
        # shows what happened up to then rather than up to its last regular poll (up to
        # POLL_INTERVAL ago): `poll_before(job key, edit time)`, the poller's `ask_before` once
        # the runtime has wired it (runtime/assemble.py).
        self.poll_before: Callable[[str, float], None] = lambda key, at: None

    def due(self) -> list[CardDue]:
        db, now = self.store.db, self.clock()
        found = [
            CardDue("approval", a.id, a.channel_id, False, a.card_sent_at, a.created_at)
            for a in approvals.cards_to_update(db, now, self.gap)
        ]
        found += [
            CardDue("job", key, channel, bool(done), sent_at, created)
            for key, channel, done, sent_at, created in jobs.card_edits_due(db, now, self.gap)
        ]
        return order_edits(found)

    def edit(self) -> float | None:
        """Edit the most urgent cards while the budget allows; the seconds until it allows the
        next edit, or None when no card is behind."""
        due = self.due()
        for i, card in enumerate(due):
            wait = self.budget.wait(METHOD)
            if wait > 0:
                self._freshen(card, wait)
                return wait
            # Rendered before the budget is asked: the call goes the moment it is allowed.
            found = self._render(card)
            if found is None:
                continue
            ticket = self.budget.try_take(METHOD, None, card.priority)
            if ticket is None:
                return self.budget.wait(METHOD)
            outcome = self._send(card, *found, ticket)
            if outcome == "unreachable":
                return 1.0
            if i + 1 < len(due):
                self._freshen(due[i + 1], self.budget.wait(METHOD))
        return None if not due else self.budget.wait(METHOD)

    def _freshen(self, card: CardDue, wait: float) -> None:
        """Ask for a poll of the next card's job just before its turn comes."""
        if card.kind != "job" or card.done or wait == float("inf"):
            return
        self.poll_before(card.id, self.clock() + wait)

    def edit_count(self) -> int:
        """One pass (for `Sender.flush`): the number of edits it made."""
        before = self.made
        self.edit()
        return self.made - before

    def _render(self, card: CardDue) -> tuple[str, int, Message] | None:
        """Where the card is, the version rendered, and the card as it is now. A card that
        cannot be rendered is logged and this version given up on (a later change tries
        again), so that it never holds the other cards' edits."""
        db = self.store.db
        row = approvals.get(db, card.id) if card.kind == "approval" else jobs.get(db, card.id)
        if row is None or not row.card_ts:
            return None
        try:
            if isinstance(row, ApprovalRow):
                message = self.composer.approval_card(row)
            else:
                message = self.composer.job_card(row)
        except RenderFailed as exc:
            log.error(
                "cannot render the card of %s (template %s): %s; this version is not shown",
                card.id,
                exc.template,
                exc.reason,
            )
            self._record(card, row.card_version)
            return None
        return row.card_ts, row.card_version, message

    def _send(self, card: CardDue, ts: str, version: int, message: Message, ticket: Ticket) -> str:
        """'made', 'gone' (the card no longer exists), 'failed' (Slack refused this version),
        'limited' (429) or 'unreachable'."""
        try:
            self.slack.chat_update(
                channel=card.channel_id,
                ts=ts,
                text=message.text,
                blocks=list(message.payload()["blocks"]),
            )
        except SlackApiError as exc:
            wait = retry_after(exc)
            self.budget.done(ticket, retry_after=wait)
            if wait is not None:
                log.info("Slack rate-limited a card edit; waiting %.0fs and slowing down", wait)
                return "limited"
            error = error_of(exc)
            log.error("cannot edit the card of %s in %s: %s", card.id, card.channel_id, error)
            # Gone for good, or refused as it is: this version is given up on (a later change
            # tries again), so that one bad card never holds the others' edits.
            outcome = "gone" if error in GONE_MESSAGE | CHANNEL_ERRORS else "failed"
        except OSError as exc:
            self.budget.done(ticket)
            log.warning("Slack unreachable editing the card of %s: %s", card.id, exc)
            return "unreachable"
        else:
            self.budget.done(ticket)  # at once: the bucket is charged from Slack's answer
            outcome = "made"
            self.made += 1
        self._record(card, version)
        return outcome

    def _record(self, card: CardDue, version: int) -> None:
        """This version of the card is done with: edited, or given up on."""
        with self.store.write() as db:
            if card.kind == "approval":
                approvals.card_sent(db, card.id, version, self.clock())
            else:
                jobs.card_sent(db, card.id, version, self.clock())
