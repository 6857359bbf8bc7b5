"""Turning one HTTP request into a fake Slack answer: auth, faults, the method, the record."""

from __future__ import annotations

import copy
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from standins.slack import methods_chat, methods_read, methods_views
from standins.slack.faults import Fault, Faults
from standins.slack.model import Call, RateLimitedCall, SlackEvent
from standins.slack.ratelimits import RateLimits
from standins.slack.server import HttpRequest, Reply
from standins.slack.state import State
from standins.slack.wire import ApiError, Outcome, bearer_token, parse_params

log = logging.getLogger(__name__)

Subscriber = Callable[[SlackEvent], None]

Method = Callable[[State, dict[str, Any]], Outcome]
METHODS: dict[str, Method] = {
    "auth.test": methods_read.auth_test,
    "chat.postMessage": methods_chat.post_message,
    "chat.update": methods_chat.update,
    "chat.postEphemeral": methods_chat.post_ephemeral,
    "chat.delete": methods_chat.delete,
    "conversations.history": methods_read.conversations_history,
    "conversations.replies": methods_read.conversations_replies,
    "conversations.info": methods_read.conversations_info,
    "apps.connections.open": methods_read.apps_connections_open,
    "usergroups.list": methods_read.usergroups_list,
    "usergroups.users.list": methods_read.usergroups_users_list,
    "users.info": methods_read.users_info,
    "views.open": methods_views.views_open,
    "views.push": methods_views.views_push,
    "views.update": methods_views.views_update,
    "views.publish": methods_views.views_publish,
}


class DispatchMixin:
    """Request handling for FakeSlack; everything that touches state holds the one lock."""

    bot_token: str
    _lock: threading.Lock
    _state: State
    _faults: Faults
    _rates: RateLimits
    _subscribers: list[Subscriber]
    _clock: Callable[[], float]
    url: str  # FakeSlack's property

    def _notify(self, events: tuple[SlackEvent, ...]) -> None:
        if not events:
            return
        with self._lock:
            subscribers = list(self._subscribers)
        for event in events:
            for callback in subscribers:
                try:
                    callback(event)
                except Exception:
                    # An observer (the terminal demo) must not turn into a failed Slack call.
                    log.exception("fake Slack subscriber %r failed on %s", callback, event.kind)

    # -- request handling ------------------------------------------------------------------

    def _handle(self, request: HttpRequest) -> Reply:
        arrival = self._clock()
        with self._lock:
            delay = self._faults.latency
        if delay:
            time.sleep(delay)
        if request.path.startswith("/api/"):
            return self._api(request.path[len("/api/") :], request, arrival)
        if request.path.startswith("/response/"):
            return self._response(request, arrival)
        if request.path.startswith("/_fake/"):
            from standins.slack import admin

            return admin.handle(self, request)
        return Reply(404, {"ok": False, "error": "not_found"})

    def _api(self, method: str, request: HttpRequest, arrival: float) -> Reply:
        try:
            params = parse_params(request.query, request.content_type, request.body)
        except ApiError as err:
            params, parse_error = {}, err
        else:
            parse_error = None
        token = bearer_token(request.authorization, params)
        params.pop("token", None)
        with self._lock:
            reply, events = self._apply(method, params, token, parse_error, arrival)
        self._notify(events)
        return reply

    def _apply(
        self,
        method: str,
        params: dict[str, Any],
        token: str | None,
        parse_error: ApiError | None,
        arrival: float,
    ) -> tuple[Reply, tuple[SlackEvent, ...]]:
        """Decide and apply one Web API call; runs under the lock."""
        self._mark_retry(method, params, arrival)
        headers: tuple[tuple[str, str], ...] = ()
        events: tuple[SlackEvent, ...] = ()
        try:
            if method not in METHODS:
                raise ApiError("unknown_method")
            if token is None:
                raise ApiError("not_authed")
            # apps.connections.open takes the app-level token (xapp-), everything else the bot's.
            app_level = method == "apps.connections.open"
            if (not token.startswith("xapp-")) if app_level else token != self.bot_token:
                raise ApiError("invalid_auth" if not app_level else "not_allowed_token_type")
            if parse_error is not None:
                raise parse_error
            fault = self._faults.decide(method, params, self._clock())
            retry_after = None
            if fault is None:
                retry_after = self._rates.check(method, self._limit_key(params), self._clock())
                if retry_after is not None:
                    fault = Fault(429, {"ok": False, "error": "ratelimited"}, retry_after)
            if fault is not None:
                status, body = fault.status, dict(fault.body)
                if fault.retry_after is not None:
                    headers = (("Retry-After", str(fault.retry_after)),)
                    limited = RateLimitedCall(
                        method,
                        copy.deepcopy(params),
                        self._clock(),
                        fault.retry_after,
                        by_limit=retry_after is not None,
                    )
                    self._state.rate_limited.append(limited)
            else:
                outcome = METHODS[method](self._state, params)
                status, body, events = 200, outcome.body, outcome.events
        except ApiError as err:
            status, body = err.status, err.body()
        error = None if body.get("ok") else str(body.get("error"))
        self._state.calls.append(Call(method, copy.deepcopy(params), arrival, status, error))
        return Reply(status, body, headers), events

    def _limit_key(self, params: dict[str, Any]) -> str | None:
        """The channel a call is counted against (its id when given by name)."""
        raw = params.get("channel")
        if not raw:
            return None
        channel = self._state.lookup_channel(str(raw))
        return channel.id if channel is not None else str(raw)

    def _mark_retry(self, method: str, params: dict[str, Any], arrival: float) -> None:
        """If this call repeats one the fake answered with 429, note when it came back."""
        key = _fingerprint(params)
        for i, limited in enumerate(self._state.rate_limited):
            if (
                limited.retried_at is None
                and limited.method == method
                and _fingerprint(limited.params) == key
            ):
                self._state.rate_limited[i] = replace(limited, retried_at=arrival)
                return

    def _response(self, request: HttpRequest, arrival: float) -> Reply:
        url_id = request.path[len("/response/") :].strip("/")
        url = f"{self.url}response/{url_id}"
        events: tuple[SlackEvent, ...] = ()
        params: dict[str, Any] = {}
        with self._lock:
            try:
                params = parse_params(request.query, request.content_type, request.body)
                outcome = methods_chat.respond(self._state, url, url_id, params)
                status, body, events = 200, outcome.body, outcome.events
            except ApiError as err:
                status, body = (400 if err.status == 200 else err.status), err.body()
            error = None if body.get("ok") else str(body.get("error"))
            call = Call("response_url", copy.deepcopy(params), arrival, status, error)
            self._state.calls.append(call)
        self._notify(events)
        return Reply(status, body)


def _fingerprint(params: dict[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, default=str)
