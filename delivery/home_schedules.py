"""A person's schedules for their Home tab: those they asked for through the bot that PE may
still run (store.schedules, state `enabled`), each with its next run and interval.

The next run is worked out from the schedule's start and interval as PE repeats it (every N
seconds from the start), so the tab needs no call to PE; a one-off whose start has passed has
no next run (its run is due or done, and it leaves the tab when the bot sees it end). A
schedule cancelled, disabled by the policy or ended leaves the tab at the next pass, since
HomeTabs builds each tab from the store every time.
"""

from __future__ import annotations

import math

from sqlite_utils import Database

from orchestrator.requests import ScheduleRequest
from orchestrator.schedule_input import interval_of, start_of
from render.fmt import every
from render.home import ScheduleLine
from store import schedules
from store.schedules import ScheduleRow


def next_run(start: float | None, interval: int | None, now: float) -> float | None:
    """The first run at or after `now`: the start while it is ahead, then start + k * interval;
    None for a one-off whose start has passed (or a start that cannot be read)."""
    if start is None:
        return None
    if start >= now:
        return start
    if not interval:
        return None
    return start + math.ceil((now - start) / interval) * interval


def schedule_lines(db: Database, user: str, now: float) -> list[ScheduleLine]:
    """The person's enabled schedules, soonest next run first (those with none last)."""
    lines = [_line(row, asked, now) for row, asked in schedules.enabled_by(db, user)]
    return sorted(lines, key=lambda s: (s.next_at is None, s.next_at or 0.0))


def _line(row: ScheduleRow, asked: str | None, now: float) -> ScheduleLine:
    typed = ScheduleRequest.from_body(row.body)
    start, interval = start_of(typed), interval_of(typed)
    text = asked or str(row.body.get("description") or row.name)
    return ScheduleLine(
        id=row.name,
        text=text,
        channel_id=row.channel_id,
        next_at=next_run(start.timestamp() if start else None, interval, now),
        every=every(interval) if interval else None,
    )
