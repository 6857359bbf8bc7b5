"""Shared test helpers: an in-memory GroupResolver, subjects and policies from text."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from policy import Policy, Subject, Unresolved, parse_policy
from policy.reach import NodeFacts, Reach, of_nodes


class Groups:
    """GroupResolver from a dict; a group listed in `broken` answers Unresolved."""

    def __init__(
        self, members: Mapping[str, Iterable[str]] | None = None, broken: Iterable[str] = ()
    ) -> None:
        self._members = {k: frozenset(v) for k, v in (members or {}).items()}
        self._broken = set(broken)
        self.asked: list[str] = []

    def members(self, group: str) -> frozenset[str]:
        self.asked.append(group)
        if group in self._broken:
            return Unresolved()
        return self._members.get(group, frozenset())


NOBODY = Groups()
ALICE, BOB, CAROL, MALLORY = "U0ALICE", "U0BOB", "U0CAROL", "U0MALLORY"

BASE = Subject(command="deploy", user_id=ALICE, channel_id="C0PROD", environment="production")


def subject(**changes: Any) -> Subject:
    """A production enforcing deploy by Alice in C0PROD, with changes."""
    return replace(BASE, **changes)


def policy(text: str) -> Policy:
    """A policy from dedented TOML text."""
    return parse_policy(textwrap.dedent(text))


def reach(*nodes: tuple[str, str], unknown: str | None = None, plan: str | None = None) -> Reach:
    """A resolved reach: (certname, catalog environment) pairs, as PuppetDB would answer."""
    known = {c: NodeFacts(c, e, e, e) for c, e in nodes}
    return Reach(of_nodes(known, known), unknown, target=f"{len(nodes)} nodes", plan=plan)


DEV = reach(("web09.example.com", "development"))
PROD = reach(("web01.example.com", "production"))
