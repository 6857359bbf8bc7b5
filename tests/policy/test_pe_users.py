"""Rules can match the PE user a request is sent as (person mode), with globs; in service mode
no PE user matches, so such rules never apply to the service account's sends."""

from __future__ import annotations

import pytest

from policy import PolicyError
from policy.rules import mismatches
from tests.policy.helpers import NOBODY, policy, subject

RULES = """
defaults = false

[[rule]]
name = "viewers may not run anything through the bot"
pe_users = ["viewer", "readonly-*"]
action = "deny"
reason = "read-only PE users do not run things here"

[[rule]]
name = "the rest runs"
action = "run"
"""


@pytest.mark.parametrize(
    "pe_user, action",
    [("viewer", "deny"), ("READONLY-bob", "deny"), ("operator", "run"), (None, "run")],
)
def test_a_rule_matches_pe_users(pe_user, action) -> None:
    decision = policy(RULES).decide(subject(pe_user=pe_user), NOBODY)
    assert decision.action == action


def test_the_miss_says_which_pe_user_it_saw() -> None:
    rule = policy(RULES).chain[0]
    assert "PE user is operator" in " ".join(mismatches(rule, subject(pe_user="operator")))
    assert "service account" in " ".join(mismatches(rule, subject()))


def test_pe_users_must_be_a_list_of_strings() -> None:
    with pytest.raises(PolicyError, match="pe_users"):
        policy('[[rule]]\nname = "x"\npe_users = [1]\naction = "run"\n')
