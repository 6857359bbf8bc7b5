"""`policy check`: each rule in order, whether it matched and why not, and what would happen."""

from __future__ import annotations

from policy.durations import format_duration
from policy.engine import Policy, rule_decision
from policy.model import (
    ENV_COMMANDS,
    UNRESOLVED,
    Decision,
    GroupResolver,
    Subject,
    Unresolved,
    describe,
)
from policy.principals import join_or, mention
from policy.reach import PLAN_OWN, Reach
from policy.reach_match import node_environment_hit
from policy.rules import Rule, mismatches


def _request(subject: Subject) -> list[str]:
    size = subject.size
    env = "(none)" if subject.environment is None else (subject.environment or '"" (agents\' own)')
    via = f", --via {subject.via}" if subject.via else ""
    return [
        f"Request: {describe(subject)}",
        f"  by {mention(subject.user_id)} in channel {subject.channel_id}"
        + (f", sent as PE user {subject.pe_user}" if subject.pe_user else ""),
        f"  command {subject.verb or '(none)'}, code environment {env}, "
        f"name {subject.name or '(none)'}{via}",
        f"  {'noop' if subject.noop else 'enforcing'}{', --force' if subject.force else ''}, "
        f"target {'size unknown' if size is None else f'{size} node(s)'}",
        *_reach(subject),
    ]


def _reach(subject: Subject) -> list[str]:
    """The resolved targets: each node's environment, and why some count as production."""
    if subject.verb not in ENV_COMMANDS:
        return []
    reach = subject.reach if isinstance(subject.reach, Reach) else UNRESOLVED
    pinned = " (pinned: these certnames are sent instead)" if reach.pinned else ""
    head = f"  Reaches: {reach.target or 'the targets'}{pinned}"
    lines = [head]
    for env, nodes in reach.by_environment():
        lines.append(f"    {env} ({len(nodes)}): " + ", ".join(n.certname for n in nodes))
    for node in reach.doubtful():
        lines.append(f"    counted as {node.environment}: {node.certname}: {node.why}")
    if reach.unknown:
        lines.append(f"    counted as production: {reach.unknown}")
    if reach.plan is not None:
        lines.append(
            f"    plan {reach.plan}: {PLAN_OWN}, so it counts as production unless a rule "
            "names it with bounded_by_targets = true"
        )
    return lines


def because(rule: Rule, subject: Subject) -> list[str]:
    """Why a matching rule matches: one phrase for each key it sets."""
    verb = subject.verb
    found = []
    if rule.commands is not None:
        found.append(f"command is {verb}")
    if rule.environments is not None:
        env = (
            "not named (counted as production)" if subject.own_environment else subject.environment
        )
        found.append(f"code environment {env} fits {join_or(list(rule.environments))}")
    if rule.node_environments is not None:
        found.append(
            node_environment_hit(
                rule.node_environments,
                action=rule.action,
                bounded=rule.bounded_by_targets,
                subject=subject,
            )
        )
    if rule.channels is not None:
        found.append(f"channel is {subject.channel_id}")
    if rule.names is not None:
        found.append(f"name {subject.name} fits {join_or(list(rule.names))}")
    if rule.noop is not None:
        found.append("a noop run" if subject.noop else "an enforcing run")
    if rule.force is not None:
        found.append("/stop --force" if subject.force else "a /stop without --force")
    if rule.repeating is not None:
        found.append("a repeating schedule" if subject.repeats else "not a repeating schedule")
    if rule.min_nodes is not None or rule.max_nodes is not None:
        size = subject.size
        found.append("target size unknown (counted as large)" if size is None else f"{size} nodes")
    if rule.via is not None:
        found.append(f"--via profile {subject.via}")
    if rule.pe_users is not None:
        found.append(f"PE user {subject.pe_user} fits {join_or(list(rule.pe_users))}")
    return found or ["the rule sets no condition, so it matches anything"]


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
            lines.append(f"{head}: MATCHES: " + "; ".join(because(rule, subject)))
            chosen = rule
    assert chosen is not None  # the last rule in the chain matches anything
    decision = rule_decision(chosen, subject, groups)
    lines += ["", f'Decision: {decision.action.upper()} (rule "{decision.rule}")']
    lines.append(f"  {decision.reason}")
    if decision.action == "approve":
        lines += _approvers(decision, subject.user_id, groups)
    return "\n".join(lines)
