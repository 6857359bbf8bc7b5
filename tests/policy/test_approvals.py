"""Who may approve: named approvers, N of M, self-approval, and the approve decision itself."""

from __future__ import annotations

from policy import Decision, may_approve
from tests.policy.helpers import ALICE, BOB, CAROL, MALLORY, NOBODY, Groups, policy, subject

LEADS = Groups({"@sre-leads": {ALICE, BOB}})

TWO_LEADS = policy("""
    [[rule]]
    name = "prod"
    environments = ["production*"]
    action = "approve"
    approvers = ["@sre-leads", "U0CAROL"]
    approvals = 2
    expiry = "2h"
""")


def test_approve_decision_carries_the_rule() -> None:
    decision = TWO_LEADS.decide(subject(), LEADS)
    assert decision == Decision(
        action="approve",
        rule="prod",
        reason=(
            "this request (deploy to production) needs 2 approvals from members of "
            "@sre-leads or <@U0CAROL>"
        ),
        approvers_users=(CAROL,),
        approvers_groups=("@sre-leads",),
        required=2,
        self_approval=False,
        expiry_seconds=7200.0,
    )


def test_named_approvers_may_approve() -> None:
    decision = TWO_LEADS.decide(subject(user_id=MALLORY), LEADS)
    assert may_approve(decision, BOB, MALLORY, LEADS) == (True, "")
    assert may_approve(decision, CAROL, MALLORY, LEADS) == (True, "")


def test_others_are_told_who_may() -> None:
    decision = TWO_LEADS.decide(subject(user_id=MALLORY), LEADS)
    assert may_approve(decision, "U0DAVE", MALLORY, LEADS) == (
        False,
        "only members of @sre-leads or <@U0CAROL> may approve",
    )


def test_requester_in_the_approver_group_still_may_not_self_approve() -> None:
    decision = TWO_LEADS.decide(subject(user_id=ALICE), LEADS)
    assert may_approve(decision, ALICE, ALICE, LEADS) == (
        False,
        "you asked for this run, and this rule forbids self-approval",
    )


def test_self_approval_when_the_rule_allows_it() -> None:
    p = policy("""
        [[rule]]
        name = "own"
        action = "approve"
        approvers = ["@sre-leads"]
        self_approval = true
    """)
    decision = p.decide(subject(user_id=ALICE), LEADS)
    assert decision.self_approval
    assert may_approve(decision, ALICE, ALICE, LEADS) == (True, "")
    # Self-approval does not make an outsider an approver.
    assert not may_approve(decision, MALLORY, MALLORY, LEADS)[0]


def test_without_named_approvers_anyone_but_the_requester() -> None:
    p = policy('[[rule]]\nname = "any"\naction = "approve"\n')
    decision = p.decide(subject(), NOBODY)
    assert decision.reason == (
        "this request (deploy to production) needs one approval from someone other than the "
        "requester"
    )
    assert may_approve(decision, MALLORY, ALICE, NOBODY) == (True, "")
    assert not may_approve(decision, ALICE, ALICE, NOBODY)[0]


def test_n_of_m_needs_different_people() -> None:
    decision = TWO_LEADS.decide(subject(user_id=MALLORY), LEADS)
    assert may_approve(decision, ALICE, MALLORY, LEADS) == (True, "")
    allowed, why = may_approve(decision, ALICE, MALLORY, LEADS, already=[ALICE])
    assert not allowed
    assert why == (
        "you have already approved this request; it needs 2 approvals from different people"
    )
    assert may_approve(decision, CAROL, MALLORY, LEADS, already=[ALICE]) == (True, "")


def test_a_decision_that_is_not_approve_cannot_be_approved() -> None:
    decision = Decision("run", "r", "fine")
    assert may_approve(decision, BOB, ALICE, NOBODY) == (
        False,
        "this request does not need approval",
    )


def test_an_unresolvable_approver_group_approves_nobody() -> None:
    decision = TWO_LEADS.decide(subject(user_id=MALLORY), LEADS)
    broken = Groups(broken=["@sre-leads"])
    assert not may_approve(decision, ALICE, MALLORY, broken)[0]
    assert may_approve(decision, CAROL, MALLORY, broken) == (True, "")


def test_group_membership_is_read_at_approval_time() -> None:
    decision = TWO_LEADS.decide(subject(user_id=MALLORY), LEADS)
    moved = Groups({"@sre-leads": {BOB}})
    assert not may_approve(decision, ALICE, MALLORY, moved)[0]


def test_policy_method_matches_the_function() -> None:
    decision = TWO_LEADS.decide(subject(user_id=MALLORY), LEADS)
    assert TWO_LEADS.may_approve(decision, BOB, MALLORY, LEADS) == (True, "")
