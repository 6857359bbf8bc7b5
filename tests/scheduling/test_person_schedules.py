"""Schedules and person mode (PE_IDENTITY=person) over the simulator's HTTP API and its RBAC, the
fake Slack and a real SQLite file: who a schedule runs as, whose token makes and cancels one,
and which token the bot's own reads and safety disables use."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from slack_sdk import WebClient

import config
from flows.rejudge import rejudge
from flows.targets import Resolver
from orchestrator.classifier import ClassifierClient
from orchestrator.client import OrchestratorClient
from orchestrator.puppetdb import PuppetDBClient
from orchestrator.rbac import RbacClient
from orchestrator.requests import DeployRequest, Scope
from orchestrator.schedules import schedule_request
from runtime.assemble import build
from standins.orchestrator import world_from_dict
from standins.orchestrator.default_world import default_world_data
from store import audit, schedules
from tests.flows.person_support import KEY, person_harness, sign_in
from tests.support.harness import (
    BOT_TOKEN,
    Harness,
    InlineExecutor,
    block_text,
    close_harness,
    make_harness,
    recording_transport,
    settings_env,
)

CHANNEL = "C0DEPLOYS"
SCHEDULES = "/scheduled_jobs/environment_jobs"
MAKE = "/deploy development --nodes web09.example.com --noop --every 1h"
SERVICE_TOKEN = "demo-token"  # the harness's PE_RBAC_TOKEN: the simulator's `admin`
PERSON_ENV = {"PE_IDENTITY": "person", "TOKEN_ENCRYPTION_KEY": KEY, "PE_TOKEN_LIFETIME": "12h"}


@pytest.fixture
def made(tmp_path: Path) -> Iterator[list[Harness]]:
    """Harnesses made by a test; each restart shuts the one before down, so only the last is
    closed (it stops the fake Slack they share)."""
    harnesses: list[Harness] = []
    yield harnesses
    if harnesses:
        close_harness(harnesses[-1])


def restarted_as_person(h: Harness) -> Harness:
    """The bot stopped and started again on the same database, simulator and Slack, now with
    PE_IDENTITY=person."""
    h.bot.shutdown()
    settings = config.load(settings_env(h.tmp, **PERSON_ENV))
    http = httpx.Client(transport=recording_transport(h.sim, h.sim_requests))
    bot = build(
        settings,
        orchestrator=OrchestratorClient(http, "http://sim.test", SERVICE_TOKEN, sleep=lambda s: 0),
        resolver=Resolver(
            PuppetDBClient(http, "http://sim.test", SERVICE_TOKEN, sleep=lambda s: None),
            ClassifierClient(http, "http://sim.test", SERVICE_TOKEN, sleep=lambda s: None),
        ),
        slack=WebClient(token=BOT_TOKEN, base_url=h.slack.api_url),
        clock=h.clock,
        work=InlineExecutor(),
        rbac=RbacClient(http, "http://sim.test", sleep=lambda s: None),
    )
    again = Harness(bot=bot, sim=h.sim, slack=h.slack, clock=h.clock, tmp=h.tmp)
    again.sim_requests = h.sim_requests
    for user in ("U0BOB", "U0CAROL"):
        h.slack.add_user(user, user[3:].lower())
    return again


def sent(h: Harness, method: str, suffix: str = "") -> list[dict[str, Any]]:
    return [
        r
        for r in h.sim_requests
        if r["method"] == method and SCHEDULES in r["path"] and r["path"].endswith(suffix)
    ]


def sections(h: Harness) -> dict[str, str]:
    """The last private answer's sections, by the schedule number each starts with."""
    out = {}
    for block in h.responses()[-1].blocks or []:
        text = (block.get("text") or {}).get("text", "")
        if block["type"] == "section" and text.startswith("*`"):
            out[text[2 : text.index("`", 2)]] = text
    return out


def cards(h: Harness) -> list[Any]:
    h.tick(1.5)
    return [m for m in h.slack.messages(CHANNEL) if "schedule_cancel" in json.dumps(m.blocks)]


def test_schedules_made_before_person_mode_are_marked_and_the_persons_own_are_not(
    made, tmp_path: Path
) -> None:
    before = make_harness(tmp_path)  # service mode: the schedule is the service account's
    made.append(before)
    before.command(MAKE)
    (old_card,) = cards(before)
    assert "service account" not in block_text(old_card.blocks)  # service mode marks nothing
    h = restarted_as_person(before)
    made.append(h)
    assert "Signed in to PE as *operator*" in sign_in(h, "U0ALICE", "operator", "operator-password")
    h.command(MAKE)
    (made_in_service, made_as_person) = sent(h, "POST")
    assert made_in_service["token"] == SERVICE_TOKEN
    person_token = h.bot.deps.people.current("U0ALICE").token
    assert made_as_person["token"] == person_token != SERVICE_TOKEN
    pe = h.bot.deps.orchestrator
    assert pe.scheduled_job("1").owner == "admin" and pe.scheduled_job("2").owner == "operator"
    assert schedules.made_as(h.store.db) == {"1": "service", "2": "person"}
    # One PE lists as the service account's that the bot never made (the console, a script).
    start = datetime.fromtimestamp(h.clock(), UTC) + timedelta(hours=2)
    run = DeployRequest(environment="development", scope=Scope.nodes(["web09.example.com"]))
    pe.schedule(schedule_request(run, start=start, interval=None))

    h.command("/schedule list")
    listed = sections(h)
    assert set(listed) == {"1", "2", "3"}
    assert "Runs as the service account `admin` (made before person mode)" in listed["1"]
    assert "Runs as the service account `admin`" in listed["3"]
    assert "service account" not in listed["2"]
    h.command("/schedule show 1")
    assert "It runs as the service account" in h.last_response_text()
    h.command("/schedule show 2")
    shown = h.last_response_text()
    assert "service account" not in shown and "*Owner in PE:* `operator`" in shown
    new_card = cards(h)[-1]
    assert "Schedule 2" in block_text(new_card.blocks)
    assert "service account" not in block_text(new_card.blocks)


def test_a_request_asked_for_in_service_mode_and_sent_after_the_switch_says_so_on_its_card(
    made, tmp_path: Path
) -> None:
    """Held for approval in service mode, approved after the restart in person mode: it is sent
    as the service account it was asked as (flows/as_person.py), and its card says so."""
    before = make_harness(tmp_path, policy="defaults = true\n")
    made.append(before)
    before.command("/deploy production --nodes web01.example.com --every 1d")  # needs approval
    assert sent(before, "POST") == []
    h = restarted_as_person(before)
    made.append(h)
    h.tick(1.5)
    card = next(m for m in h.slack.messages(CHANNEL) if "approval_approve" in json.dumps(m.blocks))
    value = next(
        e["value"] for b in card.blocks if b["type"] == "actions" for e in b["elements"]
        if e["action_id"] == "approval_approve"
    )  # fmt: skip
    h.click("approval_approve", value, user="U0BOB", message_ts=card.ts)
    (created,) = sent(h, "POST")
    assert created["token"] == SERVICE_TOKEN
    text = block_text(cards(h)[-1].blocks)
    assert "Runs as the bot's service account, not as <@U0ALICE>" in text


def test_schedule_commands_as_a_person_need_their_sign_in_and_their_token(
    made, tmp_path: Path
) -> None:
    h = person_harness(tmp_path)
    made.append(h)
    # Not signed in: the Sign in to PE button, and nothing is sent or recorded.
    h.command(MAKE)
    assert "Sign in to PE" in json.dumps(h.responses()[-1].blocks)
    assert sent(h, "POST") == []
    assert h.store.db.execute("SELECT count(*) FROM requests").fetchone()[0] == 0

    sign_in(h, "U0ALICE", "operator", "operator-password")
    h.command(MAKE)
    (created,) = sent(h, "POST")
    assert created["token"] == h.bot.deps.people.current("U0ALICE").token
    (card,) = cards(h)

    # Carol, not signed in, clicks Cancel: the button to sign in, and no PUT.
    h.click("schedule_cancel", "1", user="U0CAROL", message_ts=card.ts)
    assert "Sign in to PE" in json.dumps(h.responses()[-1].blocks)
    h.command("/schedule cancel 1", user="U0CAROL")
    assert "Sign in to PE" in json.dumps(h.responses()[-1].blocks)
    assert sent(h, "PUT") == []

    # Carol as PE's viewer: PE's RBAC refuses her cancel, in plain words naming her PE user.
    sign_in(h, "U0CAROL", "viewer", "viewer-password")
    h.command("/schedule cancel 1", user="U0CAROL")
    said = h.last_response_text()
    assert "PE says viewer may not cancel schedule 1" in said and "It still runs" in said
    (refused,) = sent(h, "PUT", "/1")
    assert refused["token"] == h.bot.deps.people.current("U0CAROL").token
    assert h.bot.deps.orchestrator.scheduled_job("1").enabled
    assert h.store.db.execute("SELECT state FROM schedules").fetchone()[0] == "enabled"
    (noted,) = [a for a in audit.since(h.store.db, 0) if a["action"] == "refused_by_pe"]
    assert noted["actor"] == "U0CAROL" and noted["detail"] == {"pe_login": "viewer"}

    # Bob as PE's admin cancels on the card: his token, and the audit names him in PE.
    sign_in(h, "U0BOB", "admin", "admin-password")
    h.click("schedule_cancel", "1", user="U0BOB", message_ts=card.ts)
    assert not h.bot.deps.orchestrator.scheduled_job("1").enabled
    cancel = sent(h, "PUT", "/1")[-1]
    assert cancel["token"] == h.bot.deps.people.current("U0BOB").token != SERVICE_TOKEN
    (done,) = [a for a in audit.since(h.store.db, 0) if a["action"] == "schedule_cancelled"]
    assert done["actor"] == "U0BOB" and done["detail"] == {"pe_login": "admin"}

    # Reads stay the service account's: the listing and the poller's look at fired runs.
    h.command("/schedule list", user="U0CAROL")
    h.tick(1.5)
    reads = [r for r in h.sim_requests if r["method"] == "GET" and SCHEDULES in r["path"]]
    assert reads and {r["token"] for r in reads} == {SERVICE_TOKEN}


def test_a_scheduled_plan_pe_forbids_is_refused_before_approval(made, tmp_path: Path) -> None:
    h = person_harness(tmp_path, policy="defaults = true\n")
    made.append(h)
    sign_in(h, "U0ALICE", "operator", "operator-password")  # may run plan canary only
    h.command("/plan example_plan message=hello targets=web01.example.com --every 1d")
    assert "PE says operator may not run plan `example_plan`" in h.last_response_text()
    assert sent(h, "POST") == []
    assert h.store.db.execute("SELECT count(*) FROM approvals").fetchone()[0] == 0


DENY_DEV = """
defaults = false

[[rule]]
name = "development frozen"
commands = ["deploy", "task"]
node_environments = ["development"]
action = "deny"
reason = "development is frozen"

[[rule]]
name = "the rest"
action = "run"
"""


def test_rejudging_disables_a_persons_schedule_with_the_service_token(made, tmp_path) -> None:
    h = person_harness(tmp_path)
    made.append(h)
    sign_in(h, "U0ALICE", "operator", "operator-password")
    h.command(MAKE)
    (h.tmp / "policy.toml").write_text(DENY_DEV, encoding="utf-8")
    h.bot.deps.policy.refresh()
    assert rejudge(h.bot.deps) == ["1"]
    (disable,) = sent(h, "PUT", "/1")
    assert disable["token"] == SERVICE_TOKEN and disable["body"] == {"enabled": False}
    assert not h.bot.deps.orchestrator.scheduled_job("1").enabled


def test_a_disable_pe_refuses_the_service_account_is_said_once_in_the_thread(
    made, tmp_path: Path
) -> None:
    """A service account without the right to run a task cannot disable its schedules in PE
    (the PUT page lists POST's errors): the schedule still runs, and its thread says so."""
    data = default_world_data()
    users = {u["login"]: u for u in data["users"]}
    users["admin"]["permissions"] = {"tasks": ["package", "service", "facts"], "plans": ["*"]}
    users["operator"]["permissions"]["tasks"].append("exec")
    h = person_harness(tmp_path, world=world_from_dict(data))
    made.append(h)
    sign_in(h, "U0ALICE", "operator", "operator-password")
    h.command("/task exec command=uptime --nodes web09.example.com -e development --every 1h")
    (card,) = cards(h)
    (h.tmp / "policy.toml").write_text(DENY_DEV, encoding="utf-8")
    h.bot.deps.policy.refresh()
    assert rejudge(h.bot.deps) == []
    assert rejudge(h.bot.deps) == []  # tried again: refused again, said once
    assert h.bot.deps.orchestrator.scheduled_job("1").enabled
    assert [r["token"] for r in sent(h, "PUT", "/1")] == [SERVICE_TOKEN, SERVICE_TOKEN]
    h.tick(1.5)
    notes = [block_text(r.blocks or []) for r in h.slack.thread(CHANNEL, card.ts)]
    refused = [n for n in notes if "would not let the bot's service account disable it" in n]
    assert len(refused) == 1 and "development is frozen" in refused[0]
    assert h.store.db.execute("SELECT state FROM schedules").fetchone()[0] == "enabled"
