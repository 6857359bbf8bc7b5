"""`policy check`: each rule in order, whether it matched and why not, and what would happen."""

from __future__ import annotations

from policy.durations import format_duration
from policy.engine import Policy, rule_decision
from policy.model import Decision, GroupResolver, Subject, Unresolved, describe
from policy.principals import join_or, mention
from policy.rules import mismatches


def _request(subject: Subject) -> list[str]:
    size = subject.size
    env = "(none)" if subject.environment is None else (subject.environment or '"" (agents\' own)')
    return [
        f"Request: {describe(subject)}",
        f"  by {mention(subject.user_id)} in channel {subject.channel_id}",
        f"  command {subject.verb or '(none)'}, environment {env}, name {subject.name or '(none)'}",
        f"  {'noop' if subject.noop else 'enforcing'}{', --force' if subject.force else ''}, "
        f"target {'size unknown' if size is None else f'{size} node(s)'}",
    ]


def _group(ref: str, groups: GroupResolver) -> str:
    members = groups.members(ref)
    if isinstance(members, Unresolved):
        return f"{mention(ref)} (could not be looked up: nobody from it can approve)"
    shown = ", ".join(mention(m) for m in sorted(members)) or "nobody"
    return f"{mention(ref)} ({shown})"


def _approvers(decision: Decision, requester: str, groups: GroupResolver) -> list[str]:
    count = decision.required
    needs = "one approval" if count == 1 else f"{count} approvals from different people"
    lines = [
        f"  Needs {needs}; the request expires after {format_duration(decision.expiry_seconds)}."
    ]
    named = [f"members of {_group(g, groups)}" for g in decision.approvers_groups]
    named += [mention(u) for u in decision.approvers_users]
    if named:
        lines.append(f"  May approve: {join_or(named)}.")
    else:
        anyone = (
            "anyone, the requester included"
            if decision.self_approval
            else ("anyone except the requester")
        )
        lines.append(f"  May approve: {anyone}.")
    if decision.self_approval:
        lines.append(f"  The requester ({mention(requester)}) may approve their own request.")
    else:
        lines.append(f"  The requester ({mention(requester)}) may not approve their own request.")
    return lines


def explain(policy: Policy, subject: Subject, groups: GroupResolver) -> str:
    """A plain-text account of how the policy decides this subject, for `policy check`."""
    count = len(policy.rules)
    tail = "then the built-in defaults" if policy.defaults else "defaults off: no match is a deny"
    lines = _request(subject)
    lines += ["", f"Policy: {policy.source} ({count} rule{'' if count == 1 else 's'}, {tail})"]
    lines.append("Rules in order, first match wins:")
    chosen = None
    for number, rule in enumerate(policy.chain, 1):
        where = f" (line {rule.line})" if rule.line else ""
        head = f"  {number}. {rule.name}{where}"
        if chosen is not None:
            lines.append(f"{head}: not checked (an earlier rule matched)")
            continue
        misses = mismatches(rule, subject)
        if misses:
            lines.append(f"{head}: no match: " + "; ".join(misses))
        else:
            lines.append(f"{head}: MATCHES")
            chosen = rule
    assert chosen is not None  # the last rule in the chain matches anything
    decision = rule_decision(chosen, subject, groups)
    lines += ["", f'Decision: {decision.action.upper()} (rule "{decision.rule}")']
    lines.append(f"  {decision.reason}")
    if decision.action == "approve":
        lines += _approvers(decision, subject.user_id, groups)
    return "\n".join(lines)
