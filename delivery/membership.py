"""Whether the bot is in a channel: a card, its thread and an approval can only be posted
where it is. Asked with conversations.info on the worker pool (never on the ack path), cached,
and kept current by membership events (member_joined_channel, member_left_channel,
channel_left, group_left), which drop a channel's entry so the next command asks again."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from delivery.budget import Budget, Priority
from delivery.slack import retry_after

log = logging.getLogger(__name__)

# Answers that mean "not here": the channel is unknown to the bot, or it is not a member.
NOT_HERE = frozenset({"channel_not_found", "not_in_channel", "is_archived"})


class InChannel(Protocol):
    """Whoever asked, in the channel they asked from (flows.asker.Asker)."""

    @property
    def channel_id(self) -> str: ...


class NotMember(Exception):
    """The bot is not in the channel a command or click came from."""

    def __init__(self, channel_id: str) -> None:
        super().__init__(
            f"I am not in this conversation ({channel_id}), so I could not post the request's "
            "card, its thread or an approval here. Nothing was sent to PE."
        )
        self.channel_id = channel_id
        self.hint = "Invite me with /invite @pe-bot (or run the command in a channel I am in)."


class Membership:
    """is_member per channel: positive answers kept `ttl` seconds, negative ones `retry`
    seconds (someone may /invite the bot and try again at once).

    With a budget, a lookup is made only when conversations.info (Tier 3, no burst) has room:
    a burst of commands in new channels must not earn 429s that the cards and answers then pay
    for. The client is then one that neither counts nor retries on its own (the budget counts)."""

    def __init__(
        self,
        client: WebClient,
        *,
        budget: Budget | None = None,
        ttl: float = 600.0,
        retry: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._budget = budget
        self._ttl = ttl
        self._retry = retry
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[bool, float]] = {}

    def require(self, asker: InChannel) -> None:
        """Raise NotMember unless the bot is in the asker's channel."""
        channel = asker.channel_id
        if not self.is_member(channel):
            raise NotMember(channel or "no channel")

    def known(self, channel: str) -> bool | None:
        """What the cache says now, without asking Slack (for the ack path): None if unknown."""
        with self._lock:
            cached = self._cache.get(channel)
        return cached[0] if cached is not None and self._clock() < cached[1] else None

    def is_member(self, channel: str) -> bool:
        if not channel:
            return False
        now = self._clock()
        with self._lock:
            cached = self._cache.get(channel)
        if cached is not None and now < cached[1]:
            return cached[0]
        member = self._ask(channel)
        if member is None:
            # Slack could not say: a card that cannot be posted is retried by the outbox and
            # nothing unsafe follows, so a Slack hiccup does not stop every command.
            return True
        with self._lock:
            self._cache[channel] = (member, now + (self._ttl if member else self._retry))
        return member

    def _ask(self, channel: str) -> bool | None:
        if self._budget is None:
            return self._lookup(channel)[0]
        ticket = self._budget.try_take("conversations.info", None, Priority.BACKGROUND)
        if ticket is None:
            log.info("no room for conversations.info %s now; assuming the bot is in it", channel)
            return None
        member, wait = None, None
        try:
            member, wait = self._lookup(channel)
        finally:
            self._budget.done(ticket, retry_after=wait)
        return member

    def _lookup(self, channel: str) -> tuple[bool | None, float | None]:
        """(in the channel, or None when Slack could not say; Retry-After if it said 429)."""
        try:
            info = self._client.conversations_info(channel=channel).get("channel") or {}
        except SlackApiError as exc:
            wait = retry_after(exc)
            error = exc.response.get("error") if exc.response is not None else None
            if error in NOT_HERE:
                return False, None
            log.warning(
                "conversations.info %s failed (%s); assuming the bot is in it", channel, error
            )
            return None, wait
        except (SlackClientError, OSError, ValueError) as exc:
            log.warning(
                "conversations.info %s failed (%s); assuming the bot is in it", channel, exc
            )
            return None, None
        if info.get("is_archived"):
            return False, None
        return bool(info.get("is_member") or info.get("is_im")), None

    def changed(self, channel: str) -> None:
        """A membership event for this channel: ask Slack again next time."""
        with self._lock:
            self._cache.pop(channel, None)
