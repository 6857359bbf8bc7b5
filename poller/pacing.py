"""How often a job is polled, and how often its thread is spoken in."""

from __future__ import annotations

from collections.abc import Sequence
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
    # However far behind Slack is, a job is polled at least this often (or each interval, if
    # that is longer): its end is never found much later than the interval promises.
    stretch_max: float = 10.0


def next_poll(
    job: JobRow, now: float, pacing: Pacing, *, started: bool, behind: float = 0.0
) -> float:
    """A young job is polled fast until it shows its first events: that first sign of life is
    what people watch for. After it, one poll an interval (measured: a fifth fewer requests).

    `behind` is how long Slack needs to take the posts already waiting. What a poll finds now
    reaches the channel no sooner than that, so while it is longer than the interval the job is
    polled that often instead, up to `stretch_max`: the same news, fewer requests to PE and less
    CPU (bench/: 500 jobs). A card's edit still shows fresh news, as its job is polled just
    before its turn (delivery/edits.py), and a stop is polled at once (flows/launch.py)."""
    young = now - job.created_at < pacing.fast_window and not started
    if young:
        return now + min(pacing.fast_interval, pacing.interval)
    stretched = min(behind, max(pacing.stretch_max, pacing.interval))
    return now + max(pacing.interval, stretched)


# Before any poll has been timed: enough for a PE answering within a few hundred milliseconds.
DEFAULT_LEAD = 0.3
MIN_LEAD = 0.1
MAX_LEAD = 2.0


def lead_time(durations: Sequence[float]) -> float:
    """How long before a card's edit its job's poll should start, so that the poll has landed
    when the card is rendered: twice the 90th percentile of recent polls (from falling due to
    recorded), plus 20 ms, and 0.1 s at least. Erring long costs the edit the news of those
    moments; erring short costs it everything since the job's last regular poll."""
    if not durations:
        return DEFAULT_LEAD
    ordered = sorted(durations)
    p90 = ordered[int(0.9 * (len(ordered) - 1))]
    return min(MAX_LEAD, max(MIN_LEAD, 2 * p90 + 0.02))
