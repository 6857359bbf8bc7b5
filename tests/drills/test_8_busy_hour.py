"""Drill 8: a busy hour against a fake Slack that enforces Slack's published rate limits.

Twenty jobs of fifty nodes each run at once in five channels, every card changing all the time:
far more than Tier 3's 50 edits a minute can show one by one. The bot must earn no 429, post
every summary, and bring every card to its final state; what people wait for is printed beside
the floor the limits allow (max(10 s, 1.2 s × the cards changing at once)).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from standins.orchestrator import Simulator, serve, world_from_dict
from standins.slack import FakeSlack
from tests.drills.support import (
    Drill,
    cards,
    duplicates,
    percentile,
    posted_keys,
    running_bot,
    summaries,
    text_of,
)

pytestmark = pytest.mark.drill

JOBS = 20
NODES = 50
CHANNELS = [f"C0BUSY{i}" for i in range(5)]
GROUP = "11111111-2222-4333-8444-555555555555"
# Fifty generated nodes (one in twenty fails, one in fifty is not connected), in one node group:
# the shape of the benchmark's world (bench/stage.py), small enough for a drill.
WORLD = {
    "environments": ["production"],
    "generate": {
        "pattern": "busy{n:03d}.example.com",
        "count": NODES,
        "failed_every": 20,
        "unreachable_every": 50,
        "changed_every": 3,
        "environment": "production",
    },
    "node_groups": [{"id": GROUP, "name": "Busy", "rules": True, "nodes": ["busy*"]}],
}
FINAL = ("Finished", "Succeeded", "Failed", "Stopped")


def is_final(text: str) -> bool:
    return any(f": {word}" in text for word in FINAL)


@pytest.mark.timeout(300)
def test_a_busy_hour_earns_no_429_and_every_job_gets_its_summary_and_final_card(
    drill_dir: Path, slack: FakeSlack
) -> None:
    for i, channel in enumerate(CHANNELS):
        slack.add_channel(channel, f"busy-hour-{i}")
    sim = Simulator(world_from_dict(WORLD), node_seconds=2.0)
    with (
        Drill("8. a busy hour against Slack's rate limits") as drill,
        serve(sim) as orchestrator,
        running_bot(drill_dir, slack, orchestrator.url, extra_env={"POLL_INTERVAL": "2"}) as bot,
    ):
        drill.tried(
            f"{JOBS} concurrent jobs × {NODES} nodes (job concurrency 10, node runs of 2 s × "
            f"their factor) in {len(CHANNELS)} channels, POLL_INTERVAL=2, against the fake's "
            "enforced limits (chat.update 50 a minute, chat.postMessage 1 a second a channel)"
        )
        started = time.monotonic()

        def launch(i: int) -> int:
            channel = CHANNELS[i % len(CHANNELS)]
            url = slack.new_response_url(channel=channel, user="U0ALICE")
            text = f"/deploy production --node-group {GROUP} --concurrency 10 --noop"
            return bot.command(text, response_url=url, channel=channel).status_code

        with ThreadPoolExecutor(max_workers=JOBS) as pool:
            assert set(pool.map(launch, range(JOBS))) == {200}

        def settled(f: FakeSlack) -> bool:
            found = cards(f, CHANNELS)
            return (
                len(found) == JOBS
                and all(summaries(f, CHANNELS).values())
                and all(is_final(text_of(c)) for c in found)
            )

        slack.wait_for(settled, timeout=240, interval=0.5, description="every summary and card")
        took = time.monotonic() - started
        time.sleep(2.0)  # anything doubled would arrive now

        calls = slack.calls()
        refused = [c for c in calls if c.status == 429]
        found = summaries(slack, CHANNELS)
        keys = posted_keys(slack)
        edits = [c.time for c in calls if c.method == "chat.update" and c.status == 200]
        gaps = [b - a for a, b in zip(edits, edits[1:], strict=False)]
        ends = {str(e["job_id"]): e["time"] for e in sim.event_log() if e["type"] == "job_finished"}
        health = bot.health()["slack"]
        drill.found(
            f"{len(calls)} Slack calls in {took:.0f}s: {len(edits)} card edits (closest two "
            f"{min(gaps, default=0):.2f}s apart), "
            f"{sum(c.method == 'chat.postMessage' and c.status == 200 for c in calls)} posts; "
            f"{len(refused)} answered 429"
        )
        drill.found(
            f"{len(found)} cards, summaries per card {sorted({len(s) for s in found.values()})}; "
            f"{len(keys)} posts, {len(set(keys))} distinct keys; last job ended "
            f"{max(ends.values()) - min(ends.values()):.0f}s after the first; /health: "
            f"chat.update {health['calls']['chat.update']['calls_last_minute']}/"
            f"{health['calls']['chat.update']['limit_per_minute']:g} a minute"
        )
        drill.note(
            f"card edits {percentile(gaps, 50):.2f}s apart (median), Tier 3's floor being 1.2 s"
        )
        drill.check(not refused, "zero 429s", [(c.method, c.time) for c in refused[:5]])
        drill.check(
            len(found) == JOBS and all(len(s) == 1 for s in found.values()),
            "every job has its card and exactly one summary",
            {k: len(v) for k, v in found.items()},
        )
        drill.check(
            all(is_final(text_of(c)) for c in cards(slack, CHANNELS)),
            "every card shows its job's final state",
            [text_of(c)[:80] for c in cards(slack, CHANNELS) if not is_final(text_of(c))][:3],
        )
        drill.check(not duplicates(keys), "nothing posted twice", duplicates(keys)[:3])
        drill.check(
            min(gaps, default=1.2) >= 1.2 - 1e-3,
            "card edits never closer than Tier 3 allows",
            min(gaps, default=None),
        )
