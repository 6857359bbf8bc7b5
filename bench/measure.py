"""Pure helpers for the benchmarks: percentiles, event-to-update delays, a process sampler."""

from __future__ import annotations

import bisect
import re
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

DONE = re.compile(r"\((\d+)/(\d+) nodes done\)")
NODE_END = frozenset({"node_finished", "node_failed", "node_errored", "node_skipped"})


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) by nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(q / 100 * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def done_count(text: str) -> int | None:
    match = DONE.search(text or "")
    return int(match[1]) if match else None


def end_times(events: Iterable[Mapping[str, Any]]) -> dict[str, list[float]]:
    """Per job, the times its nodes ended, in order: the i-th is when i nodes were done."""
    out: dict[str, list[float]] = defaultdict(list)
    for event in events:
        if event["type"] in NODE_END and event["scope"] == "job":
            out[str(event["job_id"])].append(float(event["time"]))
    for times in out.values():
        times.sort()
    return out


def delays(
    ends: Mapping[str, list[float]], updates: Mapping[str, list[tuple[float, int]]]
) -> list[float]:
    """For each node end, the wait until a card update first showed at least that many done.

    `updates[job]` holds (time, done count shown) for every edit of that job's card.
    """
    found: list[float] = []
    for job, times in ends.items():
        shown = sorted(updates.get(job, ()))
        for i, at in enumerate(times, start=1):
            start = bisect.bisect_left(shown, (at, -1))
            match = next((t for t, done in shown[start:] if done >= i), None)
            if match is not None:
                found.append(match - at)
    return found


@dataclass
class Sampler:
    """Samples a process's CPU time and RSS while a benchmark runs."""

    pid: int
    every: float = 0.5
    peak_rss: int = 0
    _cpu_start: float = 0.0
    _wall_start: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    # (wall-clock time, CPU seconds so far): the share over any part of the run
    samples: list[tuple[float, float]] = field(default_factory=list)

    def __enter__(self) -> Sampler:
        import psutil

        self._proc = psutil.Process(self.pid)
        times = self._proc.cpu_times()
        self._cpu_start = times.user + times.system
        self._wall_start = time.monotonic()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.peak_rss = max(self.peak_rss, self._proc.memory_info().rss)
                times = self._proc.cpu_times()
                self.samples.append((time.time(), times.user + times.system - self._cpu_start))
            except Exception:
                return

    def __exit__(self, *exc: Any) -> None:
        times = self._proc.cpu_times()
        self.cpu = times.user + times.system - self._cpu_start
        self.wall = time.monotonic() - self._wall_start
        self.peak_rss = max(self.peak_rss, self._proc.memory_info().rss)
        self._stop.set()

    @property
    def cpu_share(self) -> float:
        """Cores used on average: 0.5 means half a core."""
        return self.cpu / self.wall if self.wall else 0.0


def share_until(samples: Sequence[tuple[float, float]], until: float) -> float:
    """Cores used on average from the first sample to `until` (a wall-clock time)."""
    return share_between(samples, 0.0, until)


def share_between(samples: Sequence[tuple[float, float]], start: float, until: float) -> float:
    """Cores used on average between two wall-clock times, from the samples within them."""
    within = [s for s in samples if start <= s[0] <= until]
    if len(within) < 2:
        return 0.0
    (t0, c0), (t1, c1) = within[0], within[-1]
    return (c1 - c0) / (t1 - t0) if t1 > t0 else 0.0


FINAL = re.compile(
    r": (Finished with failures|Finished|Succeeded|Failed|Stopped|No longer known)\b"
)


def outbox_key(call: Mapping[str, Any]) -> str:
    """The outbox key a post carries in its metadata ('' for anything else)."""
    meta = call.get("params", {}).get("metadata") or {}
    return str((meta.get("event_payload") or {}).get("key", ""))


def job_ends(events: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """Per job, when the orchestrator finished it."""
    return {
        str(e["job_id"]): float(e["time"])
        for e in events
        if e["type"] == "job_finished" and e["scope"] == "job"
    }


def job_spans(events: Iterable[Mapping[str, Any]]) -> dict[str, tuple[float, float]]:
    """Per job, from its first node event to its end: while its card is changing."""
    first: dict[str, float] = {}
    ends = {}
    for event in events:
        if event["scope"] != "job":
            continue
        job, at = str(event["job_id"]), float(event["time"])
        if event["type"] in NODE_END or event["type"] == "node_running":
            first[job] = min(first.get(job, at), at)
        if event["type"] == "job_finished":
            ends[job] = at
    return {job: (start, ends[job]) for job, start in first.items() if job in ends}


def changing_at(spans: Mapping[str, tuple[float, float]], at: float) -> int:
    """How many cards were changing at one moment: jobs between first node event and end."""
    return sum(start <= at <= end for start, end in spans.values())


@dataclass
class SlackRecord:
    """What the fake Slack saw, read per job from its calls (card key `job:N/card`)."""

    cards: dict[str, int] = field(default_factory=dict)  # posts accepted per job card
    summaries: dict[str, list[float]] = field(default_factory=dict)  # accepted, per job
    final_at: dict[str, float] = field(default_factory=dict)  # card first showed final state
    keys: list[str] = field(default_factory=list)  # every accepted post's outbox key
    refused: int = 0  # 429s, any method

    @classmethod
    def read(cls, calls: Iterable[Mapping[str, Any]], card_of: Mapping[str, str]) -> SlackRecord:
        job_of = {ts: job for job, ts in card_of.items()}
        out = cls()
        for call in calls:
            if call["status"] == 429:
                out.refused += 1
            if call["status"] != 200:
                continue
            params, method = call["params"], call["method"]
            key = outbox_key(call)
            job = None
            if method == "chat.postMessage" and key:
                out.keys.append(key)
                name = key.split("/", 1)[0].removeprefix("job:")
                if key.endswith("/card"):
                    out.cards[name] = out.cards.get(name, 0) + 1
                    job = name
                elif key.endswith("/finished"):
                    out.summaries.setdefault(name, []).append(float(call["time"]))
            elif method == "chat.update":
                job = job_of.get(str(params.get("ts")))
            if job is not None and FINAL.search(str(params.get("text", ""))):
                out.final_at.setdefault(job, float(call["time"]))
        return out


EDITS_PER_MINUTE = 50  # chat.update, Tier 3: the floor the budget bound is counted in


def delivery(events: list[dict], record: SlackRecord, names: list[str]) -> dict[str, Any]:
    """Did every job get one card, one summary and its final state, and how fast: the figures
    the rate limits bear on."""
    finished = {j: t for j, t in job_ends(events).items() if j in names}
    last_end = max(finished.values(), default=0.0)
    final = [record.final_at.get(j) for j in names]
    not_final = sum(t is None or t > last_end for t in final)
    tail = max((t for t in final if t is not None), default=last_end) - last_end
    summaries = [record.summaries[j][0] - finished[j] for j in names if record.summaries.get(j)]
    spans = {j: s for j, s in job_spans(events).items() if j in names}
    changing = _peak(spans)
    return {
        "slack_429s": record.refused,
        "cards_once": sum(record.cards.get(j) == 1 for j in names),
        "summaries_once": sum(len(record.summaries.get(j, ())) == 1 for j in names),
        "keys_doubled": len(record.keys) - len(set(record.keys)),
        "cards_final": sum(t is not None for t in final),
        "not_final_at_last_end": not_final,
        "final_tail_s": max(0.0, tail),
        "final_bound_s": not_final / EDITS_PER_MINUTE * 60,
        "summary_p50_s": percentile(summaries, 50),
        "summary_p99_s": percentile(summaries, 99),
        "changing_at_once": changing,
        "update_bound_s": max(10.0, 60 / EDITS_PER_MINUTE * changing),
    }


def _peak(spans: dict[str, tuple[float, float]]) -> int:
    """The most cards changing at the same moment."""
    edges = sorted([(s, 1) for s, _ in spans.values()] + [(e, -1) for _, e in spans.values()])
    peak = now = 0
    for _, step in edges:
        now += step
        peak = max(peak, now)
    return peak
