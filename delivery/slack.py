"""The Slack Web API client, and posting to a response_url."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from render.blocks import Message

log = logging.getLogger(__name__)

CHANNEL_ERRORS = frozenset(
    {
        "not_in_channel",
        "channel_not_found",
        "is_archived",
        "restricted_action",
        "access_denied",
        "team_access_not_granted",
        "ekm_access_denied",
    }
)


def web_client(
    token: str, base_url: str, *, wait_on_429: bool = True, timeout: int = 15
) -> WebClient:
    """A WebClient for `base_url`. Interactive paths wait out a 429 (`Retry-After`) and retry;
    the outbox sender handles 429 itself so that one slow channel never blocks the others."""
    client = WebClient(token=token, base_url=base_url, timeout=timeout)
    client.retry_handlers = [ConnectionErrorRetryHandler(max_retry_count=2)]
    if wait_on_429:
        client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    return client


def respond(
    response_url: str | None, message: Message, *, replace: bool = False, in_channel: bool = False
) -> bool:
    """Post to a slash command's or a click's response_url (ephemeral unless `in_channel`)."""
    if not response_url:
        return False
    payload: dict[str, Any] = {
        **message.payload(),
        "response_type": "in_channel" if in_channel else "ephemeral",
        "replace_original": replace,
    }
    try:
        response = WebhookClient(response_url, timeout=10).send_dict(payload)
    except OSError as exc:
        log.warning("could not answer on the response_url: %s", exc)
        return False
    if response.status_code != 200:
        log.warning("response_url answered HTTP %s: %s", response.status_code, response.body)
        return False
    return True
