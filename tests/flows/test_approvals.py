"""Policy and approvals end to end: signed clicks, the real store, the simulator, fake Slack."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from store import audit
from tests.support.harness import Harness, block_text, close_harness, make_harness

CHANNEL = "C0DEPLOYS"
PROD = "/deploy production --nodes web01.example.com,web02.example.com"


@pytest.fixture
def make(tmp_path: Path) -> Iterator:
    made: list[Harness] = []

    def build(policy: str | None = None, **kwargs) -> Harness:
        h = make_harness(tmp_path, policy=policy, **kwargs)
        made.append(h)
        return h

    yield build
    for h in made:
        close_harness(h)


def approval_card(h: Harness):
    h.tick(1.5)
    cards = [
        m
        for m in h.slack.messages(CHANNEL)
        if "approval_approve" in json.dumps(m.blocks)
        or "Approval needed" in m.text
        or "Approved" in m.text
        or "Rejected" in m.text
        or "Expired" in m.text
    ]
    assert cards, "no approval card was posted"
    return cards[-1]


def approve(h: Harness, user: str) -> None:
    card = approval_card(h)
    value = next(
        e["value"]
        for b in card.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "approval_approve"
    )
    h.click("approval_approve", value, user=user, message_ts=card.ts)
    h.tick()


def deploys(h: Harness) -> int:
    return len(h.requests_seen("/command/deploy"))


def test_default_policy_holds_an_enforcing_production_run_for_approval(make) -> None:
    h = make(policy=None)
    h.command(PROD)
    assert deploys(h) == 0
    assert "needs approval" in h.last_response_text()
    card = approval_card(h)
    text = block_text(card.blocks)
    assert "Approval needed" in text and "web01.example.com" in text
    assert "default: enforcing run in production" in text or "production" in text
    assert "fingerprint" in text and "Approve" in text and "Reject" in text


def test_noop_runs_need_no_approval_by_default(make) -> None:
    h = make(policy=None)
    h.command(PROD + " --noop")
    assert deploys(h) == 1


def test_self_approval_is_refused_and_another_person_approves(make) -> None:
    h = make(policy=None)
    h.command(PROD)
    approve(h, "U0ALICE")
    assert deploys(h) == 0
    assert "cannot approve" in h.last_response_text()
    approve(h, "U0BOB")
    assert deploys(h) == 1
    h.run_until_quiet()
    card = h.slack.messages(CHANNEL)[0]
    final = block_text(card.blocks)
    assert "Approved by <@U0BOB>" in final and "nodes done" in final
    assert "nodes succeeded" in block_text(h.slack.thread(CHANNEL, card.ts)[-1].blocks)


def test_what_runs_is_exactly_what_was_shown(make) -> None:
    h = make(policy=None)
    h.command(PROD + " --description 'exactly this'")
    row = h.store.db.execute("SELECT body, fingerprint FROM requests").fetchone()
    assert row["fingerprint"] in block_text(approval_card(h).blocks)
    approve(h, "U0BOB")
    (sent,) = h.requests_seen("/command/deploy")
    assert sent == json.loads(row["body"])


def test_twenty_concurrent_approvals_launch_one_job(make) -> None:
    h = make(policy=None, inline=False)
    h.command(PROD)
    h.slack.wait_for(lambda fake: fake.messages(CHANNEL) or h.tick(), timeout=10)
    card = approval_card(h)
    value = next(
        e["value"]
        for b in card.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "approval_approve"
    )
    barrier = threading.Barrier(20)

    def click(i: int) -> None:
        barrier.wait()
        h.click("approval_approve", value, user=f"U0CLICK{i:02d}", message_ts=card.ts)

    threads = [threading.Thread(target=click, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    def losers(_: object) -> bool:
        return sum("already approved by" in r.text for r in h.responses()) == 19

    h.slack.wait_for(losers, timeout=10)
    _wait_idle(h)
    assert deploys(h) == 1


def _wait_idle(h: Harness) -> None:
    h.slack.wait_for(
        lambda _: (
            not h.store.db.execute(
                "SELECT count(*) FROM requests WHERE state IN ('new', 'launching', 'approved')"
            ).fetchone()[0]
        ),
        timeout=10,
    )
    import time

    time.sleep(0.3)


def test_n_of_m_needs_every_approval(make) -> None:
    h = make(
        policy="""
[[rule]]
name = "two of the approvers"
commands = ["deploy"]
action = "approve"
approvers = ["@pe-approvers", "U0CAROL"]
approvals = 2
"""
    )
    h.command(PROD)
    approve(h, "U0BOB")
    assert deploys(h) == 0
    assert "1 of 2" in h.last_response_text()
    approve(h, "U0CAROL")
    assert deploys(h) == 1


def test_only_named_approvers_may_approve(make) -> None:
    h = make(
        policy="""
[[rule]]
name = "leads approve"
commands = ["deploy"]
action = "approve"
approvers = ["U0CAROL"]
"""
    )
    h.command(PROD)
    approve(h, "U0BOB")
    assert deploys(h) == 0
    assert "cannot approve" in h.last_response_text()


@pytest.mark.parametrize(
    "rule, user, channel, allowed",
    [
        ('requesters = ["U0BOB"]\naction = "run"', "U0ALICE", CHANNEL, False),
        ('requesters = ["U0BOB"]\naction = "run"', "U0BOB", CHANNEL, True),
        ('deny = ["@pe-approvers"]\naction = "run"', "U0ALICE", CHANNEL, False),
        ('deny = ["@pe-approvers"]\naction = "run"', "U0CAROL", CHANNEL, True),
        ('channels = ["C0GENERAL"]\naction = "deny"', "U0ALICE", "C0GENERAL", False),
        ('channels = ["C0GENERAL"]\naction = "deny"', "U0ALICE", CHANNEL, True),
    ],
)
def test_allow_and_deny_by_user_group_and_channel(make, rule, user, channel, allowed) -> None:
    h = make(
        policy=f"""
defaults = false

[[rule]]
name = "the rule"
{rule}

[[rule]]
name = "everything else"
action = "run"
"""
    )
    h.command(PROD, user=user, channel=channel)
    assert deploys(h) == (1 if allowed else 0)
    if not allowed:
        assert "was not sent" in h.last_response_text()


def test_rejection_asks_for_a_reason_and_shows_it(make) -> None:
    h = make(policy=None)
    h.command(PROD)
    card = approval_card(h)
    value = next(
        e["value"]
        for b in card.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "approval_reject"
    )
    h.click("approval_reject", value, user="U0BOB", message_ts=card.ts)
    (view,) = h.slack.views()
    h.submit_view(
        view.view["callback_id"],
        view.view["private_metadata"],
        {"reason": {"reason_text": "change freeze until Monday"}},
        user="U0BOB",
        view_id=view.id,
    )
    h.tick(2)
    text = block_text(h.slack.message(CHANNEL, card.ts).blocks)
    assert "Rejected by <@U0BOB>" in text and "change freeze until Monday" in text
    assert "Approve" not in text
    approve_late = next(e for b in card.blocks if b["type"] == "actions" for e in b["elements"])
    h.click("approval_approve", approve_late["value"], user="U0CAROL", message_ts=card.ts)
    assert deploys(h) == 0
    assert "already rejected by <@U0BOB>" in h.last_response_text()


def test_an_approval_expires_and_a_late_click_does_nothing(make) -> None:
    h = make(policy=None)
    h.command(PROD)
    card = approval_card(h)
    value = next(
        e["value"]
        for b in card.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "approval_approve"
    )
    h.tick(31 * 60)
    h.tick(2)
    assert "Expired" in block_text(h.slack.message(CHANNEL, card.ts).blocks)
    h.click("approval_approve", value, user="U0BOB", message_ts=card.ts)
    assert deploys(h) == 0
    assert "expired" in h.last_response_text()


def test_a_policy_change_between_request_and_approval_counts(make) -> None:
    h = make(policy=None)
    h.command(PROD)
    (h.tmp / "policy.toml").write_text(
        '[[rule]]\nname = "freeze"\ncommands = ["deploy"]\naction = "deny"\n'
        'reason = "change freeze"\n'
    )
    from policy import load_policy

    object.__setattr__(h.bot.deps, "policy", load_policy(h.tmp / "policy.toml"))
    approve(h, "U0BOB")
    assert deploys(h) == 0
    assert "no longer allows" in h.last_response_text()
    assert "Rejected by the policy" in block_text(approval_card(h).blocks)


def test_noop_then_enforce_carries_the_evidence(make) -> None:
    h = make(policy=None)
    h.command(
        "/deploy production --nodes web01.example.com,web03.example.com,web05.example.com --noop"
    )
    h.run_until_quiet()
    card = h.slack.messages(CHANNEL)[0]
    summary = h.slack.thread(CHANNEL, card.ts)[-1]
    h.click("enforce_changed", "job:1", user="U0ALICE", message_ts=summary.ts)
    assert deploys(h) == 1, "enforcing in production needs approval"
    text = block_text(approval_card(h).blocks)
    assert "Noop run `1` found" in text and "web03.example.com" in text
    approve(h, "U0BOB")
    sent = h.requests_seen("/command/deploy")[-1]
    assert "noop" not in sent
    assert sorted(sent["scope"]["nodes"]) == ["web03.example.com", "web05.example.com"]


def test_rerun_on_failed_nodes(make) -> None:
    h = make()
    h.command(
        "/deploy development --nodes web01.example.com,web07.example.com,db03.example.com --noop"
    )
    h.run_until_quiet()
    summary = h.slack.thread(CHANNEL, h.slack.messages(CHANNEL)[0].ts)[-1]
    h.click("rerun_failed", "job:1", user="U0BOB", message_ts=summary.ts)
    sent = h.requests_seen("/command/deploy")[-1]
    assert sorted(sent["scope"]["nodes"]) == ["db03.example.com", "web07.example.com"]
    assert sent["noop"] is True
    assert sent["userdata"]["chatops_slack_user"] == "U0BOB"


def test_every_step_is_audited_and_exported(make, capsys) -> None:
    h = make(policy=None)
    h.command(PROD)
    approve(h, "U0BOB")
    h.run_until_quiet()
    actions = [r["action"] for r in audit.since(h.store.db, 0)]
    assert actions == [
        "request",
        "approval_requested",
        "approval_vote",
        "approved",
        "launch",
        "finished",
    ]
    import admin
    import config

    settings = config.load_offline({"DATABASE_PATH": str(h.tmp / "bot.db")})
    assert admin.audit_export(since="1d", fmt="jsonl", settings=settings, now=h.clock()) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["action"] for r in lines] == actions
    launch = lines[4]
    assert launch["actor"] == "U0ALICE" and launch["job_id"] == "job:1"
    assert launch["request"]["body"]["environment"] == "production"
    assert lines[3]["approvers"] == ["U0BOB"]
    assert admin.audit_export(since="1d", fmt="csv", settings=settings, now=h.clock()) == 0
    assert capsys.readouterr().out.startswith("id,at,time,actor,action")
