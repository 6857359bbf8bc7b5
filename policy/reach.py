"""What a request reaches: the nodes it can change, the environment each counts as, and why.

Pure: PuppetDB's answers come in as `NodeFacts`, the reach goes out as data the policy matches
and the cards show. A node counts as its `catalog_environment`, unless its facts or its last
report name a different environment that is production, which wins. Anything the bot cannot
see (a node PuppetDB does not know, a `--via` host, a resolution that is off or failed, a plan
that may pick its own targets) counts as `production`, with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

PRODUCTION = "production"
PRODUCTION_GLOB = "production*"

UNKNOWN_NODE = "PuppetDB does not know this node"
PLAN_OWN = "a plan can pick its own targets"


def is_production(environment: str) -> bool:
    return fnmatchcase(environment, PRODUCTION_GLOB)


@dataclass(frozen=True)
class NodeFacts:
    """The environments PuppetDB records for one node."""

    certname: str
    catalog_environment: str | None = None
    facts_environment: str | None = None
    report_environment: str | None = None


@dataclass(frozen=True)
class Reached:
    """One node a request reaches, the environment it counts as, and why when that is not
    simply its catalog environment."""

    certname: str
    environment: str
    why: str = ""


@dataclass(frozen=True)
class Reach:
    """Every node a request reaches. `unknown` says why part of it could not be seen (it then
    counts as production); `plan` names a plan, which may reach more than its targets."""

    nodes: tuple[Reached, ...] = ()
    unknown: str | None = None
    target: str = ""
    pinned: bool = False
    plan: str | None = None
    target_params: tuple[str, ...] = field(default=())

    @property
    def certnames(self) -> list[str]:
        return [n.certname for n in self.nodes]

    @property
    def known(self) -> bool:
        """Every reached node was seen: nothing counts as production for lack of an answer."""
        return self.unknown is None

    def counted(self, *, bounded: bool = False) -> list[Reached]:
        """What policy matches: each node as it counts, plus one `production` entry for what
        could not be seen. A plan counts as production unless `bounded` (a rule names it as
        bounded by its target parameters)."""
        if self.plan is not None and not bounded:
            return [Reached(f"plan {self.plan}", PRODUCTION, PLAN_OWN)]
        found = list(self.nodes)
        if self.unknown is not None or not found:
            found.append(Reached("(unresolved)", PRODUCTION, self.unknown or "no node was found"))
        return found

    def by_environment(self) -> list[tuple[str, list[Reached]]]:
        """The nodes grouped by the environment they count as, production first."""
        groups: dict[str, list[Reached]] = {}
        for node in self.nodes:
            groups.setdefault(node.environment, []).append(node)
        return sorted(groups.items(), key=lambda kv: (not is_production(kv[0]), kv[0]))

    def doubtful(self) -> list[Reached]:
        """Nodes counted as production for a reason (unknown to PuppetDB, facts or report in
        production, reached over SSH/WinRM)."""
        return [n for n in self.nodes if n.why]

    def to_json(self) -> dict[str, Any]:
        return {
            "nodes": [[n.certname, n.environment, n.why] for n in self.nodes],
            "unknown": self.unknown,
            "target": self.target,
            "pinned": self.pinned,
            "plan": self.plan,
            "target_params": list(self.target_params),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Reach | None:
        if not data:
            return None
        return cls(
            nodes=tuple(Reached(str(c), str(e), str(w or "")) for c, e, w in data["nodes"]),
            unknown=data.get("unknown"),
            target=str(data.get("target") or ""),
            pinned=bool(data.get("pinned")),
            plan=data.get("plan"),
            target_params=tuple(data.get("target_params") or ()),
        )


def counted(certname: str, facts: NodeFacts | None) -> Reached:
    """The environment one node counts as, and why when it is not its catalog environment."""
    if facts is None:
        return Reached(certname, PRODUCTION, UNKNOWN_NODE)
    if not facts.catalog_environment:
        return Reached(certname, PRODUCTION, "PuppetDB has no catalog environment for it")
    catalog = facts.catalog_environment
    for source, env in (
        ("facts", facts.facts_environment),
        ("last report", facts.report_environment),
    ):
        if env and env != catalog and is_production(env) and not is_production(catalog):
            return Reached(certname, env, f"its {source} environment is {env} (catalog {catalog})")
    return Reached(certname, catalog)


def of_nodes(certnames: Iterable[str], known: Mapping[str, NodeFacts]) -> tuple[Reached, ...]:
    """Each certname in the order given (once), as it counts."""
    return tuple(counted(c, known.get(c)) for c in dict.fromkeys(certnames))


def reached_over(hosts: Sequence[str], profile: str) -> tuple[Reached, ...]:
    """Hosts reached over SSH/WinRM: PuppetDB's environments say nothing about them."""
    why = f"reached over SSH/WinRM with profile {profile}"
    return tuple(Reached(h, PRODUCTION, why) for h in dict.fromkeys(hosts))


def moved_into_production(before: Reach | None, after: Reach) -> list[tuple[Reached, str]]:
    """Nodes that count as production now but did not when `before` was shown: (node, was)."""
    if before is None:
        return []
    was = {n.certname: n.environment for n in before.nodes}
    moved = []
    for node in after.nodes:
        old = was.get(node.certname)
        if old is not None and not is_production(old) and is_production(node.environment):
            moved.append((node, old))
    if before.known and not after.known:
        moved.append((Reached("(unresolved)", PRODUCTION, after.unknown or ""), "resolved"))
    return moved
