"""The send-time gate: nothing is sent unless the policy, asked then, runs it, or a recorded
approval covers exactly that body, under the same rule, with no node moved into production."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from flows import recovery
from flows.send import execute
from flows.subject import with_marker
from orchestrator.requests import DeployRequest, Scope
from policy import parse_policy
from render import Renderer
from render.renderer import TEMPLATES
from standins.orchestrator.services import change_nodes
from store import approvals, requests
from tests.support.harness import Harness, block_text, close_harness, make_harness

CHANNEL = "C0DEPLOYS"
MIXED = "/deploy production --nodes web09.example.com,web01.example.com"


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


def deploys(h: Harness) -> int:
    return len(h.requests_seen("/command/deploy"))


def approve(h: Harness, user: str = "U0BOB") -> None:
    h.tick(1.5)
    card = next(m for m in h.slack.messages(CHANNEL) if "approval_approve" in json.dumps(m.blocks))
    value = next(
        e["value"] for b in card.blocks if b["type"] == "actions" for e in b["elements"]
        if e["action_id"] == "approval_approve"
    )  # fmt: skip
    h.click("approval_approve", value, user=user, message_ts=card.ts)
    h.tick(1.5)


def only_request(h: Harness) -> requests.RequestRow:
    (row_id,) = [r["id"] for r in h.store.db.execute("SELECT id FROM requests")]
    row = requests.get(h.store.db, row_id)
    assert row is not None
    return row


def test_a_request_stored_but_not_decided_is_held_at_restart_not_sent(make) -> None:
    # As a kill -9 leaves it: stored, state new, decided by nobody yet.
    h = make(policy=None)
    request = with_marker(
        DeployRequest(environment="production", scope=Scope.nodes(["web01.example.com"])),
        "r1",
        "U0ALICE",
    )
    with h.store.write() as db:
        requests.create(db, id="r1", now=h.clock(), channel_id=CHANNEL, user_id="U0ALICE",
                        command="deploy", text="/deploy production", request=request)  # fmt: skip
    recovery.resume(h.bot.deps)
    h.tick(1.5)
    assert deploys(h) == 0
    assert only_request(h).state == "awaiting_approval"
    assert any("Approval needed" in m.text for m in h.slack.messages(CHANNEL))


def test_an_approval_card_that_cannot_be_rendered_fails_the_request(make, tmp_path) -> None:
    broken = tmp_path / "templates"
    shutil.copytree(TEMPLATES, broken)
    card = broken / "approval_card.j2"
    card.write_text(card.read_text() + "\n{{ no_such_field }}\n")
    h = make(policy=None, renderer=Renderer(broken))
    h.command(MIXED)
    h.tick()  # the card is rendered as it is sent, and given up on
    h.tick()  # the poller's housekeeping finds it, and fails the request
    row = only_request(h)
    assert row.state == "failed" and "approval card failed" in (row.error or "")
    assert "no_such_field" in (row.error or "")
    assert "could not be posted, so the request was not sent" in h.last_response_text()
    recovery.resume(h.bot.deps)  # and a restart does not send it either
    assert deploys(h) == 0 and only_request(h).state == "failed"


def test_an_approved_body_that_was_changed_is_not_sent(make) -> None:
    h = make(policy=None)
    h.command(MIXED)
    row = only_request(h)
    body = {**row.body, "noop": False, "scope": {"nodes": ["db01.example.com"]}}
    with h.store.write() as db:
        db.execute("UPDATE requests SET body = ? WHERE id = ?", [json.dumps(body), row.id])
    approve(h)
    assert deploys(h) == 0
    assert "fingerprint differs" in (only_request(h).error or "")


def test_an_approval_under_another_rule_is_void(make) -> None:
    # Approved, then the bot died before sending; the policy changed before the restart.
    h = make(policy=None)
    h.command(MIXED)
    row = only_request(h)
    approval = approvals.for_request(h.store.db, row.id)
    assert approval is not None
    with h.store.write() as db:
        approvals.add_vote(db, approval.id, "U0BOB", h.clock())
        approvals.decide(db, approval.id, state="approved", by="U0BOB", now=h.clock())
        requests.transition(db, row.id, ("awaiting_approval",), "approved", h.clock())
    stricter = parse_policy(
        '[[rule]]\nname = "two people"\nnode_environments = ["production*"]\n'
        'action = "approve"\napprovals = 2\n'
    )
    object.__setattr__(h.bot.deps, "policy", stricter)
    recovery.resume(h.bot.deps)
    assert deploys(h) == 0
    assert 'now decides it under rule "two people"' in (only_request(h).error or "")


def test_a_node_moved_into_production_voids_the_approval(make) -> None:
    h = make(policy=None)
    h.command(MIXED)
    web09 = h.sim.world.node("web09.example.com")
    assert web09 is not None
    change_nodes(h.sim, replace(web09, environment="production"))
    approve(h)
    assert deploys(h) == 0
    text = "\n".join(block_text(m.blocks or []) for m in h.slack.messages(CHANNEL))
    assert "the approval is void" in text and "web09.example.com (development → production)" in text
    audit = [r["action"] for r in h.store.db.execute("SELECT action FROM audit")]
    assert "approval_void" in audit


def test_a_covered_approval_is_sent_with_the_body_the_card_showed(make) -> None:
    h = make(policy=None)
    h.command(MIXED)
    fingerprint = only_request(h).fingerprint
    approve(h)
    assert deploys(h) == 1
    (approval,) = [
        approvals.get(h.store.db, r["id"]) for r in h.store.db.execute("SELECT id FROM approvals")
    ]
    assert approval is not None and approval.fingerprint == fingerprint


def test_a_request_the_policy_holds_at_send_time_is_held_not_sent(make) -> None:
    h = make(policy=None)
    h.command("/deploy production --nodes web09.example.com")  # development: runs at once
    assert deploys(h) == 1
    request = with_marker(
        DeployRequest(environment="production", scope=Scope.nodes(["web01.example.com"])),
        "r2",
        "U0ALICE",
    )
    with h.store.write() as db:
        requests.create(db, id="r2", now=h.clock(), channel_id=CHANNEL, user_id="U0ALICE",
                        command="deploy", text="/deploy", request=request)  # fmt: skip
    assert execute(h.bot.deps, "r2") is False
    assert requests.get(h.store.db, "r2").state == "awaiting_approval"  # type: ignore[union-attr]
    assert deploys(h) == 1
