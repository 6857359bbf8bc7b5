"""What PuppetDB queries see: per-entity rows for a node, field access and comparisons."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from .world import Node

log = logging.getLogger(__name__)

Row = dict[str, Any]
Pred = Callable[[Row], bool]

_NODEFIELDS = {
    "certname",
    "catalog_environment",
    "facts_environment",
    "report_environment",
    "deactivated",
    "expired",
    "latest_report_status",
    "latest_report_noop",
    "cached_catalog_status",
}
FIELDS = {
    "nodes": _NODEFIELDS,
    "inventory": {"certname", "environment", "timestamp", "facts", "trusted"},
    "facts": {"certname", "name", "value", "environment"},
}
MISSING = object()


class QueryError(ValueError):
    """A query the simulator cannot evaluate; the API answers it with query-error."""


def rows(entity: str, node: Node) -> list[Row]:
    """The rows a node contributes to an entity, shaped like PuppetDB's (plus `_node`)."""
    return [{**row, "_node": node} for row in _entity_rows(entity, node)]


def _entity_rows(entity: str, node: Node) -> list[Row]:
    facts_env = node.facts_environment or node.environment
    if entity == "facts":
        return [
            {"certname": node.certname, "name": k, "value": v, "environment": facts_env}
            for k, v in node.facts.items()
        ]
    if entity == "inventory":
        trusted = {
            "certname": node.certname,
            "authenticated": "remote",
            "extensions": {},
            "domain": node.certname.partition(".")[2],
            "hostname": node.certname.partition(".")[0],
        }
        return [
            {
                "certname": node.certname,
                "environment": facts_env,
                "timestamp": None,
                "facts": node.facts,
                "trusted": trusted,
            }
        ]
    status = {"failed": "failed", "changed": "changed"}.get(node.outcome, "unchanged")
    return [
        {
            "certname": node.certname,
            "catalog_environment": node.environment,
            "facts_environment": facts_env,
            "report_environment": node.report_environment or node.environment,
            "deactivated": None,
            "expired": None,
            "latest_report_status": status,
            "latest_report_noop": False,
            "cached_catalog_status": "not_used",
        }
    ]


def check_entity(entity: Any) -> str:
    if entity not in FIELDS:
        raise QueryError(
            f"Unsupported entity {entity!r}: the simulator evaluates {', '.join(sorted(FIELDS))}"
        )
    return entity


def getter(entity: str, field: Any) -> Callable[[Row], Any]:
    if not isinstance(field, str):
        raise QueryError(f"Invalid field {field!r}")
    head, _, rest = field.partition(".")
    if head not in FIELDS[entity] or (rest and head not in ("facts", "trusted")):
        raise QueryError(f"'{field}' is not a queryable object for {entity}")
    path = rest.split(".") if rest else []

    def get(row: Row) -> Any:
        value = row.get(head, MISSING)
        for part in path:
            value = value.get(part, MISSING) if isinstance(value, dict) else MISSING
        return value

    return get


def same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def compare(op: str, get: Callable[[Row], Any], value: Any) -> Pred:
    if op in ("=", "!="):
        eq: Pred = lambda row: same(get(row), value)  # noqa: E731
        return eq if op == "=" else (lambda row: not eq(row))
    if op in ("~", "!~"):
        if not isinstance(value, str):
            raise QueryError(f"The regular expression for {op} must be a string")
        try:
            regex = re.compile(value)
        except re.error as exc:
            raise QueryError(f"Invalid regular expression {value!r}: {exc}") from exc
        match: Pred = lambda row: isinstance(v := get(row), str) and bool(regex.search(v))  # noqa: E731
        return match if op == "~" else (lambda row: not match(row))
    if op in ("<", ">", "<=", ">="):
        if not is_number(value):
            raise QueryError(f"Operator {op} needs a number, got {value!r}")
        test = {"<": float.__lt__, ">": float.__gt__, "<=": float.__le__, ">=": float.__ge__}[op]
        return lambda row: is_number(v := get(row)) and test(float(v), float(value))
    raise QueryError(f"Unsupported operator {op!r}")


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def subquery(entity: str, pred: Pred, outer: str) -> Pred:
    # An implicit subquery (`facts { ... }`) holds when any row of that entity for the node does.
    if entity == outer:
        raise QueryError(f"Cannot nest {entity} inside {outer}")

    def test(row: Row) -> bool:
        node = row["_node"]
        return any(pred(r) for r in rows(entity, node))

    return test
