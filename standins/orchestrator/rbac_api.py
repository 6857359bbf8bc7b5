"""The RBAC API routes the bot uses, on the simulator's port (PE serves them on 4433):

- `POST /rbac-api/v1/auth/token` `{login, password, lifetime?, label?, description?, client?}`
  → `{"token"}` (no authentication);
- `POST /rbac-api/v2/auth/token/authenticate` `{token, "update_last_activity?"}` → the subject and
  its token data; 400 invalid-token, 403 token-revoked / token-expired (no authentication);
- `DELETE /rbac-api/v2/tokens` with `revoke_tokens` (and `revoke_tokens_by_labels`,
  `revoke_tokens_by_usernames`, `revoke_tokens_by_ids`) in the query (commas) or a JSON body
  (arrays) → 204; 400 malformed-token-request, 403 permission-denied (authenticated).

Bodies and kinds as help.puppet.com documents them (see rbac.py for the sources)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .context import iso
from .errors import RBAC, ApiError
from .rbac import IssuedToken
from .world import User

if TYPE_CHECKING:
    from .core import SimResponse, Simulator

log = logging.getLogger(__name__)

PREFIX = "/rbac-api/"
LOGIN = "/rbac-api/v1/auth/token"
AUTHENTICATE = "/rbac-api/v2/auth/token/authenticate"
TOKENS = "/rbac-api/v2/tokens"
_ROUTES = {("POST", LOGIN), ("POST", AUTHENTICATE), ("DELETE", TOKENS)}
_LOGIN_KEYS = {"login", "password", "lifetime", "label", "description", "client"}
_REVOKE_KEYS = (
    "revoke_tokens",
    "revoke_tokens_by_labels",
    "revoke_tokens_by_usernames",
    "revoke_tokens_by_ids",
)


def handle(
    sim: Simulator,
    method: str,
    path: str,
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
    body: bytes,
) -> SimResponse:
    """Answer one RBAC request (headers lower-cased), holding the simulator's lock."""
    from .core import html_response, json_response

    path = path.rstrip("/")
    with sim._lock:
        try:
            if sim.faults.unavailable:
                response = html_response(503, "Service Unavailable")
            elif (method, path) not in _ROUTES:
                allowed = sorted(m for m, p in _ROUTES if p == path)
                status, what = (405, "not allowed") if allowed else (404, "not found")
                raise ApiError(status, RBAC + "not-found", f"{method} {path}: {what}")
            elif path == LOGIN:
                response = json_response(200, _login(sim, _object(body)))
            elif path == AUTHENTICATE:
                response = json_response(200, _authenticate(sim, _object(body)))
            else:
                _revoke(sim, query, headers, body)
                response = sim_no_content()
        except ApiError as exc:
            response = json_response(exc.status, exc.body())
        sim._stats.record(f"{method} {path}", None, response.status, len(response.body))
    return response


def sim_no_content() -> SimResponse:
    from .core import SimResponse

    return SimResponse(204, {}, b"")


def _object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, RBAC + "malformed-request", "The body is not valid JSON", {
            "error": str(exc)
        }) from exc  # fmt: skip
    if not isinstance(data, dict):
        raise ApiError(400, RBAC + "malformed-request", "The body must be a JSON object", {})
    return data


def _schema_violation(data: dict[str, Any], error: str) -> ApiError:
    # PE's schema-violation details carry the submitted data as it was seen ("RBAC service
    # errors"): a client must not show them as they are, since they hold the password.
    return ApiError(
        400,
        RBAC + "schema-violation",
        f"The request body does not match the schema: {error}",
        {"submitted": data, "schema": sorted(_LOGIN_KEYS), "error": error},
    )


def _login(sim: Simulator, data: dict[str, Any]) -> dict[str, Any]:
    extra = set(data) - _LOGIN_KEYS
    if extra:
        raise _schema_violation(data, f"unknown keys {sorted(extra)}")
    for key in ("login", "password"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise _schema_violation(data, f"{key} is required and must be a non-empty string")
    for key in ("description", "client"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise _schema_violation(data, f"{key} must be a string")
    token = sim.rbac.login(
        data["login"],
        data["password"],
        sim.clock(),
        lifetime=data.get("lifetime"),
        label=data.get("label"),
        description=data.get("description"),
        client=data.get("client"),
    )
    return {"token": token.value}


def subject(user: User, token: IssuedToken | None, created: float) -> dict[str, Any]:
    """The RBAC subject and token data, as the 2023.8 docs' example of authenticate."""
    expires = token.expires if token else created + 10 * 365 * 86400
    return {
        "description": token.description if token else None,
        "creation": iso(token.created if token else created),
        "email": user.email,
        "is_revoked": False,
        "last_active": iso(token.last_active if token else created),
        "last_login": iso(token.created if token else created, millis=True),
        "expiration": iso(expires),
        "is_remote": False,
        "client": token.client if token else None,
        "login": user.login,
        "is_superuser": user.superuser,
        "label": token.label if token else None,
        "id": user.id,
        "role_ids": [1] if user.superuser else [2],
        "user_id": user.id,
        "timeout": None,
        "display_name": user.display_name or user.login,
        "is_group": False,
    }


def _authenticate(sim: Simulator, data: dict[str, Any]) -> dict[str, Any]:
    token = data.get("token")
    if not isinstance(token, str) or not token:
        raise _schema_violation(data, "token is required and must be a non-empty string")
    now = sim.clock()
    holder = sim.rbac.holder(token)
    if holder is None:
        raise ApiError(
            400, RBAC + "invalid-token", "The provided token was tampered with or is invalid."
        )
    sim.rbac.check(holder, token, now, status=403)
    faults = sim.faults
    if faults.expire_token is True or faults.expire_token == token:
        raise ApiError(403, RBAC + "token-expired", "The provided token has expired.")
    if holder.issued is not None and data.get("update_last_activity?") is True:
        holder.issued.last_active = now
    return subject(holder.user, holder.issued, sim.started)


def _values(query: Mapping[str, list[str]], data: dict[str, Any], key: str) -> list[Any]:
    found: list[Any] = [v for raw in query.get(key, ()) for v in raw.split(",") if v]
    value = data.get(key)
    if value is not None:
        found.extend(value if isinstance(value, list) else [value])
    return found


def _revoke(
    sim: Simulator, query: Mapping[str, list[str]], headers: Mapping[str, str], body: bytes
) -> None:
    caller = sim._authenticate(headers, query, sim.faults)
    data = _object(body) if body.strip() else {}
    # `token` in the query authenticates the caller, as on every PE service.
    unknown = sorted((set(data) | set(query)) - {*_REVOKE_KEYS, "token"})
    asked = {key: _values(query, data, key) for key in _REVOKE_KEYS}
    problems = {
        "malformed_tokens": [
            t
            for t in asked["revoke_tokens"]
            if not isinstance(t, str) or not sim.rbac.well_formed(t)
        ],
        "malformed_labels": [x for x in asked["revoke_tokens_by_labels"] if not isinstance(x, str)],
        "malformed_usernames": [
            x for x in asked["revoke_tokens_by_usernames"] if not isinstance(x, str)
        ],
        "nonexistent_usernames": [
            x
            for x in asked["revoke_tokens_by_usernames"]
            if isinstance(x, str) and sim.world.user_named(x) is None
        ],
        "permission_denied_usernames": [],
        "unrecognized_parameters": unknown,
    }
    by_name = [x for x in asked["revoke_tokens_by_usernames"] if isinstance(x, str)]
    by_id = [x for x in asked["revoke_tokens_by_ids"] if isinstance(x, str)]
    if not caller.superuser:  # "Users Revoke" permission: the simulator's superusers only
        problems["permission_denied_usernames"] = by_name + by_id
        by_name, by_id = [], []
    if not any(asked.values()):
        raise ApiError(
            400,
            RBAC + "malformed-token-request",
            "Supply revoke_tokens, revoke_tokens_by_labels, revoke_tokens_by_usernames or "
            "revoke_tokens_by_ids. No tokens were revoked.",
            {**problems, "other_tokens_revoked": False},
        )
    done = 0  # revocations carried out: PE revokes all it can even when some input is bad
    for token in asked["revoke_tokens"]:
        if isinstance(token, str) and sim.rbac.well_formed(token):
            sim.rbac.revoke(token)
            done += 1
    for label in asked["revoke_tokens_by_labels"]:
        if isinstance(label, str):
            sim.rbac.revoke_where(caller.login, label)
            done += 1
    logins = {u.login for u in sim.world.users if u.id in by_id} | set(by_name)
    for login in logins - set(problems["nonexistent_usernames"]):
        sim.rbac.revoke_where(login)
        done += 1
    if any(problems.values()):
        _refuse(problems, done > 0)


def _refuse(problems: dict[str, list[Any]], some_revoked: bool) -> None:
    words = {
        "malformed_tokens": "The following token is malformed",
        "malformed_labels": "The following label is malformed",
        "malformed_usernames": "The following user name is malformed",
        "nonexistent_usernames": "The following user does not exist",
        "permission_denied_usernames": "You may not revoke the tokens of",
        "unrecognized_parameters": "Unrecognized parameters",
    }
    parts = [f"{words[k]}: {', '.join(map(str, v))}." for k, v in problems.items() if v]
    tail = "All other tokens were successfully revoked." if some_revoked else (
        "No tokens were revoked."
    )  # fmt: skip
    denied = problems["permission_denied_usernames"] and not any(
        v for k, v in problems.items() if k != "permission_denied_usernames"
    )
    status, kind = (403, "permission-denied") if denied else (400, "malformed-token-request")
    raise ApiError(
        status,
        RBAC + kind,
        " ".join([*parts, tail]),
        {**problems, "other_tokens_revoked": some_revoked},
    )
