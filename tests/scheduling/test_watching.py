"""Watching jobs the bot did not start: /watch <id>, /watch plan <id>, /jobs with Watch
buttons, and environment subscriptions announcing exactly the outside jobs, once each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.harness import Harness, block_text, close_harness, make_harness

CHANNEL = "C0DEPLOYS"
WATCHERS = "C0WATCH"
NODE = {"nodes": ["web09.example.com"]}


@pytest.fixture
def h(tmp_path: Path) -> Iterator[Harness]:
    harness = make_harness(tmp_path, policy="defaults = true\n")
    try:
        yield harness
    finally:
        close_harness(harness)


def elsewhere(h: Harness, path: str, body: dict[str, Any], login: str = "alice") -> str:
    """A job started outside the bot, by another PE user (the simulator's admin API)."""
    with httpx.Client(transport=h.sim.transport(), base_url=f"http://sim/_sim/as/{login}") as c:
        reply = c.post(f"/orchestrator/v1/command/{path}", json=body)
    assert reply.status_code == 202, reply.text
    data = reply.json()
    return str((data.get("job") or data)["name"])


def cards(h: Harness, channel: str) -> list:
    """Status cards (top-level posts) in a channel only announcements post to."""
    return [
        m for m in h.slack.messages(channel) if "started outside the bot" in block_text(m.blocks)
    ]


def test_watch_a_job_started_outside_the_bot_to_its_summary(h: Harness) -> None:
    job = elsewhere(h, "deploy", {"environment": "development", "scope": NODE})
    h.command(f"/watch {job}")
    assert "Watching job" in h.last_response_text()
    h.run_until_quiet()
    (card,) = [m for m in h.slack.messages(CHANNEL) if f"job `{job}`" in block_text(m.blocks)]
    assert "started outside the bot by `alice`" in block_text(card.blocks)
    assert len(h.slack.thread(CHANNEL, card.ts)) > 1  # its summary
    h.command(f"/watch {job}")
    assert "already followed" in h.last_response_text()
    assert (
        len([m for m in h.slack.messages(CHANNEL) if f"job `{job}`" in block_text(m.blocks)]) == 1
    )


def test_watch_plan_and_an_unknown_job(h: Harness) -> None:
    plan = elsewhere(
        h,
        "plan_run",
        {"plan_name": "canary", "params": {"nodes": ["web09.example.com"], "command": "whoami"}},
    )
    h.command(f"/watch plan {plan}")
    assert "Watching plan job" in h.last_response_text()
    h.command("/watch 99999")
    assert "no such job" in h.last_response_text()


def test_jobs_lists_with_a_watch_button_that_watches(h: Harness) -> None:
    job = elsewhere(h, "deploy", {"environment": "development", "scope": NODE})
    h.command("/jobs -e development")
    response = h.responses()[-1]
    assert f"`{job}`" in block_text(response.blocks)
    assert any(
        e.get("action_id") == "job_watch" and e.get("value") == job
        for b in response.blocks if b["type"] == "actions" for e in b["elements"]
    )  # fmt: skip
    h.click("job_watch", job, user="U0BOB")
    assert h.store.db.execute("SELECT channel_id FROM jobs").fetchall()[0][0] == CHANNEL


def test_a_subscription_announces_outside_jobs_once_and_never_the_bots_own(h: Harness) -> None:
    h.slack.add_channel(WATCHERS, "watchers")
    h.command("/watch environment development", channel=WATCHERS)
    assert "now gets a card" in h.last_response_text()
    outside = [elsewhere(h, "deploy", {"environment": "development", "scope": NODE})]
    outside.append(
        elsewhere(h, "task", {"environment": "development", "task": "package",
                              "params": {"action": "status", "name": "x"}, "scope": NODE})
    )  # fmt: skip
    elsewhere(h, "deploy", {"environment": "production", "scope": {"nodes": ["web01.example.com"]}})
    h.command("/deploy development --nodes web09.example.com --noop")  # the bot's own
    h.command("/deploy development --nodes web09.example.com --noop --in 5s")  # its schedule
    for _ in range(4):
        h.tick(5)
    h.run_until_quiet()
    announced = h.store.db.execute(
        "SELECT name FROM jobs WHERE channel_id = ? ORDER BY name", [WATCHERS]
    ).fetchall()
    assert sorted(r[0] for r in announced) == sorted(outside)
    assert len(cards(h, WATCHERS)) == 2
    # Task output of someone else's job stays out of the channel under the defaults.
    withheld = h.store.db.execute(
        "SELECT withheld FROM jobs WHERE channel_id = ?", [WATCHERS]
    ).fetchall()
    assert all(r[0] == 1 for r in withheld)
    h.command("/watch list", channel=WATCHERS)
    assert "`development`" in h.last_response_text()
    h.command("/unwatch environment development", channel=WATCHERS)
    elsewhere(h, "deploy", {"environment": "development", "scope": NODE})
    h.tick(6)
    h.run_until_quiet()
    assert len(cards(h, WATCHERS)) == 2


def test_a_rule_can_keep_watching_out_of_a_channel(tmp_path: Path) -> None:
    policy = """
[[rule]]
name = "no watching in #deploys"
commands = ["watch"]
channels = ["C0DEPLOYS"]
action = "deny"
reason = "watch jobs in #ops"
"""
    h = make_harness(tmp_path, policy=policy)
    try:
        job = elsewhere(h, "deploy", {"environment": "development", "scope": NODE})
        h.command(f"/watch {job}")
        assert "watch jobs in #ops" in h.last_response_text()
        assert h.followed() == 0
    finally:
        close_harness(h)


def test_announcements_are_background_work_in_the_budget() -> None:
    from delivery.budget import Priority
    from delivery.plan import post_priority
    from store.posts import Queued

    def queued(kind: str) -> Queued:
        return Queued(
            seq=1, key="job:1/card", channel_id="C", thread_of=None, kind=kind, ref="job:1",
            created_at=0.0,
        )  # fmt: skip

    assert post_priority(queued("announcement")) is Priority.BACKGROUND
    assert post_priority(queued("card")) is Priority.PERSON


def test_jobs_lists_plan_jobs_too_and_their_watch_button_watches_the_plan(h: Harness) -> None:
    plan = elsewhere(
        h,
        "plan_run",
        {"plan_name": "canary", "params": {"nodes": ["web09.example.com"], "command": "id"}},
    )
    h.command("/jobs")
    response = h.responses()[-1]
    assert f"plan job `{plan}`" in block_text(response.blocks)
    h.click("job_watch", f"plan:{plan}", user="U0BOB")
    assert h.store.db.execute("SELECT id FROM jobs").fetchall()[0][0] == f"plan:{plan}"
