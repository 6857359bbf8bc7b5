"""The Slack Web API clients, every call counted in the one budget; posting to a response_url."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qsl, urlparse

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.slack_response import SlackResponse
from slack_sdk.webhook import WebhookClient

from delivery.budget import Budget, Priority

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


class BudgetedClient(WebClient):
    """A WebClient whose every call is counted in the budget. Calls through it cannot wait
    (they answer a person, or hold a 3-second trigger_id), so they go first; the outbox sender,
    which can wait, asks the budget before each call instead."""

    def __init__(self, *args: Any, budget: Budget, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.budget = budget
        self._identity: SlackResponse | None = None

    def auth_test(self, **kwargs: Any) -> SlackResponse:
        """Who the bot is, in which workspace: the same for the process's life, so Slack is
        asked once (Bolt asks at start; the workspace's address for links reads that answer)."""
        if self._identity is None:
            self._identity = super().auth_test(**kwargs)
        return self._identity

    def api_call(self, api_method: str, **kwargs: Any) -> SlackResponse:
        channel = _channel_of(kwargs)
        ticket = self.budget.take(api_method, channel, Priority.NOW)
        try:
            response = super().api_call(api_method, **kwargs)
        except SlackApiError as exc:
            self.budget.done(ticket, retry_after=retry_after(exc))
            raise
        except BaseException:
            self.budget.done(ticket)
            raise
        self.budget.done(ticket)
        return response


class BudgetedRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """slack_sdk's wait-for-Retry-After-and-retry, telling the budget about each 429 first."""

    def __init__(self, budget: Budget, max_retry_count: int = 3) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.budget = budget

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is not None:
            wait = response.headers.get("Retry-After") or response.headers.get("retry-after")
            seconds = float(wait[0]) if wait else 1.0
            method = urlparse(request.url).path.rsplit("/", 1)[-1]
            self.budget.refused(method, _channel_of_body(request), seconds)
        super().prepare_for_next_attempt(
            state=state, request=request, response=response, error=error
        )


def web_client(
    token: str,
    base_url: str,
    *,
    budget: Budget | None = None,
    wait_on_429: bool = True,
    timeout: int = 15,
) -> WebClient:
    """A WebClient for `base_url`. Interactive paths wait out a 429 (`Retry-After`) and retry;
    the outbox sender handles 429 itself so that one slow channel never blocks the others.
    With a budget, every call is counted in it (see BudgetedClient)."""
    if budget is not None and wait_on_429:
        client: WebClient = BudgetedClient(
            token=token, base_url=base_url, timeout=timeout, budget=budget
        )
        client.retry_handlers = [
            ConnectionErrorRetryHandler(max_retry_count=2),
            BudgetedRateLimitRetryHandler(budget),
        ]
        return client
    client = WebClient(token=token, base_url=base_url, timeout=timeout)
    client.retry_handlers = [ConnectionErrorRetryHandler(max_retry_count=2)]
    if wait_on_429:
        client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    return client


def post_response(url: str, payload: dict[str, Any], *, timeout: int = 10) -> int | None:
    """POST to a response_url: Slack's HTTP status, or None when Slack could not be reached."""
    try:
        response = WebhookClient(url, timeout=timeout).send_dict(payload)
    except OSError as exc:
        log.warning("could not answer on the response_url: %s", exc)
        return None
    if response.status_code != 200:
        log.info("response_url answered HTTP %s: %s", response.status_code, response.body)
    return int(response.status_code)


def _channel_of(kwargs: dict[str, Any]) -> str | None:
    for key in ("json", "data", "params"):
        args = kwargs.get(key)
        if isinstance(args, dict) and args.get("channel"):
            return str(args["channel"])
    return None


def _channel_of_body(request: HttpRequest) -> str | None:
    if request.body_params and request.body_params.get("channel"):
        return str(request.body_params["channel"])
    raw = request.data.decode("utf-8", "replace") if request.data else ""
    try:
        decoded = json.loads(raw) if raw.lstrip().startswith("{") else dict(parse_qsl(raw))
    except ValueError:
        return None
    channel = decoded.get("channel") if isinstance(decoded, dict) else None
    return str(channel) if channel else None
