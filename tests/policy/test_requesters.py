"""Allow and deny lists, by user and by group, and a group Slack could not look up."""

from __future__ import annotations

from policy import Subject
from tests.policy.helpers import ALICE, BOB, CAROL, DEV, MALLORY, NOBODY, Groups, policy, subject

SRE = Groups({"@sre": {ALICE, BOB}, "S0CONTRACT": {MALLORY}})

ALLOW = policy("""
    [[rule]]
    name = "sre only"
    environments = ["production*"]
    requesters = ["@sre", "U0CAROL"]
    action = "run"
""")

DENY = policy("""
    [[rule]]
    name = "no contractors"
    environments = ["production*"]
    deny = ["S0CONTRACT", "U0EVE"]
    action = "run"
""")


def test_requesters_admit_group_members() -> None:
    assert ALLOW.decide(subject(user_id=BOB), SRE).action == "run"


def test_requesters_admit_listed_users() -> None:
    assert ALLOW.decide(subject(user_id=CAROL), SRE).action == "run"


def test_requesters_refuse_everyone_else_with_a_reason() -> None:
    decision = ALLOW.decide(subject(user_id=MALLORY), SRE)
    assert (decision.action, decision.rule) == ("deny", "sre only")
    assert decision.reason == "only members of @sre or <@U0CAROL> may deploy to production"


def test_requesters_apply_only_when_the_rule_matches() -> None:
    assert ALLOW.decide(subject(user_id=MALLORY, environment="dev", reach=DEV), SRE).action == "run"


def test_deny_by_group() -> None:
    decision = DENY.decide(subject(user_id=MALLORY), SRE)
    assert (decision.action, decision.rule) == ("deny", "no contractors")
    assert decision.reason == "members of <!subteam^S0CONTRACT> may not deploy to production"


def test_deny_by_user() -> None:
    decision = DENY.decide(subject(user_id="U0EVE"), SRE)
    assert decision.action == "deny"
    assert decision.reason == "<@U0EVE> may not deploy to production"


def test_people_not_denied_get_the_rules_action() -> None:
    assert DENY.decide(subject(user_id=ALICE), SRE).action == "run"


def test_deny_wins_over_requesters() -> None:
    p = policy("""
        [[rule]]
        name = "r"
        requesters = ["@sre"]
        deny = ["U0BOB"]
        action = "run"
    """)
    assert p.decide(subject(user_id=BOB), SRE).action == "deny"
    assert p.decide(subject(user_id=ALICE), SRE).action == "run"


def test_rule_reason_is_added_to_a_refusal() -> None:
    p = policy("""
        [[rule]]
        name = "r"
        deny = ["@contractors"]
        action = "run"
        reason = "contractors work in staging only"
    """)
    groups = Groups({"@contractors": {MALLORY}})
    assert p.decide(subject(user_id=MALLORY), groups).reason == (
        "members of @contractors may not deploy to production: contractors work in staging only"
    )


def test_an_unresolvable_allow_group_admits_nobody() -> None:
    broken = Groups(broken=["@sre"])
    assert ALLOW.decide(subject(user_id=BOB), broken).action == "deny"


def test_an_unresolvable_deny_group_refuses_everybody() -> None:
    # Slack failing must never let a denied person through.
    broken = Groups(broken=["S0CONTRACT"])
    decision = DENY.decide(subject(user_id=ALICE), broken)
    assert decision.action == "deny"
    assert "could not be looked up in Slack" in decision.reason


def test_an_empty_group_denies_nobody() -> None:
    assert DENY.decide(subject(user_id=MALLORY), NOBODY).action == "run"


def test_user_ids_never_trigger_group_lookups() -> None:
    groups = Groups()
    ALLOW.decide(Subject("deploy", CAROL, "C0PROD", "production"), groups)
    assert groups.asked == ["@sre"]
