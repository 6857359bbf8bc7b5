"""The PuppetDB query API client: which certnames a query names, and each node's environments.

`POST <PUPPETDB_URL>/pdb/query/v4` with `{"query": ...}` (PuppetDB docs, "Root endpoint" and
"API query tutorial"); PE's PuppetDB accepts the RBAC token (PE docs, "Token-based
authentication"). Certnames the bot looks up are always sent as an AST array, never pasted
into PQL text, so a typed name cannot change the query.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from orchestrator.errors import QueryError
from orchestrator.service import ServiceClient

log = logging.getLogger(__name__)

API_PATH = "/pdb/query/v4"
ENVIRONMENTS = ("catalog_environment", "facts_environment", "report_environment")
# Certnames per lookup: the AST stays a few tens of KB however large the fleet.
BATCH = 500


@dataclass(frozen=True)
class NodeRecord:
    """One node as PuppetDB knows it: its certname and the three environments it records."""

    certname: str
    catalog_environment: str | None = None
    facts_environment: str | None = None
    report_environment: str | None = None

    @classmethod
    def parse(cls, row: Any) -> NodeRecord:
        if not isinstance(row, dict) or not isinstance(row.get("certname"), str):
            raise ValueError(f"a PuppetDB node row without a certname: {row!r}")

        def env(key: str) -> str | None:
            value = row.get(key)
            return value if isinstance(value, str) and value else None

        return cls(row["certname"], *(env(k) for k in ENVIRONMENTS))


def certname_lookup(certnames: Sequence[str]) -> list[Any]:
    """The AST query for these nodes' environments (the names are values, never query text)."""
    return [
        "from",
        "nodes",
        ["extract", ["certname", *ENVIRONMENTS], ["in", "certname", ["array", list(certnames)]]],
    ]


def nodes_matching(nodes_query: Any) -> list[Any]:
    """The root-endpoint form of a query for the nodes endpoint (a classifier translation)."""
    return ["from", "nodes", ["extract", ["certname", *ENVIRONMENTS], nodes_query]]


class PuppetDBClient(ServiceClient):
    """Speaks PuppetDB's query API v4 at `base_url` (`https://<primary>:8081`)."""

    name = "PuppetDB"

    def __init__(self, http: Any, base_url: str, token: str, **kwargs: Any) -> None:
        super().__init__(http, base_url.rstrip("/") + API_PATH, token, **kwargs)

    def query(self, query: str | list[Any]) -> list[Any]:
        """The rows of a PQL string or an AST array (which starts with `from`)."""
        rows = self.read("POST", "", body={"query": query})
        if not isinstance(rows, list):
            raise QueryError(
                "puppetdb/query-error", "PuppetDB answered without a list", {}, status=200
            )
        return rows

    def environments(self) -> list[str]:
        """The environments PuppetDB knows (GET /environments), in its order."""
        rows = self.read("GET", "/environments")
        names = (
            [r.get("name") for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
        )
        return [n for n in names if isinstance(n, str) and n]

    def certnames(self, query: str | list[Any]) -> list[str]:
        """The certnames at the top level of a query's rows, as the orchestrator collects its
        targets (orchestrator docs, scope `query`), in PuppetDB's order, each once."""
        found: dict[str, None] = {}
        for row in self.query(query):
            name = row.get("certname") if isinstance(row, dict) else None
            if not isinstance(name, str):
                raise QueryError(
                    "puppetdb/query-error",
                    "the query's results have no certname, so they name no nodes "
                    "(e.g. nodes[certname] { ... })",
                    {},
                    status=200,
                )
            found[name] = None
        return list(found)

    def nodes(self, certnames: Iterable[str]) -> dict[str, NodeRecord]:
        """The nodes PuppetDB knows among these certnames (absent ones are unknown to it)."""
        names = list(dict.fromkeys(certnames))
        known: dict[str, NodeRecord] = {}
        for start in range(0, len(names), BATCH):
            for row in self.query(certname_lookup(names[start : start + BATCH])):
                record = NodeRecord.parse(row)
                known[record.certname] = record
        return known

    def nodes_where(self, nodes_query: Any) -> dict[str, NodeRecord]:
        """Every node a nodes-endpoint AST query matches, with its environments."""
        records = (NodeRecord.parse(row) for row in self.query(nodes_matching(nodes_query)))
        return {r.certname: r for r in records}
