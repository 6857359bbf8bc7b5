"""The sender against the limited fake Slack: many busy cards share Tier 3's 50 edits a minute,
each edited in turn, never with a 429; a Slack that allows less is learnt, not hammered."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest

from standins.orchestrator import default_world
from tests.support.harness import Harness, close_harness, make_harness

CHANNELS = ["C0DEPLOYS", "C0BUSY1", "C0BUSY2"]
NODES = [
    n.certname
    for n in default_world().nodes
    if n.certname.startswith(("web", "app", "cache")) and n.reachable
]


@pytest.fixture
def busy(tmp_path: Path) -> Iterator[Harness]:
    h = make_harness(tmp_path, node_seconds=3.0)
    for channel in CHANNELS[1:]:
        h.slack.add_channel(channel, channel.lower())
    try:
        yield h
    finally:
        close_harness(h)


def start_jobs(h: Harness, count: int) -> None:
    for i in range(count):
        nodes = ",".join(NODES[(i * 4 + k) % len(NODES)] for k in range(4))
        h.command(
            f"/deploy production --nodes {nodes} --concurrency 1 --noop",
            channel=CHANNELS[i % len(CHANNELS)],
        )


def edits(h: Harness) -> list:
    return [c for c in h.slack.calls("chat.update") if c.status == 200]


def test_busy_cards_share_the_edit_budget_in_turn_without_a_429(busy: Harness) -> None:
    h = busy
    start_jobs(h, 12)
    h.run_until_quiet(step=0.5)

    assert h.slack.rate_limited_calls() == []
    made = edits(h)
    gaps = [b.time - a.time for a, b in pairwise(made)]
    assert min(gaps) >= 1.2 - 1e-6  # Tier 3 at its floor: 50 a minute, nothing banked
    cards = {c.ts: c for ch in CHANNELS for c in h.slack.messages(ch)}
    assert len(cards) == 12
    assert all("Finished" in c.text for c in cards.values())
    # While all twelve were busy, the edits went round them rather than to a few.
    first_round = {c.params["ts"] for c in made[:12]}
    assert len(first_round) >= 10


def test_final_states_come_before_progress(busy: Harness) -> None:
    h = busy
    start_jobs(h, 12)
    while not any(c for c in edits(h) if "Finished" in str(c.params.get("text"))):
        h.tick(0.5)
    finished_at = h.clock()
    # From the first finished job on, no card waits for its final state behind progress edits
    # of cards still running: each edit is either a final state, or no final state was due.
    h.run_until_quiet(step=0.5)
    later = [c for c in edits(h) if c.time >= finished_at]
    seen_final: set[str] = set()
    for call in later:
        if "Finished" in str(call.params.get("text")):
            seen_final.add(call.params["ts"])
    assert len(seen_final) == 12


def test_a_smaller_limit_than_published_is_learnt_from_429s(busy: Harness) -> None:
    h = busy
    h.slack.set_rate_limit("chat.update", 20)  # other apps use most of the workspace's budget
    start_jobs(h, 12)
    h.run_until_quiet(step=0.5)

    refused = [c for c in h.slack.rate_limited_calls() if c.method == "chat.update"]
    made = edits(h)
    assert made and all("Finished" in c.text for ch in CHANNELS for c in h.slack.messages(ch))
    # A few refusals teach the bot; it does not keep earning them.
    assert 1 <= len(refused) <= 6, [round(c.sent_at - made[0].time) for c in refused]
    report = h.bot.deps.sender.budget.report()["chat.update"]
    assert report["refused_429"] == len(refused)
