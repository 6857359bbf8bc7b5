"""Approval expiry as people write it ("90s", "30m", "1h30m") and as they read it."""

from __future__ import annotations

import math
import re

_UNITS = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}
_PART = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([dhms])", re.IGNORECASE)
_WHOLE = re.compile(r"(?:\s*\d+(?:\.\d+)?\s*[dhms])+\s*", re.IGNORECASE)
_NAMES = (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))


def parse_duration(value: object) -> float:
    """Seconds from "30m", "2h", "1h30m", "90s", "1d" or a number of seconds; ValueError if not."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f'must be a duration such as "30m" or a number of seconds, not {value!r}')
    if isinstance(value, str):
        if not _WHOLE.fullmatch(value):
            raise ValueError(
                f'"{value}" is not a duration; write it like "90s", "30m", "2h" or "1h30m"'
            )
        parts = _PART.finditer(value)
        seconds = sum(float(p.group(1)) * _UNITS[p.group(2).lower()] for p in parts)
    else:
        seconds = float(value)
    if not seconds > 0:
        raise ValueError(f"must be positive (it is {value!r}); an approval needs time to happen")
    if not math.isfinite(seconds):
        raise ValueError("must be finite: an approval that never expires is never cleaned up")
    return seconds


def format_duration(seconds: float) -> str:
    """1800 → "30 minutes", 5400 → "1 hour 30 minutes", 90 → "1 minute 30 seconds"."""
    remaining = round(seconds)
    if remaining <= 0:
        return f"{seconds:g} seconds"
    parts = []
    for name, size in _NAMES:
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count} {name}{'' if count == 1 else 's'}")
    return " ".join(parts)
