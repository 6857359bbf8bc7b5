"""--at/--in/--every over real HTTP: the schedule request the simulator receives, the policy and
approvals on it, and the answers a person reads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from standins.orchestrator import default_world
from store import requests
from tests.support.harness import Harness, close_harness, make_harness

CHANNEL = "C0DEPLOYS"
SCHEDULES = "/scheduled_jobs/environment_jobs"
DEFAULTS = "defaults = true\n"


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


def posted(h: Harness) -> list[dict]:
    return [r for r in h.sim_requests if r["path"].endswith(SCHEDULES) and r["method"] == "POST"]


def approve(h: Harness, user: str = "U0BOB") -> None:
    h.tick(1.5)
    card = next(m for m in h.slack.messages(CHANNEL) if "approval_approve" in json.dumps(m.blocks))
    value = next(
        e["value"] for b in card.blocks if b["type"] == "actions" for e in b["elements"]
        if e["action_id"] == "approval_approve"
    )  # fmt: skip
    h.click("approval_approve", value, user=user, message_ts=card.ts)
    h.tick(1.5)


def test_in_makes_a_one_off_schedule_with_the_run_now_input_and_the_marker(make) -> None:
    h = make()
    h.command("/deploy development --nodes web09.example.com --noop --in 10m")
    (sent,) = posted(h)
    body = sent["body"]
    assert body["type"] == "deploy"
    assert body["environment"] == "development"
    assert body["input"] == {"scope": {"nodes": ["web09.example.com"]}, "noop": True}
    assert body["schedule"]["interval"] is None
    assert body["schedule"]["start_time"] == "2027-01-15T08:10:00Z"  # the harness clock + 10m
    (row,) = h.store.db.execute("SELECT id FROM requests").fetchall()
    assert body["userdata"]["chatops_request"] == row["id"]
    assert body["userdata"]["chatops_tz"] == "UTC"
    assert "From Slack: /deploy development" in body["description"]
    stored = requests.get(h.store.db, row["id"])
    assert stored is not None and stored.state == "launched"
    text = h.last_response_text()
    assert "as schedule" in text and "<!date^1800000600^" in text and "once" in text


def test_every_repeats_and_a_repeating_enforcing_schedule_needs_approval(make) -> None:
    h = make(policy=DEFAULTS)
    h.command("/task package action=status name=httpd --nodes web09.example.com --every 1d")
    assert posted(h) == []  # held: a standing permission to change nodes
    h.tick(1.5)
    card = next(m for m in h.slack.messages(CHANNEL) if "approval_approve" in json.dumps(m.blocks))
    assert "repeating enforcing schedule" in json.dumps(card.blocks)
    assert "then every 1d" in json.dumps(card.blocks)
    approve(h)
    (sent,) = posted(h)
    assert sent["body"]["type"] == "task"
    assert sent["body"]["input"]["name"] == "package"
    assert sent["body"]["input"]["parameters"] == {"action": "status", "name": "httpd"}
    assert sent["body"]["schedule"]["interval"] == {"value": 86400, "units": "seconds"}


def test_a_repeating_query_schedule_counts_as_reaching_unknown_production_nodes(make) -> None:
    h = make(policy=DEFAULTS)
    h.command("/deploy development --query 'nodes[certname] { }' --noop --every 1h")
    # Noop runs at once: it is not held, and the query is sent as typed, not pinned.
    (sent,) = posted(h)
    assert sent["body"]["input"]["scope"] == {"query": "nodes[certname] { }"}
    row = requests.get(h.store.db, h.store.db.execute("SELECT id FROM requests").fetchone()[0])
    assert row is not None and row.reach is not None
    assert "again at every run" in (row.reach.get("unknown") or "")


def test_a_one_off_enforcing_schedule_on_development_runs_without_approval(make) -> None:
    h = make(policy=DEFAULTS)
    h.command("/deploy development --nodes web09.example.com --at 2027-01-15T09:00:00Z")
    assert len(posted(h)) == 1


def test_start_passed_while_awaiting_approval_creates_nothing(make) -> None:
    h = make(policy=DEFAULTS)
    h.command("/deploy production --nodes web01.example.com --in 2m")
    assert posted(h) == []
    h.clock.advance(300)
    approve(h)
    assert posted(h) == []
    row = requests.get(h.store.db, h.store.db.execute("SELECT id FROM requests").fetchone()[0])
    assert row is not None and row.state == "failed"
    assert "start time passed" in h.last_response_text()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("--in 10", "Add a unit"),
        ("--at yesterday", "not a time I can read"),
        ("--at 2020-01-01T00:00:00Z", "in the past"),
        ("--every 10s", "too often"),
        ("--at 09:00 --in 5m", "not both"),
    ],
)
def test_bad_times_are_usage_errors_and_nothing_is_sent(make, text: str, words: str) -> None:
    h = make()
    response = h.command(f"/deploy development --nodes web09.example.com {text}")
    shown = json.dumps(response.body) if response.body else ""
    shown += "\n".join(json.dumps(r.blocks) + r.text for r in h.responses())
    assert words in shown
    assert posted(h) == []
    assert h.store.db.execute("SELECT count(*) FROM requests").fetchone()[0] == 0


def test_timeout_cannot_be_scheduled(make) -> None:
    h = make()
    response = h.command("/plan canary --timeout 60 --in 5m")
    assert "--timeout cannot be scheduled" in str(response.body)


def test_the_requester_time_zone_reads_wall_clock_times(make) -> None:
    h = make()
    h.slack.set_timezone("U0ALICE", "Europe/Paris")
    h.command("/deploy development --nodes web09.example.com --noop --at 10:00")
    (sent,) = posted(h)
    # 1_800_000_000 is 2027-01-15T08:00:00Z, 09:00 in Paris: 10:00 there is 09:00Z.
    assert sent["body"]["schedule"]["start_time"] == "2027-01-15T09:00:00Z"
    assert sent["body"]["userdata"]["chatops_tz"] == "Europe/Paris"


def test_an_unknown_zone_falls_back_to_utc_and_says_so(make) -> None:
    h = make()
    h.slack.set_timezone("U0ALICE", "")
    h.command("/deploy development --nodes web09.example.com --noop --at 10:00")
    (sent,) = posted(h)
    assert sent["body"]["schedule"]["start_time"] == "2027-01-15T10:00:00Z"
    assert any("read as *UTC*" in json.dumps(r.blocks) for r in h.responses())


def test_a_daily_schedule_warns_of_daylight_saving(make) -> None:
    h = make()
    h.slack.set_timezone("U0ALICE", "Europe/Paris")
    h.command("/deploy development --nodes web09.example.com --noop --at 10:00 --every daily")
    assert "daylight saving" in h.last_response_text()


def test_older_pe_without_scheduling_is_said_plainly(make) -> None:
    world = default_world()
    h = make(world=replace(world, settings=replace(world.settings, pe_version="2019.8")))
    h.command("/deploy development --nodes web09.example.com --noop --in 5m")
    assert "PE 2021.7 or later" in h.last_response_text()


def test_pe_refusing_the_start_time_is_said_in_plain_words(make) -> None:
    h = make()
    # PE's clock runs an hour ahead of the bot's: the start the bot computed is past for PE.
    h.sim.clock = lambda: h.clock() + 3600
    h.command("/deploy development --nodes web09.example.com --noop --in 10m")
    text = h.last_response_text()
    assert "start time" in text and "in the past by its clock" in text and "invalid-time" in text
    assert h.store.db.execute("SELECT state FROM requests").fetchone()[0] == "failed"
