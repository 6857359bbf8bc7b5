"""The node classifier's `GET /classifier-api/v1/groups/<id>/rules` (and `GET /v1/groups`, the
list) over the world's groups.

Source: PE docs "GET /v1/groups/<id>/rules" (help.puppet.com/pe/current): the group's rule, its
rule with the inherited ones, and `translated.nodes_query_format` (an AST for PuppetDB's nodes
endpoint) and `inventory_query_format`; an unknown id is a 404, a malformed one a
`malformed-uuid`. The simulator's groups name nodes by certname or fnmatch pattern: a pattern
becomes a `~` rule on `name` (certname in PuppetDB), a plain name an `=` rule, as pinned nodes
appear in PE. A group marked `translatable: false` answers `translated: null` (the simulator's
choice for rules on structured or trusted facts, which the classifier cannot translate).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from .errors import ApiError
from .world import NodeGroup, World

if TYPE_CHECKING:
    from .core import SimResponse

log = logging.getLogger(__name__)

PREFIX = "/classifier-api/v1"
_RULES = re.compile(r"^/groups/([^/]+)/rules$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def route(world: World, method: str, path: str, query: Any, body: bytes) -> SimResponse:
    from .core import json_response

    sub = path[len(PREFIX) :].rstrip("/")
    if sub == "/groups" and method == "GET":
        # PE docs "GET /v1/groups": every group, with its id, name, environment, parent, rule...
        return json_response(200, [group_summary(g) for g in world.node_groups])
    found = _RULES.match(sub)
    if found is None:
        raise ApiError(404, "not-found", f"No classifier endpoint at {path}")
    if method != "GET":
        raise ApiError(405, "method-not-allowed", f"{method} is not allowed on {path}")
    group_id = found.group(1).lower()
    if not _UUID.match(group_id):
        raise ApiError(400, "malformed-uuid", f"The group id {found.group(1)!r} is not a UUID")
    group = world.group(group_id)
    if group is None:
        raise ApiError(404, "not-found", f"The group with id {group_id} does not exist")
    return json_response(200, group_rules(group))


def group_summary(group: NodeGroup) -> dict[str, Any]:
    """One group as GET /v1/groups lists it (the fields the bot reads, and a few beside)."""
    return {
        "id": group.id,
        "name": group.name,
        "environment": "production",
        "parent": "00000000-0000-4000-8000-000000000000",
        "rule": group_rules(group)["rule"],
        "classes": {},
        "variables": {},
    }


def group_rules(group: NodeGroup) -> dict[str, Any]:
    """The body of GET /v1/groups/<id>/rules for one group."""
    terms = [_term(p) for p in group.nodes]
    if not terms:
        return {"rule": None, "rule_with_inherited": None, "translated": None}
    rule = terms[0] if len(terms) == 1 else ["or", *terms]
    with_inherited = ["and", rule, ["~", "name", ".*"]]
    translated = None
    if group.translatable:
        nodes = [[op, "certname", value] for op, _, value in terms]
        translated = {
            "nodes_query_format": nodes[0] if len(nodes) == 1 else ["or", *nodes],
            "inventory_query_format": nodes[0] if len(nodes) == 1 else ["or", *nodes],
        }
    return {"rule": rule, "rule_with_inherited": with_inherited, "translated": translated}


def _term(pattern: str) -> list[str]:
    if not any(c in pattern for c in "*?["):
        return ["=", "name", pattern]
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return ["~", "name", f"^{regex}$"]
