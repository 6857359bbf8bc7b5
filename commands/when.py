"""`--at`, `--in` and `--every` values → when a scheduled run starts and how often. Pure.

Times (`--at`): ISO 8601 with an offset (`2025-06-02T09:00:00+02:00`, `…Z`), or a wall-clock
time in the requester's IANA time zone (Slack's `tz`): `09:00`, `9am`, `today 17:30`,
`tomorrow 09:00`, `monday 09:00`, `mon 9:00` (the next time it is that day and hour; the day
word may come first or last, joined by a space or `@`). Durations (`--in`, `--every`): `90s`,
`30m`, `2h`, `1d`, `1w` and combinations such as `1h30m`; `--every` also takes `hourly`,
`daily` and `weekly`. `--every` alone starts one interval from now.

The current time is always passed in. PE repeats a schedule every N seconds, whatever the
clocks do, so a daily run moves by an hour in local time when daylight saving starts or ends:
`dst_drift()` says when that happens so a message can warn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from commands.grammar import q
from commands.intents import UsageError

USAGE = "--at <time> | --in <duration>, and/or --every <interval>"
MIN_INTERVAL = 60  # seconds: a schedule firing more often than this floods the orchestrator
MAX_AHEAD = timedelta(days=366)  # further than this is a typo, not a plan
_TIME_HINT = "Write a time like 09:00, tomorrow 09:00, monday 09:00 or 2025-06-02T09:00:00+02:00."
_DURATION_HINT = "Write a duration like 90s, 30m, 2h, 1d or 1h30m."
_UNITS = {"w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1}
_DURATION = re.compile(
    r"(?:(\d{1,7})w)?(?:(\d{1,7})d)?(?:(\d{1,7})h)?(?:(\d{1,7})m)?(?:(\d{1,7})s)?"
)
_EVERY_WORDS = {"hourly": 3_600, "daily": 86_400, "weekly": 604_800}
_CLOCK = re.compile(r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)?")
_ISO_START = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_WEEKDAYS = {
    **{d: i for i, d in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{d: i for i, d in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday"))},
    **{"saturday": 5, "sunday": 6, "tues": 1, "thur": 3, "thurs": 3},
}


@dataclass(frozen=True)
class When:
    """When a scheduled run starts (aware, UTC) and the seconds between runs (None: once)."""

    start: datetime
    interval: int | None = None

    @property
    def repeats(self) -> bool:
        return self.interval is not None


@dataclass(frozen=True)
class DstDrift:
    """A repeating schedule meets a change of the zone's UTC offset: its runs move in local time
    by `-shift` (a daily 09:00 run becomes 08:00 when the clocks go back an hour)."""

    change: datetime  # the UTC instant the offset changes
    shift: timedelta  # offset after minus offset before (+1h when the clocks go forward)
    before: datetime  # the last run before the change, in local time
    after: datetime  # the first run after it, in local time


def zone_named(name: str | None) -> tzinfo:
    """The IANA zone Slack gave for a person (`users.info` → `user.tz`); UTC when it is
    missing or unknown, so a time is never read in a zone that does not exist."""
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _error(message: str, command: str) -> UsageError:
    return UsageError(message, command=command, usage=USAGE)


def _zone_label(zone: tzinfo) -> str:
    return getattr(zone, "key", None) or str(zone)


def parse_duration(text: str, *, flag: str = "--in", command: str = "schedule") -> int:
    """`90s`, `30m`, `2h`, `1d`, `1w`, `1h30m` → seconds (a positive whole number)."""
    compact = re.sub(r"\s+", "", text or "").lower()
    found = _DURATION.fullmatch(compact)
    if not compact or found is None or not any(found.groups()):
        bare = compact.isdigit()
        hint = f" Add a unit: {compact}s, {compact}m or {compact}h." if bare else ""
        raise _error(f"{flag} {q(text)} is not a duration.{hint} {_DURATION_HINT}", command)
    seconds = sum(
        int(n) * size for n, size in zip(found.groups(), _UNITS.values(), strict=True) if n
    )
    if seconds <= 0:
        raise _error(f"{flag} {q(text)} is no time at all. {_DURATION_HINT}", command)
    if seconds > MAX_AHEAD.total_seconds():
        raise _error(f"{flag} {q(text)} is more than a year. {_DURATION_HINT}", command)
    return seconds


def parse_interval(text: str, *, command: str = "schedule", minimum: int = MIN_INTERVAL) -> int:
    """`--every`: a duration or `hourly`/`daily`/`weekly` → seconds, at least `minimum`."""
    word = (text or "").strip().lower()
    seconds = _EVERY_WORDS.get(word) or parse_duration(text, flag="--every", command=command)
    if seconds < minimum:
        raise _error(
            f"--every {q(text)} is too often: repeat at most every {minimum} seconds "
            f"(--every {minimum // 60}m).",
            command,
        )
    return seconds


def _wall_clock(text: str) -> time | None:
    found = _CLOCK.fullmatch(text)
    if found is None:
        return None
    hour, minute, half = int(found.group(1)), int(found.group(2) or 0), found.group(3)
    if found.group(2) is None and half is None:
        return None  # a bare number is not a time
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _local(day: date, clock: time, zone: tzinfo, command: str) -> datetime:
    """That wall-clock time on that day in `zone`; a time the clocks skip is refused. A time
    that happens twice (the clocks go back) is its first occurrence."""
    moment = datetime.combine(day, clock, tzinfo=zone)
    back = moment.astimezone(UTC).astimezone(zone)
    if back.replace(tzinfo=None) != moment.replace(tzinfo=None):
        raise _error(
            f"{clock:%H:%M} does not exist on {day:%Y-%m-%d} in {_zone_label(zone)}: the clocks "
            "go forward then. Pick a time an hour later.",
            command,
        )
    return moment


def _iso(text: str, command: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.upper() if text[-1:] in "zZ" else text)
    except ValueError as exc:
        raise _error(
            f"--at {q(text)} is not a date and time ({exc}). {_TIME_HINT}", command
        ) from exc
    if moment.tzinfo is None:
        raise _error(
            f"--at {q(text)} has no UTC offset. Add one (…T09:00:00+02:00 or …T07:00:00Z), "
            "or write just 09:00 for your own time zone.",
            command,
        )
    return moment


def _split_day(text: str) -> tuple[str | None, str]:
    parts = [p for p in re.split(r"[\s@]+", text) if p]
    if len(parts) == 2 and _wall_clock(parts[0]) is not None:
        parts.reverse()  # `09:00 tomorrow`
    if len(parts) == 1:
        return None, parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    return "?", text


def parse_at(text: str, *, now: datetime, zone: tzinfo, command: str = "schedule") -> datetime:
    """`--at` → an aware UTC datetime after `now` (UsageError otherwise, saying how to fix it)."""
    raw = (text or "").strip()
    lower = raw.lower()
    if _ISO_START.match(lower):
        moment = _iso(raw, command)
    else:
        day_word, clock_text = _split_day(lower)
        clock = _wall_clock(clock_text)
        if clock is None or not (day_word is None or day_word in ("today", "tomorrow", *_WEEKDAYS)):
            raise _error(f"--at {q(raw)} is not a time I can read. {_TIME_HINT}", command)
        today = now.astimezone(zone).date()
        if day_word in (None, "today", "tomorrow"):
            day = today + timedelta(days=1 if day_word == "tomorrow" else 0)
            moment = _local(day, clock, zone, command)
            if moment <= now:
                local_now = now.astimezone(zone)
                raise _error(
                    f"--at {q(raw)}: {clock:%H:%M} today has passed (it is {local_now:%H:%M} "
                    f"in {_zone_label(zone)}). Write tomorrow {clock:%H:%M}, or a later time.",
                    command,
                )
        else:
            ahead = (_WEEKDAYS[day_word] - today.weekday()) % 7
            moment = _local(today + timedelta(days=ahead), clock, zone, command)
            if moment <= now:  # that day is today and the hour has passed: next week
                moment = _local(today + timedelta(days=ahead + 7), clock, zone, command)
    return _future(moment, raw, now, command)


def _future(moment: datetime, raw: str, now: datetime, command: str) -> datetime:
    start = moment.astimezone(UTC)
    if start <= now:
        raise _error(
            f"--at {q(raw)} is in the past (it is now {now.astimezone(UTC):%Y-%m-%d %H:%M} "
            "UTC). Give a time ahead of now.",
            command,
        )
    if start - now > MAX_AHEAD:
        raise _error(f"--at {q(raw)} is more than a year ahead. {_TIME_HINT}", command)
    return start


def parse_when(
    *,
    at: str | None = None,
    in_: str | None = None,
    every: str | None = None,
    now: datetime,
    zone: tzinfo,
    command: str = "schedule",
    minimum_interval: int = MIN_INTERVAL,
) -> When | None:
    """The three flags' values (None when not given) → When, or None to run now."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if at is not None and in_ is not None:
        raise _error("Give --at or --in, not both: --in 30m is short for --at <now+30m>.", command)
    interval = None
    if every is not None:
        interval = parse_interval(every, command=command, minimum=minimum_interval)
    if at is not None:
        start = parse_at(at, now=now, zone=zone, command=command)
    elif in_ is not None:
        start = now.astimezone(UTC) + timedelta(seconds=parse_duration(in_, command=command))
    elif interval is not None:
        start = now.astimezone(UTC) + timedelta(seconds=interval)
    else:
        return None
    return When(start=start, interval=interval)


def _offset(moment: datetime, zone: tzinfo) -> timedelta:
    return moment.astimezone(zone).utcoffset() or timedelta(0)


def _changes(start: datetime, end: datetime, zone: tzinfo) -> list[datetime]:
    """Instants in (start, end] where the zone's UTC offset changes, to the second (sampled
    daily, then halved down: real zones change at most a few times a year)."""

    def offset_at(second: int) -> timedelta:
        return _offset(datetime.fromtimestamp(second, UTC), zone)

    found: list[datetime] = []
    low, end_s = int(start.timestamp()), int(end.timestamp())
    while low < end_s:
        high = min(low + 86_400, end_s)
        if offset_at(low) != offset_at(high):
            a, b = low, high
            while b - a > 1:
                mid = (a + b) // 2
                a, b = (mid, b) if offset_at(mid) == offset_at(a) else (a, mid)
            found.append(datetime.fromtimestamp(b, UTC))
        low = high
    return found


def dst_drift(
    start: datetime, interval: int, zone: tzinfo, *, horizon: timedelta = MAX_AHEAD
) -> DstDrift | None:
    """The first change of the zone's UTC offset within `horizon` of `start` that moves the
    runs of a schedule repeating every `interval` seconds in local time; None when there is
    none, or when the interval is no longer than the shift (an hourly run stays hourly)."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    begin = start.astimezone(UTC)
    for change in _changes(begin, begin + horizon, zone):
        shift = _offset(change, zone) - _offset(change - timedelta(seconds=1), zone)
        if interval <= abs(shift.total_seconds()):
            continue
        runs = -(-(change - begin) // timedelta(seconds=interval))  # runs strictly before it
        after = begin + timedelta(seconds=interval * runs)
        before = after - timedelta(seconds=interval)
        return DstDrift(
            change=change,
            shift=shift,
            before=before.astimezone(zone),
            after=after.astimezone(zone),
        )
    return None
