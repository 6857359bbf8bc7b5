"""What a route handler gets: the parsed request, the state, the caller and how to format output."""

from __future__ import annotations

import calendar
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import validation_error
from .versions import Dialect
from .world import User, World

if TYPE_CHECKING:
    from .engine import Engine

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # below /orchestrator/v1, without a trailing slash
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]  # lower-case names
    body: bytes

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object, or 400 validation-error."""
        try:
            data = json.loads(self.body or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise validation_error(f"The request body is not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise validation_error("The request body must be a JSON object")
        return data


@dataclass(frozen=True)
class Format:
    """How to render: URLs from the request's Host, the time, and the inconsistency faults."""

    base: str  # e.g. http://127.0.0.1:8143/orchestrator/v1
    now: float
    ids_as_numbers: bool = False
    duration_as_number: bool = False
    dialect: Dialect = Dialect()
    request_uri: str = ""  # the request's own URL, which next-events.id echoes

    def url(self, *parts: object) -> str:
        return "/".join([self.base, *(str(p) for p in parts)])

    def name(self, ident: int) -> str | int:
        return ident if self.ids_as_numbers else str(ident)


@dataclass(frozen=True)
class Ctx:
    req: Request
    world: World
    engine: Engine
    user: User
    now: float
    fmt: Format
    puppetdb_down: bool = False
    pcp_broker_down: bool = False


def iso(t: float | None, millis: bool = False) -> str | None:
    """ISO-8601 UTC, whole seconds as PE prints job times (milliseconds for inventory)."""
    if t is None:
        return None
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t))
    return f"{text}.{int(t * 1000) % 1000:03d}Z" if millis else text + "Z"


def parse_iso(text: str) -> float:
    """Seconds since the epoch for an ISO-8601 time, `Z` or with a UTC offset (`+02:00`, as
    scheduled jobs' `start_time` may carry); ValueError if it is not one."""
    text = text.strip()
    offset = 0
    if text.endswith("Z"):
        text = text[:-1]
    elif len(text) > 19 and text[-6] in "+-" and text[-3] == ":":
        sign = -1 if text[-6] == "-" else 1
        offset = sign * (int(text[-5:-3]) * 3600 + int(text[-2:]) * 60)
        text = text[:-6]
    base, _, fraction = text.partition(".")
    for fmt in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            parsed = time.strptime(base, fmt)
        except ValueError:
            continue
        seconds = calendar.timegm(parsed) - offset
        return seconds + (float("0." + fraction) if fraction.isdigit() else 0.0)
    raise ValueError(f"not an ISO-8601 time: {text!r}")
