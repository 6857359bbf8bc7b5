"""Decoding Web API arguments however slack_sdk sends them: query string, form body or JSON body."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from standins.slack.model import SlackEvent

FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Outcome:
    """A successful answer and the changes observers should hear about."""

    body: dict[str, Any]
    events: tuple[SlackEvent, ...] = ()


class ApiError(Exception):
    """A Slack `{"ok": false, "error": code}` answer, with any extra fields Slack adds."""

    def __init__(self, code: str, status: int = 200, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.status = status
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.code, **self.extra}


def parse_params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    """Query arguments overlaid by the body's; a body that cannot be read is invalid_form_data."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    mime = content_type.split(";", 1)[0].strip().lower()
    # slack_sdk labels even an empty body (auth.test with no arguments) as JSON, so an empty
    # body is never an error whatever the header says.
    if not body.strip():
        return params
    if mime == "application/json":
        try:
            decoded = json.loads(body)
        except ValueError as exc:
            raise ApiError("invalid_json") from exc
        if not isinstance(decoded, dict):
            raise ApiError("invalid_json")
        params.update(decoded)
    elif mime in (FORM, ""):
        try:
            params.update(
                parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
            )
        except (UnicodeDecodeError, ValueError) as exc:
            raise ApiError("invalid_form_data") from exc
    else:
        raise ApiError("invalid_form_data")
    return params


def bearer_token(authorization: str | None, params: dict[str, Any]) -> str | None:
    """The token from `Authorization: Bearer`, or Slack's legacy `token` argument."""
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    token = params.get("token")
    return str(token) if token else None


def flag(params: dict[str, Any], key: str) -> bool:
    """A boolean argument: JSON true, or the "1"/"true" that form bodies carry."""
    value = params.get(key)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def text_arg(params: dict[str, Any], key: str) -> str | None:
    value = params.get(key)
    return None if value is None else str(value)


def required(params: dict[str, Any], key: str) -> str:
    value = params.get(key)
    if value is None or value == "":
        raise ApiError("invalid_arguments", response_metadata={"messages": [f"missing {key}"]})
    return str(value)


def json_arg(params: dict[str, Any], key: str, error: str = "invalid_arguments") -> Any:
    """A structured argument: already decoded in a JSON body, a JSON string in a form body."""
    value = params.get(key)
    if not isinstance(value, str):
        return value
    if not value.strip():
        return None
    try:
        return json.loads(value)
    except ValueError as exc:
        raise ApiError(error) from exc


def int_arg(params: dict[str, Any], key: str, default: int) -> int:
    value = params.get(key)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ApiError("invalid_arguments") from exc


def ts_key(ts: str) -> tuple[int, int]:
    """Order Slack timestamps numerically, whatever their string form."""
    seconds, _, micros = ts.partition(".")
    return int(seconds or 0), int((micros or "0").ljust(6, "0")[:6])
