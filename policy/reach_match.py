"""Matching rules on what a request reaches: the reached nodes' environments, and `--via`.

A `run` rule's `node_environments` must hold for every reached node; an `approve` or `deny`
rule's for any one. What cannot be seen counts as `production` (policy.reach).
"""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase

from policy.model import ENV_COMMANDS, Subject
from policy.principals import join_or
from policy.reach import Reached

SHOWN = 3


def _fits(environment: str, globs: Sequence[str]) -> bool:
    return any(fnmatchcase(environment, g) for g in globs)


def _node(node: Reached) -> str:
    why = f", {node.why}" if node.why else ""
    return f"{node.certname} ({node.environment}{why})"


def nodes_phrase(nodes: Sequence[Reached]) -> str:
    """ "web01 (production)", or the first few and "and N more"."""
    shown = [_node(n) for n in nodes[:SHOWN]]
    more = len(nodes) - SHOWN
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def summary(nodes: Sequence[Reached]) -> str:
    """ "2 in production, 1 in development"."""
    counts: dict[str, int] = {}
    for node in nodes:
        counts[node.environment] = counts.get(node.environment, 0) + 1
    return ", ".join(f"{n} in {env}" for env, n in sorted(counts.items()))


def node_environment_miss(
    globs: Sequence[str], *, action: str, bounded: bool, subject: Subject, quiet: bool
) -> str | None:
    """Why the reached nodes do not fit this rule, or None when they do."""
    verb = subject.verb
    wanted = join_or(list(globs))
    if verb not in ENV_COMMANDS:
        return None if quiet else f"{verb or 'this command'} reaches no nodes, rule wants {wanted}"
    counted = subject.counted(bounded=bounded)
    inside = [n for n in counted if _fits(n.environment, globs)]
    if action == "run":
        outside = [n for n in counted if not _fits(n.environment, globs)]
        if outside:
            verb_ = "is" if len(outside) == 1 else "are"
            return (
                f"{nodes_phrase(outside)} {verb_} not in {wanted}; "
                "a run rule needs every reached node there"
            )
        return None
    if not inside:
        return f"no reached node is in {wanted} ({summary(counted)})"
    return None


def node_environment_hit(
    globs: Sequence[str], *, action: str, bounded: bool, subject: Subject
) -> str:
    """Why the reached nodes fit (the rule is known to match)."""
    counted = subject.counted(bounded=bounded)
    wanted = join_or(list(globs))
    if action == "run":
        return f"every reached node is in {wanted} ({summary(counted)})"
    inside = [n for n in counted if _fits(n.environment, globs)]
    return f"{nodes_phrase(inside)} {'is' if len(inside) == 1 else 'are'} in {wanted}"


def via_miss(globs: Sequence[str], subject: Subject, quiet: bool) -> str | None:
    """Why the request's `--via` profile does not fit, or None when it does."""
    wanted = join_or(list(globs))
    if subject.verb != "task":
        return None if quiet else f"only /task uses --via, rule wants profile {wanted}"
    via = subject.via if isinstance(subject.via, str) else None
    if not via:
        return f"no --via profile, rule wants {wanted}"
    if _fits(via, globs):
        return None
    return f"--via profile is {via}, rule wants {wanted}"
