"""Properties: no Subject makes policy raise; no file makes loading raise but PolicyError."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from policy import (
    Policy,
    PolicyError,
    Subject,
    default_policy,
    explain,
    load_policy,
    may_approve,
    parse_policy,
)
from tests.policy.helpers import ALICE, BOB, Groups

EXAMPLE = load_policy(Path(__file__).resolve().parents[2] / "policy" / "example.toml")
# No example database (nothing written to the checkout) and no deadline (CI machines vary).
QUICK = settings(max_examples=300, deadline=None, database=None)
GROUPS = Groups({"@sre": {ALICE}, "@sre-leads": {BOB}}, broken=["@contractors"])

commands = st.sampled_from(["deploy", "task", "plan", "stop", "task_target", "", "DEPLOY", "x"])
environments = st.one_of(
    st.none(), st.sampled_from(["", " ", "production", "production_eu", "staging"]), st.text()
)
subjects = st.builds(
    Subject,
    command=commands,
    user_id=st.sampled_from([ALICE, BOB, "U0OTHER", ""]),
    channel_id=st.sampled_from(["C0PROD", "C0DEV", ""]),
    environment=environments,
    name=st.one_of(st.none(), st.sampled_from(["package", "canary::x", ""]), st.text()),
    noop=st.booleans(),
    force=st.booleans(),
    node_count=st.one_of(st.none(), st.integers(min_value=-5, max_value=10_000)),
)


@QUICK
@given(subjects, st.sampled_from([default_policy(), EXAMPLE]))
def test_any_subject_gets_a_decision(subject: Subject, policy: Policy) -> None:
    decision = policy.decide(subject, GROUPS)
    assert decision.action in ("run", "deny", "approve")
    assert decision.rule and decision.reason
    assert explain(policy, subject, GROUPS).count("MATCHES") == 1
    ok, why = may_approve(decision, BOB, subject.user_id, GROUPS)
    assert ok or why


@QUICK
@given(subjects)
def test_defaults_never_let_an_enforcing_production_run_through(subject: Subject) -> None:
    verb = subject.command.strip().lower()
    production = (
        subject.environment is None
        or not subject.environment.strip()
        or (subject.environment.startswith("production"))
    )
    if verb in ("deploy", "task", "plan") and not subject.noop and production:
        decision = default_policy().decide(subject, GROUPS)
        assert decision.action == "approve"
        assert not may_approve(decision, subject.user_id, subject.user_id, GROUPS)[0]


FRAGMENTS = [
    "[[rule]]", 'name = "a"', 'name = "b"', 'action = "run"', 'action = "approve"',
    'action = "deny"', "approvals = 0", "approvals = 2", 'approvers = ["U0A", "@sre"]',
    'commands = ["stop"]', 'commands = ["plan", "tsk"]', "force = true", "noop = 1",
    'environments = ["prod[", ""]', 'names = ["x::*"]', "min_nodes = 5", "max_nodes = 2",
    'expiry = "0s"', 'expiry = "1h"', "self_approval = true", 'deny = ["bob"]',
    'requesters = ["@sre"]', "defaults = false", "[rule]", "[[rules]]", "x = ", '"""',
    'reason = """', "multi", '"""', "# comment", "", "unknown = 1",
]  # fmt: skip


@QUICK
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=14))
def test_any_file_loads_or_says_which_line(lines: list[str]) -> None:
    text = "\n".join(lines)
    try:
        parse_policy(text)
    except PolicyError as error:
        assert error.line is not None
        assert 1 <= error.line <= max(1, len(lines))
        assert str(error).startswith(f"policy.toml line {error.line}: ")
