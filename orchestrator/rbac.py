"""PE's RBAC token API: a person's login and password exchanged for their own token, who a token
belongs to and until when, and revoking it.

- `POST /rbac-api/v1/auth/token` `{login, password, lifetime, label}` → `{"token"}`; 401 for bad
  credentials or a revoked (locked-out) user; PE revokes an account after
  `rbac_failed_attempts_lockout` failed logins, 10 by default (help.puppet.com "POST /auth/token",
  "Configure RBAC and token-based authentication settings").
- `POST /rbac-api/v2/auth/token/authenticate` `{token}` → the subject and its token data
  (`login`, `expiration`, `label`, …); 400 invalid-token, 403 token-revoked / token-expired /
  token-timed-out ("POST /auth/token/authenticate").
- `DELETE /rbac-api/v2/tokens` with `{"revoke_tokens": [token]}` as a JSON body, never in the
  URL: any user may revoke a token they hold whole; 204 ("DELETE /tokens").

Secrets never leave this module in the open: the password is sent once and kept nowhere; a token
is in `IssuedToken.value` only (hidden from its repr); and every error is scrubbed of both,
since RBAC's own answers can quote them (a schema-violation's `submitted`, a malformed token's
message). Nothing here logs a body.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from orchestrator.errors import Rejected, Unavailable, UnexpectedShape, rbac_rejection
from orchestrator.service import retried

log = logging.getLogger(__name__)

API_PREFIX = "/rbac-api"
DEFAULT_PORT = 4433  # PE's console services: RBAC, the classifier, the activity service
REDACTED = "[redacted]"
MAX_LABEL = 200
_LIFETIME = re.compile(r"^(\d+)([ydhms]?)$")
_UNITS = {"y": 365 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1, "": 1}


def default_rbac_url(orchestrator_url: str) -> str:
    """RBAC on the orchestrator's host, port 4433, the same scheme (PE's default layout)."""
    parts = urlsplit(orchestrator_url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}:{DEFAULT_PORT}"


def parse_lifetime(text: str) -> int:
    """Seconds in a token lifetime as PE writes it: a number and `y`, `d`, `h`, `m` or `s` (no
    unit: seconds; `0`: PE's maximum). ValueError says how to write one."""
    found = _LIFETIME.match(text.strip()) if isinstance(text, str) else None
    if found is None:
        raise ValueError(
            f"{text!r} is not a token lifetime: write a number and y, d, h, m or s, e.g. 12h"
        )
    return int(found.group(1)) * _UNITS[found.group(2)]


def check_label(label: str) -> str:
    """The label trimmed, if PE would take it: at most 200 characters, no comma, not blank."""
    trimmed = label.strip()
    if not trimmed or len(trimmed) > MAX_LABEL or "," in trimmed:
        raise ValueError(
            f"a token label must be 1 to {MAX_LABEL} characters, without commas: {label!r}"
        )
    return trimmed


def new_label(owner: str, now: float, *, prefix: str = "slack-chatops") -> str:
    """A label no other token of the PE user has: PE refuses a label the user already has, so
    each sign-in gets its own (`slack-chatops U123ABC 2024-05-01T09:30:00Z 7f3a9c`)."""
    when = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    who = re.sub(r"[^A-Za-z0-9_.@-]", "", owner)[:80]
    return check_label(f"{prefix} {who} {when} {secrets.token_hex(3)}")


@dataclass(frozen=True)
class IssuedToken:
    """A token PE made for a login; `value` is the secret (kept out of the repr: vault it)."""

    value: str = field(repr=False)
    login: str
    label: str | None
    lifetime: str


@dataclass(frozen=True)
class TokenInfo:
    """Who a token belongs to and until when (the subject and token data of authenticate)."""

    login: str
    user_id: str
    display_name: str
    superuser: bool
    expires: datetime | None  # aware, UTC; None if PE did not say
    label: str | None
    remote: bool  # a directory-service (LDAP/SAML) user

    @classmethod
    def parse(cls, data: Any) -> TokenInfo:
        if not isinstance(data, dict) or not isinstance(data.get("login"), str):
            raise UnexpectedShape("the subject has no login")
        user_id = data.get("user_id") or data.get("id")
        return cls(
            login=data["login"],
            user_id=str(user_id) if user_id is not None else "",
            display_name=str(data.get("display_name") or data["login"]),
            superuser=data.get("is_superuser") is True,
            expires=_time(data.get("expiration")),
            label=data.get("label") if isinstance(data.get("label"), str) else None,
            remote=data.get("is_remote") is True,
        )


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def redact(value: Any, hidden: Iterable[str]) -> Any:
    """`value` (text, lists, objects) with every secret in `hidden` replaced by [redacted]."""
    words = sorted({h for h in hidden if h}, key=len, reverse=True)
    if not words:
        return value
    if isinstance(value, str):
        for word in words:
            value = value.replace(word, REDACTED)
        return value
    if isinstance(value, Mapping):
        return {redact(k, words): redact(v, words) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v, words) for v in value]
    return value


class RbacClient:
    """Speaks PE's RBAC API at `base_url` (`https://<primary>:4433`); no token of its own."""

    def __init__(
        self,
        http: httpx.Client,
        base_url: str,
        *,
        attempts: int = 3,
        backoff: float = 0.25,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._http = http
        self._root = base_url.rstrip("/") + API_PREFIX
        self._attempts = max(1, attempts)
        self._backoff = backoff
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"RbacClient({self._root!r})"

    @property
    def root(self) -> str:
        return self._root

    def close(self) -> None:
        self._http.close()

    def login(
        self,
        user: str,
        password: str,
        lifetime: str = "12h",
        label: str | None = None,
        *,
        description: str | None = None,
        client: str = "pe-chatops",
    ) -> IssuedToken:
        """A new token for `user`. Sent once, never retried: a failed login counts toward PE's
        lockout. Raises BadCredentials, AccountLocked, LabelInUse, MalformedRequest or
        Unavailable; ValueError for a lifetime or label PE would refuse."""
        parse_lifetime(lifetime)
        label = check_label(label) if label is not None else None
        body: dict[str, Any] = {"login": user, "password": password, "lifetime": lifetime}
        body.update({"client": client, **({"label": label} if label is not None else {})})
        if description is not None:
            body["description"] = description
        data = self._call("POST", "/v1/auth/token", body, None, (password,), retry=False)
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise UnexpectedShape("the answer has no token", path="/v1/auth/token")
        log.info("RBAC: %s signed in (token label %r, lifetime %s)", user, label, lifetime)
        return IssuedToken(token, user, label, lifetime)

    def authenticate(self, token: str) -> TokenInfo:
        """Who `token` belongs to and when it expires, without touching its last activity.
        Raises TokenExpired, TokenRevoked, InvalidToken, AccountLocked or Unavailable."""
        body = {"token": token, "update_last_activity?": False}
        data = self._call("POST", "/v2/auth/token/authenticate", body, None, (token,), retry=True)
        try:
            return TokenInfo.parse(data)
        except UnexpectedShape as exc:
            raise UnexpectedShape(exc.reason, path="/v2/auth/token/authenticate") from None

    def revoke(self, token: str, *, auth_token: str | None = None) -> None:
        """Revoke `token` (in a JSON body, never the URL), authenticating with `auth_token` or
        the token itself. Idempotent. A token already dead raises TokenExpired or TokenRevoked
        when it authenticates its own revocation: it cannot be used anyway."""
        auth = auth_token or token
        body = {"revoke_tokens": [token]}
        self._call("DELETE", "/v2/tokens", body, auth, (token, auth), retry=True)
        log.info("RBAC: a token was revoked")

    # -- transport ------------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        body: Any,
        auth: str | None,
        hidden: tuple[str, ...],
        *,
        retry: bool,
    ) -> Any:
        return retried(
            lambda: self._once(method, path, body, auth, hidden),
            attempts=self._attempts if retry else 1,
            backoff=self._backoff,
            sleep=self._sleep,
            what=f"{method} {path}",
        )

    def _once(
        self, method: str, path: str, body: Any, auth: str | None, hidden: tuple[str, ...]
    ) -> Any:
        headers = {"Accept": "application/json"}
        if auth is not None:
            headers["X-Authentication"] = auth
        try:
            response = self._http.request(method, self._root + path, json=body, headers=headers)
        except httpx.TimeoutException as exc:
            # `from None`: the httpx exception holds the request, and so the secret it carried.
            raise Unavailable(
                f"timed out talking to PE's RBAC service ({type(exc).__name__})"
            ) from None
        except httpx.TransportError as exc:
            reason = redact(str(exc), hidden)
            raise Unavailable(f"cannot reach PE's RBAC service: {reason}") from None
        return _decode(response, hidden)


def _decode(response: httpx.Response, hidden: tuple[str, ...]) -> Any:
    status = response.status_code
    if status == 204:
        return None
    try:
        data = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        data = None
    is_error = isinstance(data, dict) and isinstance(data.get("kind"), str)
    if status >= 500:
        raise Unavailable(f"PE's RBAC service answered HTTP {status}", status=status)
    if status >= 400:
        if not is_error:
            raise Unavailable(
                f"PE's RBAC service answered HTTP {status} without an error body", status=status
            )
        clean = redact(data, hidden)
        kind = str(clean["kind"])
        if "/" not in kind:  # the docs' tables print bare kinds; PE's bodies are namespaced
            kind = "puppetlabs.rbac/" + kind
        details = clean.get("details") if isinstance(clean.get("details"), dict) else None
        error: Rejected = rbac_rejection(kind, str(clean.get("msg", "")), details, status)
        raise error
    if data is None:
        raise Unavailable(
            f"PE's RBAC service answered HTTP {status} with a body that is not JSON",
            status=status,
        )
    return data
