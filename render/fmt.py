"""Small formatting helpers for templates: durations, plurals, progress bars. Pure functions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any


def duration(seconds: float | None) -> str:
    """`42s`, `3m 05s`, `2h 01m`: like the PE CLI's `Duration:` line, but shorter."""
    if seconds is None:
        return "?"
    total = max(0, int(round(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def every(seconds: int) -> str:
    """`1d`, `2h`, `1h30m`, `90s`: an interval as --every takes it."""
    parts, rest = [], int(seconds)
    for unit, size in (("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)):
        if rest >= size:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    return "".join(parts) or "0s"


def slack_date(epoch: float | None) -> str:
    """A time each reader sees in their own zone (Slack's `<!date>`), then the same in UTC."""
    if epoch is None:
        return "?"
    utc = datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(epoch)}^{{date_short_pretty}} at {{time}}|{utc}> ({utc})"


def progress_bar(done: int, total: int, width: int = 20) -> str:
    if total <= 0:
        return "░" * width
    filled = min(width, round(width * done / total))
    return "█" * filled + "░" * (width - filled)


def clock(epoch: float | None) -> str:
    """`14:05 UTC`: the time of day of a decision or a start."""
    if epoch is None:
        return "?"
    return datetime.fromtimestamp(epoch, UTC).strftime("%H:%M UTC")


def compact_json(value: Any, limit: int = 600) -> str:
    text = json.dumps(value, sort_keys=True, separators=(", ", ": "), default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
