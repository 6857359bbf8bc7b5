"""Reading values the way real PE sends them: strings or numbers, odd timestamps, keys left out.

Lenient where PE varies (ids as `"81"` or `81`, `duration` as `"256.0"` or `256.0`, timestamps
with offsets, nine-digit fractions or typos like `2016-010-22`), strict where the bot cannot do
without a value: `need()` raises UnexpectedShape naming what is missing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TypeVar

from orchestrator.errors import UnexpectedShape

T = TypeVar("T")

_LOOSE_TIME = re.compile(
    r"^\s*(\d{4})-(\d{1,3})-(\d{1,3})[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2}))?"
    r"(?:[.,](\d+))?\s*(Z|z|[+-]\d{2}:?\d{2})?\s*$"
)


def ident(value: Any) -> str:
    """An id as PE sends it, `"81"` or `81`, as a string."""
    if value is None or isinstance(value, (bool, dict, list)):
        raise UnexpectedShape(f"not an id: {value!r}")
    text = str(value).strip()
    if not text:
        raise UnexpectedShape("an empty id")
    return text


def optional_int(value: Any) -> int | None:
    """An event id (`"1272"` or `1272`), or None when PE left it out or sent something else."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def count(value: Any) -> int:
    """A count PE sends as `2`, `"2"`, `2.0` or null (0)."""
    if value is None or value == "" or isinstance(value, bool):
        return 0
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return 0


def number(value: Any) -> float | None:
    """A duration that PE sends as `"256.0"` or `256.0` or null."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def timestamp(value: Any) -> datetime | None:
    """An ISO-8601 time, read leniently; None when absent or unreadable (no decision rests on
    one: a job is finished because its state says so, never because of a timestamp)."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        parsed = _loose(text)
        if parsed is None:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _loose(text: str) -> datetime | None:
    match = _LOOSE_TIME.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        micros = int((fraction or "0")[:6].ljust(6, "0"))
        tz = UTC
        if zone and zone not in ("Z", "z"):
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            tz = timezone(sign * offset)
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            micros,
            tzinfo=tz,
        )
    except ValueError:
        return None


def text(value: Any) -> str:
    """A string field; numbers become text, null and objects become ``."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value)


def mapping(value: Any) -> Mapping[str, Any]:
    """An object field, or {} when PE left it out or sent null."""
    return value if isinstance(value, Mapping) else {}


def obj(data: Any, what: str) -> Mapping[str, Any]:
    """The body itself must be a JSON object."""
    if not isinstance(data, Mapping):
        raise UnexpectedShape(f"{what} is not a JSON object")
    return data


def need(data: Mapping[str, Any], key: str, what: str) -> Any:
    """A value the bot cannot do without; UnexpectedShape when it is missing or null."""
    value = data.get(key)
    if value is None or value == "":
        raise UnexpectedShape(f"{what} has no {key!r}")
    return value


def items(data: Mapping[str, Any], what: str) -> list[Any]:
    """The `items` list of a page: required, since an empty page is `[]`, never missing."""
    value = data.get("items")
    if not isinstance(value, list):
        raise UnexpectedShape(f"{what} has no 'items' list")
    return value


def name_of(data: Mapping[str, Any], what: str) -> str:
    """A job's `name`, or the last segment of its `id` URL when only that was sent."""
    if data.get("name") not in (None, ""):
        return ident(data["name"])
    url = data.get("id")
    if isinstance(url, str) and url.rstrip("/").rsplit("/", 1)[-1].isdigit():
        return url.rstrip("/").rsplit("/", 1)[-1]
    raise UnexpectedShape(f"{what} has no 'name'")


def shaped(parse: Callable[..., T], path: str, data: Any, *args: Any) -> T:
    """`parse(data)`, or UnexpectedShape placed at `path` with the whole body: a body that lacks
    what the bot needs is a named error, never a KeyError deep in a poll."""
    try:
        return parse(data, *args)
    except UnexpectedShape as exc:
        raise exc.at(path, data) from exc
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UnexpectedShape(f"{type(exc).__name__}: {exc}", path=path, body=data) from exc
