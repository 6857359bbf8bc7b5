"""The built-in defaults: noop and the rest run, risky things need one other person."""

from __future__ import annotations

import pytest

from policy import Decision, Subject, default_policy
from policy.reach import Reach, of_nodes
from tests.policy.helpers import ALICE, BOB, DEV, NOBODY, PROD, reach, subject

DEFAULTS = default_policy()


def decide(s: Subject) -> Decision:
    return DEFAULTS.decide(s, NOBODY)


RULE = "default: enforcing run reaching production*"


@pytest.mark.parametrize("command", ["deploy", "task"])
@pytest.mark.parametrize("environment", ["production", "production_eu", "production-old"])
def test_an_enforcing_run_reaching_a_production_node_needs_one_other_approver(
    command: str, environment: str
) -> None:
    where = reach(("web01.example.com", environment))
    decision = decide(subject(command=command, environment="development", reach=where))
    assert decision.action == "approve"
    assert decision.rule == RULE
    assert decision.reason == (
        "enforcing runs that reach production* nodes (or nodes that count as production) "
        "need one approval from someone other than the requester"
    )
    assert decision.required == 1
    assert not decision.self_approval
    assert decision.approvers_users == decision.approvers_groups == ()
    assert decision.expiry_seconds == 1800


@pytest.mark.parametrize("command", ["deploy", "task", "plan"])
def test_noop_runs_in_production_run_at_once(command: str) -> None:
    decision = decide(subject(command=command, noop=True, reach=PROD))
    assert decision.action == "run"
    assert decision.rule == "default: everything else runs at once"


@pytest.mark.parametrize("environment", ["staging", "dev", "preproduction", "prod"])
@pytest.mark.parametrize("command", ["deploy", "task"])
def test_an_enforcing_run_reaching_no_production_node_runs_at_once(
    command: str, environment: str
) -> None:
    # Whatever environment the code comes from: -e names code, the nodes are what changes.
    where = reach(("web09.example.com", environment), ("web10.example.com", environment))
    assert decide(subject(command=command, environment="production", reach=where)).action == "run"


def test_one_production_node_among_many_is_enough_to_hold_it() -> None:
    where = reach(*[(f"web{i:02d}.example.com", "development") for i in range(9, 13)],
                  ("db01.example.com", "production"))  # fmt: skip
    assert decide(subject(environment="development", reach=where)).action == "approve"


def test_a_task_from_development_code_on_a_production_database_is_held() -> None:
    where = reach(("db01.example.com", "production"))
    decision = decide(subject(command="task", name="exec", environment="development", reach=where))
    assert (decision.action, decision.rule) == ("approve", RULE)


@pytest.mark.parametrize(
    "where",
    [None, Reach(unknown="PuppetDB could not be asked"), reach(plan="canary")],
    ids=["not resolved", "resolution failed", "a plan"],
)
def test_what_cannot_be_seen_counts_as_production(where: Reach | None) -> None:
    decision = decide(subject(environment="development", reach=where))
    assert (decision.action, decision.rule) == ("approve", RULE)


def test_a_node_puppetdb_does_not_know_counts_as_production() -> None:
    where = Reach(of_nodes(["ghost.example.com"], {}))
    assert decide(subject(environment="development", reach=where)).action == "approve"


def test_the_agents_own_environment_is_judged_by_the_nodes() -> None:
    assert decide(subject(environment="", reach=DEV)).action == "run"
    assert decide(subject(environment="", reach=PROD)).action == "approve"


def test_noop_run_in_the_agents_own_environment_runs() -> None:
    assert decide(subject(environment="", noop=True)).action == "run"


def test_forced_stop_needs_approval_and_plain_stop_runs() -> None:
    forced = decide(Subject("stop", ALICE, "C0PROD", force=True))
    assert (forced.action, forced.rule) == ("approve", "default: /stop --force")
    assert decide(Subject("stop", ALICE, "C0PROD")).action == "run"


def test_task_target_creation_needs_approval() -> None:
    decision = decide(Subject("task_target", ALICE, "C0PROD"))
    assert (decision.action, decision.rule) == ("approve", "default: task target creation")
    assert "someone other than the requester" in decision.reason


def test_default_approval_is_anyone_but_the_requester() -> None:
    decision = decide(subject())
    assert DEFAULTS.may_approve(decision, BOB, ALICE, NOBODY) == (True, "")
    allowed, why = DEFAULTS.may_approve(decision, ALICE, ALICE, NOBODY)
    assert not allowed
    assert why == "you asked for this run, and this rule forbids self-approval"


@pytest.mark.parametrize(
    "command",
    ["Deploy", "/deploy", " DEPLOY "],
)
def test_command_spelling_is_normalised(command: str) -> None:
    assert decide(subject(command=command)).action == "approve"


@pytest.mark.parametrize("command", ["task-target", "task target", "/task_target"])
def test_task_target_spellings(command: str) -> None:
    assert decide(Subject(command, ALICE, "C0PROD")).rule == "default: task target creation"


def test_unknown_command_falls_through_to_run_at_once() -> None:
    # Read-only commands are never asked about; if one is, it is harmless.
    assert decide(Subject("list", ALICE, "C0PROD")).action == "run"
