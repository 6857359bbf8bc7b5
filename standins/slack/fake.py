"""FakeSlack: a Slack Web API and response_url server on 127.0.0.1 that records what it is sent."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from standins.slack.dispatch import DispatchMixin, Subscriber
from standins.slack.faults import Fault, Faults
from standins.slack.inspection import InspectionMixin
from standins.slack.model import Channel, MessageVersion, User, UserGroup, Workspace
from standins.slack.ratelimits import Limit, RateLimits
from standins.slack.server import ServerThread
from standins.slack.state import ResponseUrl, State
from standins.slack.surfaces import ViewsMixin


class FakeSlack(InspectionMixin, DispatchMixin, ViewsMixin):
    """A fake Slack workspace served over real HTTP, with faults that can be switched on live.

    It enforces Slack's published rate limits (standins/slack/ratelimits.py) unless
    `rate_limits=False`: only for a test where the limits are beside the point.

    `clock` times calls and messages; `wall_clock` (epoch seconds) is what trigger_ids are
    judged by: each carries the time it was issued and opens a view for 3 seconds, once.
    Modals and the Home tab: see surfaces.ViewsMixin (fill, suggest, submission, close...).
    """

    def __init__(
        self,
        bot_token: str = "xoxb-test",
        *,
        workspace: Workspace | None = None,
        clock: Callable[[], float] = time.monotonic,
        rate_limits: bool = True,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.bot_token = bot_token
        self._workspace = workspace if workspace is not None else Workspace.default()
        self._clock = clock
        self._wall = wall_clock
        self._lock = threading.Lock()
        self._state = State(self._workspace, clock, wall_clock)
        self._faults = Faults()
        self._rates = RateLimits(enabled=rate_limits)
        self._subscribers: list[Subscriber] = []
        self._server = ServerThread(self._handle)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> FakeSlack:
        if not self._server.running:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def api_url(self) -> str:
        """What `WebClient(base_url=...)` takes."""
        return f"{self.url}api/"

    # -- workspace set-up ------------------------------------------------------------------

    def socket_mode(self, url: str) -> None:
        """Where apps.connections.open sends a Socket Mode client (a test's WebSocket server)."""
        with self._lock:
            self._state.socket_mode_url = url

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        is_archived: bool = False,
        bot_is_member: bool = True,
        is_private: bool = False,
    ) -> None:
        """Add a channel, or replace one (e.g. to archive it or remove the bot)."""
        with self._lock:
            self._state.channels[channel_id] = Channel(
                channel_id, name, is_archived, bot_is_member, is_private
            )

    def add_user(
        self, user_id: str, name: str, real_name: str = "", is_bot: bool = False, tz: str = "UTC"
    ) -> None:
        with self._lock:
            self._state.users[user_id] = User(user_id, name, real_name, is_bot, tz)

    def set_timezone(self, user_id: str, tz: str) -> None:
        """The person's Slack time zone (users.info `tz`); "" leaves it out."""
        with self._lock:
            user = self._state.users[user_id]
            self._state.users[user_id] = User(user.id, user.name, user.real_name, user.is_bot, tz)

    def add_usergroup(self, group_id: str, handle: str, users: list[str] | tuple[str, ...]) -> None:
        with self._lock:
            self._state.usergroups[group_id] = UserGroup(group_id, handle, tuple(users))

    def add_message(
        self,
        channel: str,
        text: str,
        *,
        user: str,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        """Seed a message written by a person (or anyone) without going through the API."""
        with self._lock:
            version = MessageVersion(text, blocks, metadata, self._clock(), "seed")
            return self._state.add_message(channel, version, thread_ts=thread_ts, user=user).ts

    def new_response_url(
        self,
        *,
        channel: str | None = None,
        user: str | None = None,
        message_ts: str | None = None,
    ) -> str:
        """A response_url; `message_ts` is the message replace_original/delete_original act on."""
        with self._lock:
            url_id = self._state.next_id("R")
            self._state.response_urls[url_id] = ResponseUrl(
                channel, user, message_ts, self._clock()
            )
        return f"{self.url}response/{url_id}"

    # -- faults ----------------------------------------------------------------------------

    def rate_limit(
        self,
        method: str | None = "chat.postMessage",
        *,
        every: int = 1,
        retry_after: int = 1,
        duration: float | None = None,
        times: int | None = None,
    ) -> None:
        """Answer every `every`-th call to `method` (any method if None) with HTTP 429.

        `retry_after` is whole seconds because slack_sdk parses the header with int().
        The rule lapses after `duration` seconds or `times` 429s, whichever comes first.
        """
        body = {"ok": False, "error": "ratelimited"}
        self._add_rule(method, every, Fault(429, body, int(retry_after)), duration, times)

    def server_error(
        self,
        method: str | None = None,
        *,
        every: int = 1,
        status: int = 500,
        duration: float | None = None,
        times: int | None = None,
    ) -> None:
        """Answer every `every`-th call to `method` (any if None) with an HTTP 5xx."""
        body = {"ok": False, "error": "internal_error"}
        self._add_rule(method, every, Fault(status, body), duration, times)

    def _add_rule(
        self,
        method: str | None,
        every: int,
        fault: Fault,
        duration: float | None,
        times: int | None,
    ) -> None:
        with self._lock:
            now = self._clock()
            self._faults.add_rule(method, every, fault, now=now, duration=duration, times=times)

    def fail_channel(self, channel_id: str, error: str = "not_in_channel") -> None:
        """Every call naming this channel (except conversations.info) answers `error`."""
        with self._lock:
            self._faults.fail_channel(channel_id, error)

    def rate_limits(self, enabled: bool) -> None:
        """Switch Slack's rate limits on (the default) or off, for tests that need it."""
        with self._lock:
            self._rates.enabled = enabled

    def set_rate_limit(self, method: str, per_minute: float, *, burst: int = 1) -> None:
        """A smaller (or larger) limit for one method, as when other apps share the workspace;
        for chat.postMessage it is the workspace ceiling."""
        with self._lock:
            self._rates.set_limit(method, Limit(per_minute, burst))

    @property
    def rate_limited_count(self) -> dict[str, int]:
        """429s sent by the enforced limits, per method."""
        with self._lock:
            return dict(self._rates.refused)

    def latency(self, seconds: float) -> None:
        """Delay every answer by `seconds` (0 to stop)."""
        with self._lock:
            self._faults.latency = max(0.0, float(seconds))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults = Faults()

    def reset(self) -> None:
        """Back to the starting workspace: no messages, calls, faults, response URLs or spent
        rate-limit budget (the limits stay on or off as they were)."""
        with self._lock:
            self._state = State(self._workspace, self._clock, self._wall)
            self._faults = Faults()
            self._rates = RateLimits(enabled=self._rates.enabled)

    # -- observers -------------------------------------------------------------------------

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call `callback(event)` after each change, outside the lock; returns an unsubscribe."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe
