"""A fired run of a schedule: its job found from the schedule's last_run, carded in the channel
and noted in the schedule card's thread, followed to its summary; a run PE could not submit is
said in the thread in plain words; each run announced once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.harness import Harness, block_text, close_harness, make_harness

CHANNEL = "C0DEPLOYS"


@pytest.fixture
def h(tmp_path: Path) -> Iterator[Harness]:
    harness = make_harness(tmp_path)
    try:
        yield harness
    finally:
        close_harness(harness)


def schedule_card(h: Harness):
    return next(m for m in h.slack.messages(CHANNEL) if "schedule_cancel" in json.dumps(m.blocks))


def thread_texts(h: Harness, card) -> list[str]:
    return [block_text(r.blocks or []) for r in h.slack.thread(CHANNEL, card.ts)]


def test_a_fired_run_is_carded_noted_in_the_thread_and_followed_to_its_summary(h) -> None:
    h.command("/deploy development --nodes web09.example.com --noop --in 10s")
    h.tick(1.5)
    card = schedule_card(h)
    h.tick(15)  # the run fires at +10s; the bot reads its schedules every poll interval
    h.run_until_quiet()
    notes = thread_texts(h, card)
    fired = [t for t in notes if "started job" in t]
    assert len(fired) == 1
    job = fired[0].split("started job `")[1].split("`")[0]
    followed = h.store.db.execute("SELECT id, done FROM jobs").fetchall()
    assert [(r["id"], r["done"]) for r in followed] == [(f"job:{job}", 1)]
    status = [m for m in h.slack.messages(CHANNEL) if m.ts != card.ts]
    assert len(status) == 1
    # The note links the run's status card (its permalink, as chat.getPermalink gives it).
    assert f"slack.com/archives/{CHANNEL}/p{status[0].ts.replace('.', '')}|here>" in fired[0]
    summary = [block_text(r.blocks or []) for r in h.slack.thread(CHANNEL, status[0].ts)]
    assert summary, "the fired job's card has its thread and summary"
    # A one-off is over once it ran; reading again announces nothing more.
    h.tick(30)
    h.run_until_quiet()
    assert sum("started job" in t for t in thread_texts(h, card)) == 1
    row = h.store.db.execute("SELECT state FROM schedules").fetchone()
    assert row["state"] == "ended"


def test_each_run_of_a_repeating_schedule_is_announced_once(h) -> None:
    h.command("/deploy development --nodes web09.example.com --noop --every 1m")
    h.tick(1.5)
    card = schedule_card(h)
    for _ in range(3):
        h.tick(60)
        h.run_until_quiet()
    fired = [t for t in thread_texts(h, card) if "started job" in t]
    assert len(fired) == 3
    assert len({t for t in fired}) == 3


def test_a_run_pe_could_not_submit_is_said_in_plain_words(h) -> None:
    h.command("/deploy development --query 'nodes[certname] { }' --noop --every 1m")
    h.tick(1.5)
    card = schedule_card(h)
    h.sim.set_faults(puppetdb_unreachable=True)
    h.tick(61)
    h.tick(1.5)
    notes = thread_texts(h, card)
    assert any("PE could not start the run" in t and "puppetdb-error" in t for t in notes)
    assert h.followed() == 0


def test_runs_fired_while_the_bot_looked_away_are_found_by_their_schedule_id(h) -> None:
    # Task jobs carry `options["scheduled-job-id"]`: runs before the latest `last_run` are
    # found that way (a deploy job carries none, so only a task schedule is tried here).
    h.command("/task package action=status name=openssl --nodes web09.example.com --every 1m")
    h.tick(1.5)
    card = schedule_card(h)
    h.clock.advance(185)  # three runs fire (at +60, +120, +180) before the bot looks again
    h.tick(1)
    h.run_until_quiet()
    fired = [t for t in thread_texts(h, card) if "started job" in t]
    assert len(fired) == 3
    assert h.store.db.execute("SELECT count(*) FROM jobs").fetchone()[0] == 3
