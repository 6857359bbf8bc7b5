"""`policy check` explanations: every rule in order, why it missed, the decision, the approvers."""

from __future__ import annotations

from policy import Subject, default_policy, explain
from tests.policy.helpers import ALICE, BOB, CAROL, NOBODY, Groups, policy, subject

P = policy("""
    [[rule]]
    name = "dev anything"
    environments = ["dev*"]
    action = "run"

    [[rule]]
    name = "prod"
    environments = ["production*"]
    channels = ["C0PROD"]
    action = "approve"
    approvers = ["@sre-leads", "U0CAROL"]
    approvals = 2
    expiry = "1h"
""")
LEADS = Groups({"@sre-leads": {ALICE, BOB}})


def test_explains_each_rule_and_the_decision() -> None:
    text = explain(P, subject(node_count=3), LEADS)
    assert "Request: deploy to production" in text
    assert "by <@U0ALICE> in channel C0PROD" in text
    assert "target 3 node(s)" in text
    assert "Policy: policy.toml (2 rules, then the built-in defaults)" in text
    assert (
        "  1. dev anything (line 2): no match: environment is production, rule wants dev*" in text
    )
    assert "  2. prod (line 7): MATCHES" in text
    assert "  3. default: /stop --force: not checked (an earlier rule matched)" in text
    assert 'Decision: APPROVE (rule "prod")' in text
    assert "Needs 2 approvals from different people; the request expires after 1 hour." in text
    assert "May approve: members of @sre-leads (<@U0ALICE>, <@U0BOB>) or <@U0CAROL>." in text
    assert "The requester (<@U0ALICE>) may not approve their own request." in text


def test_explains_a_miss_into_the_defaults() -> None:
    text = explain(P, subject(channel_id="C0DEV"), LEADS)
    assert "2. prod (line 7): no match: channel is C0DEV, rule wants C0PROD" in text
    assert "5. default: enforcing run reaching production*: MATCHES: command is deploy; " in text
    assert "(unresolved) (production, the targets were not resolved) is in production*" in text
    assert "May approve: anyone except the requester." in text


def test_explains_a_run() -> None:
    text = explain(default_policy(), subject(noop=True), NOBODY)
    assert "Policy: built-in defaults (0 rules, then the built-in defaults)" in text
    assert 'Decision: RUN (rule "default: everything else runs at once")' in text
    assert "May approve" not in text


def test_explains_a_denial() -> None:
    p = policy('[[rule]]\nname = "sre"\nrequesters = ["@sre"]\naction = "run"\n')
    text = explain(p, subject(user_id=CAROL), Groups({"@sre": {ALICE}}))
    assert 'Decision: DENY (rule "sre")' in text
    assert "only members of @sre may deploy to production" in text


def test_explains_an_unresolvable_group_and_defaults_off() -> None:
    p = policy("""
        defaults = false
        [[rule]]
        name = "x"
        commands = ["plan"]
        action = "approve"
        approvers = ["@sre-leads"]
    """)
    text = explain(
        p, Subject("plan", ALICE, "C1", None, "canary::random"), Groups(broken=["@sre-leads"])
    )
    assert "defaults off: no match is a deny" in text
    assert "@sre-leads (could not be looked up: nobody from it can approve)" in text
    odd = explain(p, Subject("", "", "", node_count=0), NOBODY)
    assert 'Decision: DENY (rule "default: no rule matched")' in odd
