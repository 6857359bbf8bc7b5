"""PuppetDB's query API v4 over the world's nodes: the root endpoint (PQL or AST with `from`)
and the nodes endpoint (AST), by GET `?query=` or POST `{"query": ...}`; the environments
endpoint (GET, every environment the world has).

Source: PuppetDB docs, "Root endpoint" and "API query tutorial" (help.puppet.com/pdb/8): the
root endpoint takes a PQL string or an AST array that starts with `from`; a POST carries the
query in a JSON body. A query PuppetDB cannot parse is a 400 with a plain-text message, as the
recorded PE 2016 bodies show (`pe-bodies/jenkins-pe-plugin/*_pdb_query_v4_bad_query.json`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from . import pql
from .pql_fields import rows
from .world import World

if TYPE_CHECKING:
    from .core import SimResponse

log = logging.getLogger(__name__)

PREFIX = "/pdb/query/v4"


def route(
    world: World, method: str, path: str, query: Mapping[str, list[str]], body: bytes
) -> SimResponse:
    from .core import SimResponse, json_response

    def text(status: int, message: str) -> SimResponse:
        return SimResponse(status, {"Content-Type": "text/plain"}, message.encode())

    sub = path[len(PREFIX) :].rstrip("/")
    if sub == "/environments" and method == "GET":
        # PuppetDB docs, "Environments endpoint": GET /pdb/query/v4/environments answers
        # [{"name": ...}] for every environment PuppetDB has seen.
        return json_response(200, [{"name": e.name} for e in world.environments])
    if sub not in ("", "/nodes"):
        return text(404, f"No such PuppetDB endpoint: {path}")
    if method not in ("GET", "POST"):
        return text(405, f"{method} is not allowed on {path}")
    try:
        raw = _query_of(method, query, body)
        if sub == "/nodes":
            raw = ["from", "nodes", *([_ast(raw)] if raw is not None else [])]
        elif raw is None:
            return text(400, "Missing required query parameter 'query'")
        return json_response(200, select(world, raw))
    except pql.QueryError as exc:
        return text(400, str(exc))


def _query_of(method: str, query: Mapping[str, list[str]], body: bytes) -> Any:
    if method == "POST" and body:
        try:
            data = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise pql.QueryError(f"The request body is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise pql.QueryError('A POST body is a JSON object: {"query": ...}')
        return data.get("query")
    values = query.get("query")
    return values[0] if values else None


def _ast(value: Any) -> Any:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise pql.QueryError(f"The nodes endpoint takes an AST query: {exc}") from exc
    return value


def select(world: World, query: Any) -> list[dict[str, Any]]:
    """The rows a query returns, in world order, with only the extracted fields if it names
    any (nested fields such as facts.os come back under their top-level name)."""
    entity, fields, pred = pql.parse(query)
    found: list[dict[str, Any]] = []
    for node in world.nodes:
        for row in rows(entity, node):
            if pred(row):
                clean = {k: v for k, v in row.items() if k != "_node"}
                if fields is not None:
                    clean = {f: clean.get(f.partition(".")[0]) for f in fields}
                found.append(clean)
    return found
