"""What a request reaches and how policy matches it: node environments, --via, bounded plans."""

from __future__ import annotations

import pytest

from policy import PolicyError, explain, parse_policy
from policy.reach import (
    PLAN_OWN,
    UNKNOWN_NODE,
    NodeFacts,
    Reach,
    Reached,
    counted,
    moved_into_production,
    of_nodes,
    reached_over,
)
from tests.policy.helpers import DEV, NOBODY, PROD, policy, reach, subject


@pytest.mark.parametrize(
    "facts, environment, why",
    [
        (NodeFacts("a", "development", "development", "development"), "development", ""),
        (NodeFacts("a", "development", "production", "development"), "production", "facts"),
        (NodeFacts("a", "development", None, "production_eu"), "production_eu", "last report"),
        (NodeFacts("a", "production", "development", "development"), "production", ""),
        (NodeFacts("a", "development", "staging", "test"), "development", ""),
        (NodeFacts("a", None, "development", None), "production", "no catalog environment"),
        (None, "production", UNKNOWN_NODE),
    ],
)
def test_the_environment_a_node_counts_as(
    facts: NodeFacts | None, environment: str, why: str
) -> None:
    node = counted("a", facts)
    assert node.environment == environment
    assert why in node.why and bool(why) == bool(node.why)


def test_nodes_keep_their_typed_order_once() -> None:
    known = {"b": NodeFacts("b", "development")}
    assert [n.certname for n in of_nodes(["b", "a", "b"], known)] == ["b", "a"]


def test_what_cannot_be_seen_counts_as_production() -> None:
    assert Reach(unknown="off").counted()[-1].environment == "production"
    assert Reach().counted()[0].environment == "production"  # nothing found: not "nothing"
    plan = reach(("web09.example.com", "development"), plan="canary")
    assert plan.counted() == [Reached("plan canary", "production", PLAN_OWN)]
    assert [n.environment for n in plan.counted(bounded=True)] == ["development"]
    assert {n.why for n in reached_over(["h.win.example.com"], "win")} == {
        "reached over SSH/WinRM with profile win"
    }


def test_a_reach_round_trips_through_the_store() -> None:
    original = reach(("web01.example.com", "production"), unknown="partly", plan="p")
    assert Reach.from_json(original.to_json()) == original


def test_moving_into_production_is_found() -> None:
    before = reach(("a", "development"), ("b", "production"))
    after = reach(("a", "production"), ("b", "production"))
    assert [(n.certname, was) for n, was in moved_into_production(before, after)] == [
        ("a", "development")
    ]
    assert moved_into_production(after, before) == []
    gone = Reach(of_nodes(["a", "b"], {}), "PuppetDB could not be asked")
    assert [n.certname for n, _ in moved_into_production(before, gone)] == ["a", "(unresolved)"]


RUN_DEV = policy("""
    defaults = false
    [[rule]]
    name = "dev runs"
    node_environments = ["development", "test*"]
    action = "run"
    [[rule]]
    name = "prod needs approval"
    node_environments = ["production*"]
    action = "approve"
    [[rule]]
    name = "rest"
    action = "deny"
    """)


def test_a_run_rule_needs_every_node_and_an_approve_rule_any() -> None:
    mixed = reach(("web09.example.com", "development"), ("web01.example.com", "production"))
    assert RUN_DEV.decide(subject(reach=DEV), NOBODY).rule == "dev runs"
    assert RUN_DEV.decide(subject(reach=mixed), NOBODY).rule == "prod needs approval"
    tests = reach(("t1", "test_a"), ("t2", "development"))
    assert RUN_DEV.decide(subject(reach=tests), NOBODY).rule == "dev runs"
    assert RUN_DEV.decide(subject(reach=None), NOBODY).rule == "prod needs approval"
    staging = reach(("s1", "staging"))
    assert RUN_DEV.decide(subject(reach=staging), NOBODY).rule == "rest"


def test_explain_says_why_a_rule_matched_and_why_not() -> None:
    mixed = reach(("web09.example.com", "development"), ("web01.example.com", "production"))
    text = explain(RUN_DEV, subject(reach=mixed), NOBODY)
    assert "production (1): web01.example.com" in text and "development (1): web09" in text
    assert (
        "1. dev runs (line 3): no match: web01.example.com (production) is not in "
        "development or test*; a run rule needs every reached node there" in text
    )
    assert "2. prod needs approval (line 7): MATCHES: web01.example.com (production) is in " in text


def test_via_rules_match_the_profile() -> None:
    p = policy("""
        defaults = false
        [[rule]]
        name = "windows facts"
        names = ["facts"]
        via = ["win*"]
        action = "run"
        [[rule]]
        name = "rest"
        action = "deny"
        """)
    task = subject(command="task", name="facts", reach=PROD)
    assert p.decide(task, NOBODY).rule == "rest"
    assert p.decide(task.__class__(**{**task.__dict__, "via": "windows"}), NOBODY).rule == (
        "windows facts"
    )
    assert p.decide(task.__class__(**{**task.__dict__, "via": "linux"}), NOBODY).rule == "rest"


def test_a_plan_is_bounded_only_by_a_rule_that_names_it() -> None:
    p = policy("""
        [[rule]]
        name = "canary on dev"
        commands = ["plan"]
        names = ["canary"]
        bounded_by_targets = true
        node_environments = ["development"]
        action = "run"
        """)
    dev_targets = reach(("web09.example.com", "development"), plan="canary")
    assert p.decide(subject(command="plan", name="canary", reach=dev_targets), NOBODY).action == (
        "run"
    )
    other = reach(("web09.example.com", "development"), plan="other")
    decision = p.decide(subject(command="plan", name="other", reach=other), NOBODY)
    assert decision.action == "approve"  # unbounded: the plan counts as production


@pytest.mark.parametrize(
    "keys, message",
    [
        ('bounded_by_targets = true\ncommands = ["plan"]', "the rule must name them"),
        ('bounded_by_targets = true\nnames = ["x"]\ncommands = ["task"]', 'add "plan"'),
        ('node_environments = [""]', "every node is in some environment"),
        ('node_environments = ["Prod"]', "cannot appear in an environment name"),
        ('via = ["a b"]', "bad profile name"),
        ('via = ["win"]\ncommands = ["deploy"]', "only task has --via"),
        ('expiry = "99999999999d"', "expiry: must be at most 7d"),
        ("expiry = 5", "expiry: must be at least 10s"),
    ],
)
def test_the_new_keys_are_checked(keys: str, message: str) -> None:
    with pytest.raises(PolicyError, match="line") as caught:
        parse_policy(f'[[rule]]\nname = "r"\naction = "approve"\n{keys}\n')
    assert message in str(caught.value)


def test_the_longest_expiry_is_accepted() -> None:
    p = parse_policy('[[rule]]\nname = "r"\naction = "approve"\nexpiry = "7d"\n')
    assert p.rules[0].expiry == 7 * 86400
