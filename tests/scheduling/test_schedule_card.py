"""The schedule card (what, when, how often, next run, who asked and approved) with Cancel, and
/schedule list, show and cancel, each through the policy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.harness import Harness, block_text, close_harness, make_harness

CHANNEL = "C0DEPLOYS"
MAKE = "/deploy development --nodes web09.example.com --noop --every 1h"


@pytest.fixture
def make(tmp_path: Path) -> Iterator:
    made: list[Harness] = []

    def build(**kwargs) -> Harness:
        h = make_harness(tmp_path, **kwargs)
        made.append(h)
        return h

    yield build
    for h in made:
        close_harness(h)


def schedule_card(h: Harness):
    h.tick(1.5)
    return next(m for m in h.slack.messages(CHANNEL) if "schedule_cancel" in json.dumps(m.blocks))


def thread(h: Harness, card) -> list[str]:
    return [block_text(r.blocks or []) for r in h.slack.thread(CHANNEL, card.ts)]


def enabled(h: Harness, name: str) -> bool:
    return h.bot.deps.orchestrator.scheduled_job(name).enabled


def test_the_card_says_what_when_how_often_and_who_asked(make) -> None:
    h = make()
    h.command(MAKE)
    card = schedule_card(h)
    text = block_text(card.blocks)
    assert "Schedule 1: Puppet run in development, scheduled" in text
    assert "then every 1h" in text
    assert "*Next run:* <!date^1800003600^" in text
    assert "Asked by <@U0ALICE>" in text
    assert "web09.example.com" in text


def test_cancel_on_the_card_disables_it_in_pe_and_says_so_in_its_thread(make) -> None:
    h = make()
    h.command(MAKE)
    card = schedule_card(h)
    h.click("schedule_cancel", "1", user="U0BOB", message_ts=card.ts)
    assert not enabled(h, "1")
    puts = [r for r in h.sim_requests if r["method"] == "PUT"]
    assert [p["body"] for p in puts] == [{"enabled": False}]
    h.tick(1.5)
    assert any("cancelled by <@U0BOB>" in t for t in thread(h, card))
    # Again: nothing more is changed or said.
    h.click("schedule_cancel", "1", user="U0BOB", message_ts=card.ts)
    h.tick(1.5)
    assert "already cancelled" in h.last_response_text()
    assert sum("cancelled by" in t for t in thread(h, card)) == 1


def test_a_cancel_click_from_another_channel_is_refused(make) -> None:
    h = make()
    h.command(MAKE)
    card = schedule_card(h)
    h.click("schedule_cancel", "1", user="U0BOB", channel="C0OTHER", message_ts=card.ts)
    assert enabled(h, "1")
    assert "not known here" in h.last_response_text()


def test_schedule_list_show_and_cancel(make) -> None:
    h = make()
    h.command(MAKE)
    h.command("/deploy production --nodes web01.example.com --noop --in 1h", user="U0BOB")
    h.command("/schedule list --mine")
    mine = h.last_response_text()
    assert "`1`" in mine and "`2`" not in mine
    h.command("/schedule list -e production")
    prod = h.last_response_text()
    assert "`2`" in prod and "`1`" not in prod
    h.command("/schedule show 1")
    shown = h.last_response_text()
    assert "enabled" in shown and "every 1h" in shown and "<@U0ALICE>" in shown
    h.command("/schedule cancel 1")
    assert not enabled(h, "1")
    h.command("/schedule list")
    assert "`1`" not in h.last_response_text()
    h.command("/schedule show 99")
    assert "no such schedule" in h.last_response_text()


def test_a_rule_can_keep_a_channel_from_cancelling(make) -> None:
    policy = """
[[rule]]
name = "no schedule changes from here"
commands = ["schedule"]
channels = ["C0DEPLOYS"]
action = "deny"
reason = "schedules are managed in #ops"
"""
    h = make(policy=policy)
    h.command(MAKE)
    card = schedule_card(h)
    h.click("schedule_cancel", "1", user="U0BOB", message_ts=card.ts)
    assert enabled(h, "1")
    assert "schedules are managed in #ops" in h.last_response_text()
