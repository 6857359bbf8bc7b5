"""Who may run what, and what needs approval: the policy file, its defaults, and group lookups."""

from __future__ import annotations

from policy.engine import Policy, may_approve
from policy.explain import explain
from policy.loader import default_policy, load_policy, parse_policy, policy_from_settings
from policy.model import Decision, GroupResolver, PolicyError, Subject, Unresolved
from policy.rules import DEFAULT_RULES, Rule
from policy.slack_groups import SlackGroups

__all__ = [
    "DEFAULT_RULES",
    "Decision",
    "GroupResolver",
    "Policy",
    "PolicyError",
    "Rule",
    "SlackGroups",
    "Subject",
    "Unresolved",
    "default_policy",
    "explain",
    "load_policy",
    "may_approve",
    "parse_policy",
    "policy_from_settings",
]
