"""Failed sign-ins limited per Slack user and per PE login, so that nobody can lock a colleague's PE
account out through the bot.

PE revokes an account after `rbac_failed_attempts_lockout` failed logins, 10 by default
(help.puppet.com, "Configure RBAC and token-based authentication settings"; "Passwords
endpoints": "By default, users can make 10 login attempts before being locked out"), and only an
administrator's password reset brings it back. Two budgets guard it:

- **Per PE login**: at most `per_login` (default 3) failed sign-ins in a row through the bot, from
  anyone. The count does not fade with time, since PE's does not: it clears only when that login
  signs in successfully through the bot, when a token pasted for that login proves who holds it,
  or when an administrator resets it. So the bot alone can never spend more than 3 of PE's 10,
  leaving 7 for typing mistakes in the console or `puppet access login`.
- **Per Slack user**: at most `per_slack_user` (default 5) failed sign-ins within `window`
  (default 15 minutes), whatever logins they name, so nobody guesses or sprays passwords.

An attempt counts as a failure from the moment it is allowed (`attempt`), so concurrent attempts
cannot overrun a budget; `succeeded` takes it back. An attempt PE may never have judged (a
timeout) stays counted: PE may have counted it too.

Pure and clock-injected; the state lives in memory and can be saved and restored
(`export`/`restore`) so a restart does not reset the per-login counts.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

PE_DEFAULT_LOCKOUT = 10  # rbac_failed_attempts_lockout's default (cited above)


@dataclass(frozen=True)
class SignInLimits:
    """The budgets; `pe_lockout` is the PE server's setting, which `per_login` must stay under."""

    per_login: int = 3
    per_slack_user: int = 5
    window: float = 15 * 60.0
    pe_lockout: int = PE_DEFAULT_LOCKOUT

    def __post_init__(self) -> None:
        if self.per_login < 1 or self.per_slack_user < 1 or self.window <= 0:
            raise ValueError("sign-in limits must be positive")
        if self.per_login >= self.pe_lockout:
            raise ValueError(
                f"the per-login limit ({self.per_login}) must stay below PE's lockout "
                f"({self.pe_lockout} failed logins), or the bot could lock an account out"
            )


@dataclass(frozen=True)
class Verdict:
    """Whether a sign-in may be tried now, and if not, why and until when."""

    allowed: bool
    reason: str | None = None  # "pe_login" or "slack_user" when refused
    retry_after: float | None = None  # seconds, for "slack_user"; None: only a reset helps
    login_failures: int = 0  # failures in a row for the PE login, this attempt included
    user_failures: int = 0  # the Slack user's failures in the window, this attempt included


def login_key(login: str) -> str:
    """The budget a PE login shares: `Alice`, `alice ` and `alice` are one account to guard."""
    return login.strip().casefold()


class SignInLimiter:
    """Counts failed sign-ins; thread-safe, time from `clock` (seconds)."""

    def __init__(
        self, limits: SignInLimits | None = None, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.limits = limits or SignInLimits()
        self._clock = clock
        self._lock = threading.Lock()
        self._logins: dict[str, int] = {}
        self._users: dict[str, deque[float]] = {}

    def __repr__(self) -> str:
        return f"SignInLimiter({self.limits})"

    def check(self, slack_user: str, login: str) -> Verdict:
        """Whether an attempt would be allowed now (counts nothing)."""
        with self._lock:
            return self._verdict(slack_user, login_key(login), self._clock())

    def attempt(self, slack_user: str, login: str) -> Verdict:
        """Allow an attempt and count it as failed until `succeeded`, or refuse it (counting
        nothing). Send the login to PE only when the verdict allows it."""
        key = login_key(login)
        with self._lock:
            now = self._clock()
            verdict = self._verdict(slack_user, key, now)
            if not verdict.allowed:
                log.info(
                    "sign-in refused for %s as %s: %s limit", slack_user, login, verdict.reason
                )
                return verdict
            self._logins[key] = self._logins.get(key, 0) + 1
            self._users.setdefault(slack_user, deque()).append(now)
            return Verdict(
                True,
                login_failures=self._logins[key],
                user_failures=len(self._users[slack_user]),
            )

    def succeeded(self, slack_user: str, login: str) -> None:
        """The attempt signed in: the login's count clears (so does PE's), and the Slack user's
        window loses this one attempt."""
        with self._lock:
            self._logins.pop(login_key(login), None)
            times = self._users.get(slack_user)
            if times:
                times.pop()
                if not times:
                    del self._users[slack_user]

    def reset_login(self, login: str) -> None:
        """Clear a PE login's count: an administrator's reset, or a pasted token that PE says
        belongs to this login (its holder has shown who they are)."""
        with self._lock:
            self._logins.pop(login_key(login), None)

    def _verdict(self, slack_user: str, key: str, now: float) -> Verdict:
        times = self._users.get(slack_user)
        if times is not None:
            while times and times[0] <= now - self.limits.window:
                times.popleft()
            if not times:
                del self._users[slack_user]
                times = None
        user_failures = len(times) if times else 0
        login_failures = self._logins.get(key, 0)
        if login_failures >= self.limits.per_login:
            return Verdict(False, "pe_login", None, login_failures, user_failures)
        if times and user_failures >= self.limits.per_slack_user:
            retry = times[user_failures - self.limits.per_slack_user] + self.limits.window - now
            return Verdict(False, "slack_user", max(retry, 0.0), login_failures, user_failures)
        return Verdict(True, None, None, login_failures, user_failures)

    # -- persistence --------------------------------------------------------------------------

    def export(self) -> dict[str, Any]:
        """The counts as JSON-ready data (no secrets: Slack user ids, logins and times)."""
        with self._lock:
            return {
                "logins": dict(self._logins),
                "users": {u: list(t) for u, t in self._users.items()},
            }

    def restore(self, state: Mapping[str, Any]) -> None:
        """Load counts saved by `export` (adding to any already held)."""
        with self._lock:
            for key, count in dict(state.get("logins") or {}).items():
                self._logins[login_key(key)] = self._logins.get(login_key(key), 0) + int(count)
            for user, times in dict(state.get("users") or {}).items():
                merged = sorted([*self._users.get(user, ()), *(float(t) for t in times)])
                self._users[user] = deque(merged)
