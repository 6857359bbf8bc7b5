"""Enabled schedules judged again when the policy file changes (and at start): one the policy now
denies is disabled in PE and the reason said in its thread; the others are left alone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.rejudge import rejudge
from tests.support.harness import Harness, block_text, close_harness, make_harness

CHANNEL = "C0DEPLOYS"
DENY_DEV = """
[[rule]]
name = "development frozen"
commands = ["deploy"]
node_environments = ["development"]
action = "deny"
reason = "development is frozen for the release"

[[rule]]
name = "the rest"
action = "run"
"""


@pytest.fixture
def h(tmp_path: Path) -> Iterator[Harness]:
    harness = make_harness(tmp_path)
    try:
        yield harness
    finally:
        close_harness(harness)


def schedule_cards(h: Harness) -> list:
    return [m for m in h.slack.messages(CHANNEL) if "schedule_cancel" in json.dumps(m.blocks)]


def test_a_policy_change_disables_what_it_now_denies_and_says_why(h: Harness) -> None:
    h.command("/deploy development --nodes web09.example.com --noop --every 1h")
    h.command("/deploy production --nodes web01.example.com --noop --every 1h")
    h.tick(1.5)
    (dev_card, prod_card) = schedule_cards(h)
    (h.tmp / "policy.toml").write_text("defaults = false\n" + DENY_DEV, encoding="utf-8")
    h.tick(1.5)
    h.tick(1.5)
    client = h.bot.deps.orchestrator
    assert not client.scheduled_job("1").enabled
    assert client.scheduled_job("2").enabled
    notes = [block_text(r.blocks or []) for r in h.slack.thread(CHANNEL, dev_card.ts)]
    assert any("disabled by the bot" in n and "development is frozen" in n for n in notes)
    assert len(h.slack.thread(CHANNEL, prod_card.ts)) == 1  # the card alone: nothing said
    states = dict(h.store.db.execute("SELECT name, state FROM schedules").fetchall())
    assert states == {"1": "disabled", "2": "enabled"}
    audit = h.store.db.execute("SELECT action, rule FROM audit WHERE action = 'schedule_disabled'")
    assert [tuple(r) for r in audit] == [("schedule_disabled", "development frozen")]
    # Judged again (as at the next start): nothing more is disabled or said.
    assert rejudge(h.bot.deps) == []


def test_a_broken_policy_file_keeps_the_last_good_one(h: Harness) -> None:
    h.command("/deploy development --nodes web09.example.com --noop --every 1h")
    (h.tmp / "policy.toml").write_text("[[rule]]\nname = 'x'\naction = 'explode'\n")
    h.tick(1.5)
    assert h.bot.deps.orchestrator.scheduled_job("1").enabled
    h.command("/deploy development --nodes web09.example.com --noop")
    assert len(h.requests_seen("/command/deploy")) == 1  # the last good policy still runs it


def test_a_start_judges_the_schedules_again(h: Harness) -> None:
    h.command("/deploy development --nodes web09.example.com --noop --every 1h")
    h.tick(1.5)
    # The file changes while the bot is down; the running policy object has not read it yet.
    (h.tmp / "policy.toml").write_text("defaults = false\n" + DENY_DEV, encoding="utf-8")
    h.bot.deps.policy.refresh()  # what a new process reads at start
    h.bot.start()
    assert not h.bot.deps.orchestrator.scheduled_job("1").enabled
