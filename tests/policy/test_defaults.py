"""The built-in defaults: noop and the rest run, risky things need one other person."""

from __future__ import annotations

import pytest

from policy import Decision, Subject, default_policy
from tests.policy.helpers import ALICE, BOB, NOBODY, subject

DEFAULTS = default_policy()


def decide(s: Subject) -> Decision:
    return DEFAULTS.decide(s, NOBODY)


@pytest.mark.parametrize("command", ["deploy", "task", "plan"])
@pytest.mark.parametrize("environment", ["production", "production_eu", "production-old"])
def test_enforcing_run_in_production_needs_one_other_approver(
    command: str, environment: str
) -> None:
    decision = decide(subject(command=command, environment=environment, name="package"))
    assert decision.action == "approve"
    assert decision.rule == "default: enforcing run in production*"
    assert decision.reason == (
        "enforcing runs in production* need one approval from someone other than the requester"
    )
    assert decision.required == 1
    assert not decision.self_approval
    assert decision.approvers_users == decision.approvers_groups == ()
    assert decision.expiry_seconds == 1800


@pytest.mark.parametrize("command", ["deploy", "task", "plan"])
def test_noop_runs_in_production_run_at_once(command: str) -> None:
    decision = decide(subject(command=command, noop=True))
    assert decision.action == "run"
    assert decision.rule == "default: everything else runs at once"


@pytest.mark.parametrize("environment", ["staging", "dev", "preproduction", "prod"])
def test_enforcing_runs_outside_production_run_at_once(environment: str) -> None:
    assert decide(subject(environment=environment)).action == "run"


@pytest.mark.parametrize("environment", ["", "   ", None])
def test_a_run_without_a_named_environment_counts_as_production(environment: str | None) -> None:
    decision = decide(subject(environment=environment))
    assert decision.action == "approve"
    assert decision.rule == "default: enforcing run in production*"


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
