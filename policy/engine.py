"""Deciding: the first matching rule says run, deny or approve; and who may approve."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from policy.model import Decision, GroupResolver, Subject, describe
from policy.principals import Hit, find, find_denied, is_user, mention, split, who
from policy.rules import DEFAULT_RULES, NO_MATCH, Rule, matches

BUILTIN = "built-in defaults"


def _approvals(n: int) -> str:
    return "one approval" if n == 1 else f"{n} approvals"


def _approvers_phrase(rule: Rule) -> str:
    if rule.approvers:
        return who(*split(rule.approvers))
    return (
        "anyone, the requester included"
        if rule.self_approval
        else ("someone other than the requester")
    )


def _with_reason(sentence: str, rule: Rule) -> str:
    return f"{sentence}: {rule.reason}" if rule.reason else sentence


def _denied_sentence(hit: Hit, subject: Subject) -> str:
    if hit.unresolved:
        # Slack could not tell us who is in the group; refusing is the safe way to be wrong.
        return (
            f"{mention(hit.ref)} could not be looked up in Slack and its members may not "
            f"{describe(subject)}, so the request is refused to be safe"
        )
    if is_user(hit.ref):
        return f"{mention(hit.ref)} may not {describe(subject)}"
    return f"members of {mention(hit.ref)} may not {describe(subject)}"


def rule_decision(rule: Rule, subject: Subject, groups: GroupResolver) -> Decision:
    """What a matching rule says for this requester."""
    user = subject.user_id if isinstance(subject.user_id, str) else ""
    hit = find_denied(user, rule.deny, groups)
    if hit is not None:
        return Decision("deny", rule.name, _with_reason(_denied_sentence(hit, subject), rule))
    if rule.requesters is not None and find(user, rule.requesters, groups) is None:
        sentence = f"only {who(*split(rule.requesters))} may {describe(subject)}"
        return Decision("deny", rule.name, _with_reason(sentence, rule))
    if rule.action == "deny":
        return Decision(
            "deny", rule.name, rule.reason or f"nobody may {describe(subject)} under this rule"
        )
    if rule.action == "run":
        sentence = f"{describe(subject)}: allowed at once by this rule"
        return Decision("run", rule.name, rule.reason or sentence)
    users, group_refs = split(rule.approvers)
    sentence = (
        f"this request ({describe(subject)}) needs {_approvals(rule.approvals)} "
        f"from {_approvers_phrase(rule)}"
    )
    return Decision(
        "approve",
        rule.name,
        rule.reason or sentence,
        approvers_users=users,
        approvers_groups=group_refs,
        required=rule.approvals,
        self_approval=rule.self_approval,
        expiry_seconds=rule.expiry,
    )


def may_approve(
    decision: Decision,
    approver: str,
    requester: str,
    groups: GroupResolver,
    *,
    already: Collection[str] = (),
) -> tuple[bool, str]:
    """May this person approve? (True, "") or (False, a sentence to show them)."""
    if decision.action != "approve":
        return False, "this request does not need approval"
    if approver in already:
        return False, (
            f"you have already approved this request; it needs {_approvals(decision.required)} "
            "from different people"
        )
    if approver == requester and not decision.self_approval:
        return False, "you asked for this run, and this rule forbids self-approval"
    users, group_refs = decision.approvers_users, decision.approvers_groups
    if not users and not group_refs:
        return True, ""
    if approver in users or find(approver, group_refs, groups) is not None:
        return True, ""
    return False, f"only {who(users, group_refs)} may approve"


@dataclass(frozen=True)
class Policy:
    """The rules from the file, in order, then (unless switched off) the built-in defaults."""

    rules: tuple[Rule, ...] = ()
    defaults: bool = True
    source: str = BUILTIN

    @property
    def chain(self) -> tuple[Rule, ...]:
        """Every rule tried, in order; the last one matches anything."""
        return self.rules + (DEFAULT_RULES if self.defaults else (NO_MATCH,))

    def first_match(self, subject: Subject) -> Rule:
        """The rule that decides: first match wins."""
        return next(rule for rule in self.chain if matches(rule, subject))

    def decide(self, subject: Subject, groups: GroupResolver) -> Decision:
        """Run, deny or approve, with the rule and a reason a person can read."""
        return rule_decision(self.first_match(subject), subject, groups)

    def may_approve(
        self,
        decision: Decision,
        approver: str,
        requester: str,
        groups: GroupResolver,
        *,
        already: Collection[str] = (),
    ) -> tuple[bool, str]:
        """See `may_approve`; a method so callers need only the policy object."""
        return may_approve(decision, approver, requester, groups, already=already)
