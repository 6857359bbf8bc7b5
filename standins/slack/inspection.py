"""Read-only views of the fake for tests: what was called, posted, edited and answered."""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from standins.slack.model import (
    Call,
    Ephemeral,
    Message,
    RateLimitedCall,
    ResponsePost,
    dm_channel_id,
)
from standins.slack.state import State

T = TypeVar("T")


class InspectionMixin:
    """Snapshots taken under the lock, so tests can read while listeners write."""

    _lock: threading.Lock
    _state: State

    def calls(self, method: str | None = None) -> list[Call]:
        """Every request answered, oldest first; response_url posts have method "response_url"."""
        with self._lock:
            return [c for c in self._state.calls if method is None or c.method == method]

    def messages(self, channel: str) -> list[Message]:
        """What the channel shows, oldest first: top-level messages and broadcast replies."""
        with self._lock:
            state = self._state
            found = (state.messages[(channel, ts)] for ts in state.order.get(channel, []))
            return [state.snapshot(m) for m in found if not m.deleted and state.in_channel(m)]

    def direct_messages(self, user: str) -> list[Message]:
        """What the bot sent a user in their direct messages with it, oldest first."""
        return self.messages(dm_channel_id(user))

    def thread(self, channel: str, ts: str) -> list[Message]:
        """The parent, then its replies oldest first (empty if there is no such message)."""
        with self._lock:
            return [self._state.snapshot(m) for m in self._state.thread_members(channel, ts)]

    def message(self, channel: str, ts: str) -> Message:
        """The message as it is now (deleted ones too, flagged), with `versions` of every edit."""
        with self._lock:
            stored = self._state.messages.get((channel, ts))
            if stored is None:
                raise KeyError(f"no message {ts} in {channel}")
            return self._state.snapshot(stored)

    def ephemerals(self, user: str | None = None) -> list[Ephemeral]:
        with self._lock:
            return [e for e in self._state.ephemerals if user is None or e.user == user]

    def responses(self) -> list[ResponsePost]:
        with self._lock:
            return list(self._state.responses)

    def rate_limited_calls(self) -> list[RateLimitedCall]:
        """Each 429 sent, with when the same call came back (None if it has not)."""
        with self._lock:
            return list(self._state.rate_limited)

    def warnings(self) -> list[str]:
        """Things Slack accepts but our bot should not do (missing fallback text, truncation…)."""
        with self._lock:
            return list(self._state.warnings)

    @property
    def missing_fallback_text(self) -> int:
        with self._lock:
            return self._state.missing_fallback_text

    @property
    def truncated_texts(self) -> int:
        with self._lock:
            return self._state.truncated_texts

    def user_names(self) -> dict[str, str]:
        """User id -> name, for render_blocks."""
        with self._lock:
            return {u.id: u.name for u in self._state.users.values()}

    def wait_for(
        self,
        predicate: Callable[[Any], T],
        timeout: float = 5.0,
        *,
        interval: float = 0.01,
        description: str | None = None,
    ) -> T:
        """Poll until `predicate(fake)` is truthy and return its value.

        A predicate that raises LookupError (an IndexError on `messages(c)[0]`) counts as
        not yet true, since listeners may not have posted yet.
        """
        deadline = time.monotonic() + timeout
        last_error: LookupError | None = None
        while True:
            try:
                result = predicate(self)
            except LookupError as exc:
                result, last_error = None, exc  # type: ignore[assignment]
            if result:
                return result
            if time.monotonic() >= deadline:
                raise AssertionError(
                    self._timeout_report(predicate, timeout, description, last_error)
                )
            time.sleep(interval)

    def _timeout_report(
        self,
        predicate: Callable[..., Any],
        timeout: float,
        description: str | None,
        last_error: LookupError | None,
    ) -> str:
        what = description or _describe(predicate)
        with self._lock:
            state = self._state
            calls = state.calls[-10:]
            channels = {
                c: sum(1 for ts in tss if not state.messages[(c, ts)].deleted)
                for c, tss in state.order.items()
            }
            counts = f"{len(state.ephemerals)} ephemeral, {len(state.responses)} response_url posts"
        lines = [f"fake Slack: condition not met after {timeout:g}s: {what}"]
        if last_error is not None:
            lines.append(f"  last lookup error: {last_error!r}")
        lines.append(f"  messages per channel: {channels or 'none'}; {counts}")
        lines.append(f"  last {len(calls)} calls (of {len(state.calls)}):")
        lines += [
            f"    {c.method} -> {c.status} {c.error or 'ok'} {_short(c.params)}" for c in calls
        ]
        return "\n".join(lines)


def _describe(predicate: Callable[..., Any]) -> str:
    try:
        source = inspect.getsource(predicate).strip()
    except (OSError, TypeError):
        return getattr(predicate, "__qualname__", repr(predicate))
    return source if len(source) <= 200 else source[:197] + "..."


def _short(params: dict[str, Any]) -> str:
    text = ", ".join(f"{k}={v!r}" for k, v in params.items() if k not in ("blocks", "view"))
    return text if len(text) <= 120 else text[:117] + "..."
