"""Evaluate PuppetDB queries (PQL text or AST arrays) against the world's nodes; refuse the rest."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .pql_fields import MISSING, Pred, QueryError, check_entity, compare, getter, rows, same
from .pql_text import TextParser
from .world import Node

log = logging.getLogger(__name__)

__all__ = ["QueryError", "evaluate", "parse"]


def parse(query: Any) -> tuple[str, list[str] | None, Pred]:
    """(entity, extracted fields or None for all, row predicate) of a PQL text or AST query."""
    if isinstance(query, str) and query.lstrip().startswith("["):
        try:
            query = json.loads(query)
        except json.JSONDecodeError as exc:
            raise QueryError(f"Invalid JSON query: {exc}") from exc
    if isinstance(query, str):
        return TextParser(query).query()
    if isinstance(query, list):
        return _from_ast(query)
    raise QueryError("A query must be a PQL string or an AST array")


def evaluate(query: Any, nodes: Sequence[Node]) -> list[str]:
    """Certnames, in world order, of the nodes the query (PQL text or AST) returns."""
    entity, fields, pred = parse(query)
    if fields is not None and "certname" not in fields:
        raise QueryError("Query results must contain the certname key")
    found: dict[str, None] = {}
    for node in nodes:
        if any(pred(row) for row in rows(entity, node)):
            found[node.certname] = None
    return list(found)


def _from_ast(query: list[Any]) -> tuple[str, list[str] | None, Pred]:
    if len(query) < 2 or query[0] != "from":
        raise QueryError('An AST query must be ["from", <entity>, <query>?]')
    entity = check_entity(query[1])
    if len(query) > 3:
        raise QueryError("Paging clauses (limit, offset, order_by) are not supported")
    if len(query) == 2:
        return entity, None, lambda row: True
    clause = query[2]
    if isinstance(clause, list) and clause and clause[0] == "extract":
        if len(clause) not in (2, 3) or not isinstance(clause[1], list | str):
            raise QueryError('extract takes ["extract", [<fields>], <query>?]')
        fields = [clause[1]] if isinstance(clause[1], str) else list(clause[1])
        for f in fields:
            getter(entity, f)
        pred = _ast_pred(clause[2], entity) if len(clause) == 3 else (lambda row: True)
        return entity, fields, pred
    return entity, None, _ast_pred(clause, entity)


def _ast_pred(clause: Any, entity: str) -> Pred:
    if not isinstance(clause, list) or not clause or not isinstance(clause[0], str):
        raise QueryError(f"Invalid query clause {clause!r}")
    op, args = clause[0], clause[1:]
    if op in ("and", "or"):
        preds = [_ast_pred(a, entity) for a in args]
        combine: Callable[[Iterable[bool]], bool] = all if op == "and" else any
        return lambda row: combine(p(row) for p in preds)
    if op == "not":
        if len(args) != 1:
            raise QueryError("not takes exactly one clause")
        inner = _ast_pred(args[0], entity)
        return lambda row: not inner(row)
    if op == "null?":
        if len(args) != 2 or not isinstance(args[1], bool):
            raise QueryError('null? takes ["null?", <field>, <boolean>]')
        get = getter(entity, args[0])
        return lambda row: (get(row) in (None, MISSING)) == args[1]
    if op == "in" and len(args) == 2 and isinstance(args[1], list) and args[1][:1] == ["array"]:
        get, values = getter(entity, args[0]), args[1][1] if len(args[1]) > 1 else []
        return lambda row: any(same(get(row), v) for v in values)
    if op in ("=", "~", "<", ">", "<=", ">=") and len(args) == 2:
        return compare(op, getter(entity, args[0]), args[1])
    raise QueryError(f"Unsupported query operator {op!r}")
