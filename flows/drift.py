"""PE repeats a schedule every N seconds whatever the clocks do: a daily run moves by an hour in
local time when daylight saving starts or ends. Said where it matters. Pure."""

from __future__ import annotations

from commands.when import dst_drift, zone_named
from orchestrator.requests import ScheduleRequest
from orchestrator.schedule_input import interval_of, start_of

DAILY = 86_400


def drift_note(request: ScheduleRequest) -> str | None:
    """A sentence when a repeating schedule's runs move in local time at a daylight-saving
    change within its first year; None when they do not (or it does not repeat daily+)."""
    interval, start = interval_of(request), start_of(request)
    if interval is None or start is None or interval < DAILY:
        return None
    zone_name = str((request.userdata or {}).get("chatops_tz") or "UTC")
    drift = dst_drift(start, interval, zone_named(zone_name))
    if drift is None:
        return None
    hours = abs(drift.shift.total_seconds()) / 3600
    return (
        f"PE repeats it every {interval} seconds whatever the clocks do: after "
        f"{drift.change:%Y-%m-%d} its runs move from {drift.before:%H:%M} to "
        f"{drift.after:%H:%M} {zone_name} time ({hours:g} h, daylight saving)."
    )
