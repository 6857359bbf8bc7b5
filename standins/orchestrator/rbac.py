"""PE's RBAC tokens on the simulator's clock: logins, lockout, token lifetimes and revocation.

What PE documents (help.puppet.com, "Tokens endpoints", "POST /auth/token", "POST
/auth/token/authenticate", "DELETE /tokens", "RBAC service errors", "Configure RBAC and
token-based authentication settings"):

- A login with a good password and a user that is not revoked gets a token; bad credentials or a
  revoked user answer 401. A lifetime is a number with `y`, `d`, `h`, `m` or `s` (no unit:
  seconds); `0` is the maximum lifetime; none is the default lifetime.
- A label is at most 200 characters, has no comma, is not only whitespace (it is trimmed), and
  is not the label of another token of the same user.
- After `failed_attempts_lockout` failed logins (default 10) the account is revoked: its logins
  and its tokens answer `user-revoked` until an administrator resets it.
- Any user may revoke any token they hold whole; revoking is idempotent.

Where PE is silent (chosen here, and listed in WORLD.md): a successful login resets the count of
failures; unknown logins count nothing; a label is taken only while its token is alive
(neither expired nor revoked); a duplicate label is `409 conflict`, the RBAC kind for a value that
must be unique.
"""

from __future__ import annotations

import logging
import re
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import RBAC, ApiError
from .world import User, World

log = logging.getLogger(__name__)

_UNITS = {"y": 365 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1, "": 1}
_LIFETIME = re.compile(r"^(\d+)([ydhms]?)$")
TOKEN_ALPHABET = string.ascii_letters + string.digits
TOKEN_LENGTH = 44  # as the 2023 docs' example tokens: 44 letters and digits
_TOKEN_SHAPE = re.compile(rf"^[A-Za-z0-9]{{{TOKEN_LENGTH}}}$")
MAX_LABEL = 200


def parse_lifetime(value: object) -> int:
    """Seconds in a PE token lifetime (`"12h"`, `"30"`, `0`); ValueError if it is not one."""
    if isinstance(value, bool):
        raise ValueError(f"not a lifetime: {value!r}")
    if isinstance(value, int) and value >= 0:
        return value
    found = _LIFETIME.match(value.strip()) if isinstance(value, str) else None
    if found is None:
        raise ValueError(
            f"not a lifetime: {value!r} (a number followed by y, d, h, m or s, e.g. 12h)"
        )
    return int(found.group(1)) * _UNITS[found.group(2)]


def check_label(label: object) -> str | None:
    """The label trimmed, or ApiError 400 for one PE refuses; None for no label."""
    if label is None:
        return None
    if not isinstance(label, str):
        raise malformed("The label must be a string", "label")
    trimmed = label.strip()
    if not trimmed:
        raise malformed("The label must contain something other than whitespace", "label")
    if len(trimmed) > MAX_LABEL:
        raise malformed(f"The label must be no longer than {MAX_LABEL} characters", "label")
    if "," in trimmed:
        raise malformed("The label must not contain commas", "label")
    return trimmed


def malformed(msg: str, key: str) -> ApiError:
    return ApiError(400, RBAC + "malformed-request", msg, {"key": key})


def user_revoked() -> ApiError:
    return ApiError(401, RBAC + "user-revoked", "This account has been revoked.")


@dataclass(slots=True, eq=False)
class IssuedToken:
    """A token POST /auth/token made: whose, its label and metadata, and its lifetime."""

    value: str = field(repr=False)
    login: str
    label: str | None
    created: float
    expires: float
    description: str | None = None
    client: str | None = None
    revoked: bool = False
    last_active: float = 0.0

    def alive(self, now: float) -> bool:
        return not self.revoked and now < self.expires


@dataclass(frozen=True)
class Holder:
    """Who a token authenticates, and the issued token if it is one (None: a world token)."""

    user: User
    issued: IssuedToken | None


class Rbac:
    """Users' passwords, failed logins, lockouts and issued tokens (the caller holds the lock)."""

    def __init__(self, world: Callable[[], World]) -> None:
        self._world = world  # the simulator's current world (services.change_nodes replaces it)
        self.issued: dict[str, IssuedToken] = {}
        self.failures: dict[str, int] = {}
        self.locked: set[str] = set()
        self.revoked_world_tokens: set[str] = set()

    # -- logging in ---------------------------------------------------------------------------

    def login(
        self,
        login: str,
        password: str,
        now: float,
        *,
        lifetime: object = None,
        label: object = None,
        description: str | None = None,
        client: str | None = None,
    ) -> IssuedToken:
        """A new token, or ApiError as PE answers; a wrong password counts toward the lockout."""
        settings = self._world().settings
        seconds = self._lifetime(lifetime)
        label = check_label(label)
        user = self._world().user_named(login)
        if user is None or user.password is None:
            raise _bad_credentials()
        if login in self.locked:
            raise user_revoked()
        if not secrets.compare_digest(password.encode(), user.password.encode()):
            count = self.failures.get(login, 0) + 1
            self.failures[login] = count
            if count >= settings.failed_attempts_lockout:
                self.locked.add(login)
                log.info("RBAC: %s revoked after %d failed logins", login, count)
            raise _bad_credentials()
        self.failures.pop(login, None)
        if label is not None and any(
            t.login == login and t.label == label and t.alive(now) for t in self.issued.values()
        ):
            raise ApiError(
                409,
                RBAC + "conflict",
                f"The user {login} already has a token labelled {label!r}",
                {"label": label},
            )
        value = "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))
        token = IssuedToken(
            value, login, label, now, now + seconds, description, client, last_active=now
        )
        self.issued[value] = token
        return token

    def _lifetime(self, lifetime: object) -> int:
        settings = self._world().settings
        maximum = parse_lifetime(settings.token_maximum_lifetime)
        if lifetime is None:
            return min(parse_lifetime(settings.token_default_lifetime), maximum)
        try:
            seconds = parse_lifetime(lifetime)
        except ValueError as exc:
            raise malformed(str(exc), "lifetime") from exc
        if seconds > maximum:
            raise malformed(
                f"The lifetime may not exceed the maximum of {settings.token_maximum_lifetime}",
                "lifetime",
            )
        return seconds or maximum

    # -- tokens -------------------------------------------------------------------------------

    def holder(self, token: str) -> Holder | None:
        """Whose token this is, whatever its state; None for a token nobody made."""
        issued = self.issued.get(token)
        if issued is not None:
            user = self._world().user_named(issued.login)
            return Holder(user, issued) if user is not None else None
        user = self._world().user(token)
        return Holder(user, None) if user is not None else None

    def check(self, holder: Holder, token: str, now: float, *, status: int = 401) -> None:
        """ApiError if the token may not be used now: revoked, expired, or its user revoked.
        The orchestrator answers these 401; POST /auth/token/authenticate answers 403."""
        issued = holder.issued
        if (issued is not None and issued.revoked) or (
            issued is None and (holder.user.revoked or token in self.revoked_world_tokens)
        ):
            raise ApiError(status, RBAC + "token-revoked", "The provided token has been revoked.")
        if (issued is not None and now >= issued.expires) or (
            issued is None and holder.user.expired
        ):
            raise ApiError(status, RBAC + "token-expired", "The provided token has expired.")
        if holder.user.login in self.locked:
            raise user_revoked()

    def well_formed(self, token: str) -> bool:
        """Whether RBAC could parse this as a token (any made here or in the world is)."""
        return bool(_TOKEN_SHAPE.match(token)) or self._world().user(token) is not None

    def revoke(self, token: str) -> None:
        """Revoke a whole token (idempotent; a well-formed unknown token is not an error)."""
        issued = self.issued.get(token)
        if issued is not None:
            issued.revoked = True
        elif self._world().user(token) is not None:
            self.revoked_world_tokens.add(token)

    def revoke_where(self, login: str | None = None, label: str | None = None) -> int:
        """Revoke the live issued tokens of a login (and with a label); how many."""
        found = [
            t
            for t in self.issued.values()
            if not t.revoked and (login is None or t.login == login)
            if label is None or t.label == label
        ]
        for t in found:
            t.revoked = True
        return len(found)

    # -- administration (not PE's API: the simulator's own) -----------------------------------

    def unlock(self, login: str) -> bool:
        """Reinstate a locked-out account, as a password reset does; whether it was locked."""
        self.failures.pop(login, None)
        if login in self.locked:
            self.locked.discard(login)
            return True
        return False

    def summary(self, now: float) -> dict[str, object]:
        """Failures, lockouts and issued tokens (never their values), for /_sim/rbac."""
        tokens = [
            {
                "login": t.login,
                "label": t.label,
                "created": t.created,
                "expires": t.expires,
                "revoked": t.revoked,
                "alive": t.alive(now),
            }
            for t in self.issued.values()
        ]
        return {
            "failures": dict(self.failures),
            "locked": sorted(self.locked),
            "failed_attempts_lockout": self._world().settings.failed_attempts_lockout,
            "tokens": tokens,
        }


def _bad_credentials() -> ApiError:
    return ApiError(401, RBAC + "user-unauthenticated", "The login or password is incorrect.", {})
