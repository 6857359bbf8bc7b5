"""Answering a person privately: their response_url while it lasts, then chat.postEphemeral or a
direct message.

Slack lets a response_url be used "up to 5 times within 30 minutes" (Slack, "Handling user
interaction"): a cap, not a rate. The bot counts its uses of each URL, and once a URL is spent
or stale (an approval that waited an hour), or Slack refuses it, the answer goes to the same
person another way: an ephemeral message in the channel, or, when that cannot be delivered (the
bot is not in the channel), a direct message. Uses are counted in memory; after a restart a URL
spent before it is found out by Slack's refusal, and the fallback takes over.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from delivery.slack import CHANNEL_ERRORS, error_of, post_response
from render.blocks import Message

log = logging.getLogger(__name__)

USES = 5
LIFETIME = 30 * 60.0
# A URL is treated as stale a minute early: an answer sent at 29:59 can arrive at 30:01.
MARGIN = 60.0
KEPT = 20_000
NOT_DELIVERABLE = CHANNEL_ERRORS | {"user_not_in_channel", "user_not_found", "not_allowed"}


@dataclass
class Issued:
    """What the bot knows about one response_url."""

    channel: str | None
    user: str | None
    issued_at: float
    uses: int = 0
    refused: bool = False


Owner = tuple[str | None, str | None, float]
Lookup = Callable[[str], Owner | None]


class Responder:
    """`send()` is safe from any thread; `note()` runs on the ack path (a dict insert)."""

    def __init__(
        self,
        slack: WebClient,
        *,
        clock: Callable[[], float],
        lookup: Lookup | None = None,
        post: Callable[[str, dict[str, Any]], int | None] = post_response,
    ) -> None:
        self.slack = slack
        self.clock = clock
        self.lookup = lookup
        self.post = post
        self._urls: OrderedDict[str, Issued] = OrderedDict()
        self._lock = threading.Lock()

    def note(
        self, url: str, channel: str | None, user: str | None, at: float | None = None
    ) -> None:
        """A response_url arrived in a signed payload: its clock starts now."""
        with self._lock:
            if url not in self._urls:
                self._urls[url] = Issued(channel, user, self.clock() if at is None else at)
                while len(self._urls) > KEPT:
                    self._urls.popitem(last=False)

    def note_payload(self, body: Mapping[str, Any]) -> None:
        """Note the response_url of a slash command or an interaction payload."""
        url = body.get("response_url")
        if not isinstance(url, str) or not url:
            return
        user = body.get("user_id") or (body.get("user") or {}).get("id")
        channel = (
            body.get("channel_id")
            or (body.get("channel") or {}).get("id")
            or (body.get("container") or {}).get("channel_id")
        )
        self.note(url, channel, user)

    def send(
        self,
        url: str | None,
        message: Message,
        *,
        replace: bool = False,
        in_channel: bool = False,
        channel: str | None = None,
        user: str | None = None,
    ) -> bool:
        """Answer on `url` if it has a use left and is fresh, else (or if Slack refuses it) to
        the same person another way. True if the answer was delivered."""
        issued = self._claim(url, channel, user) if url else None
        if url and issued is not None:
            payload = {
                **message.payload(),
                "response_type": "in_channel" if in_channel else "ephemeral",
                "replace_original": replace,
            }
            status = self.post(url, payload)
            if status == 200:
                return True
            if status is not None and status != 404:
                return False  # the message itself was refused: another way would be too
            with self._lock:
                issued.refused = status == 404
        owner = self._owner(url, channel, user)
        if owner is None or not owner[1]:
            if url:
                log.warning("an answer could not be delivered: its response_url is spent or stale")
            return False
        return self._fallback(owner[0], str(owner[1]), message)

    def _claim(self, url: str, channel: str | None, user: str | None) -> Issued | None:
        """Count a use of `url`; None if it has none left, is stale or was refused."""
        with self._lock:
            issued = self._urls.get(url)
        if issued is None:
            # Not seen by this process (it restarted): the request that carried it says whose
            # it is and how old.
            known = self.lookup(url) if self.lookup else None
            if known is not None:
                self.note(url, channel or known[0], user or known[1], known[2])
            else:
                self.note(url, channel, user)
            with self._lock:
                issued = self._urls[url]
        with self._lock:
            fresh = self.clock() - issued.issued_at < LIFETIME - MARGIN
            if issued.refused or issued.uses >= USES or not fresh:
                return None
            issued.uses += 1
            return issued

    def _owner(self, url: str | None, channel: str | None, user: str | None) -> Owner | None:
        if url:
            with self._lock:
                issued = self._urls.get(url)
            if issued is not None:
                return (channel or issued.channel, user or issued.user, issued.issued_at)
        return (channel, user, self.clock()) if user else None

    def _fallback(self, channel: str | None, user: str, message: Message) -> bool:
        payload = message.payload()
        if channel:
            try:
                self.slack.chat_postEphemeral(
                    channel=channel, user=user, text=payload["text"], blocks=payload.get("blocks")
                )
                return True
            except SlackApiError as exc:
                if error_of(exc) not in NOT_DELIVERABLE:
                    log.warning("could not answer %s privately: %s", user, error_of(exc))
                    return False
            except OSError as exc:
                log.warning("Slack unreachable answering %s: %s", user, exc)
                return False
        try:
            self.slack.chat_postMessage(
                channel=user, text=payload["text"], blocks=payload.get("blocks"), unfurl_links=False
            )
        except SlackApiError as exc:
            log.warning("could not answer %s in a direct message: %s", user, error_of(exc))
            return False
        except OSError as exc:
            log.warning("Slack unreachable answering %s: %s", user, exc)
            return False
        return True

    def uses(self, url: str) -> int:
        with self._lock:
            issued = self._urls.get(url)
            return issued.uses if issued else 0
