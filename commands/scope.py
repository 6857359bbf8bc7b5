"""Which nodes a command runs on: exactly one of --nodes, --query or --node-group."""

from __future__ import annotations

from typing import Any

from commands.grammar import Args, Form, load_json, q
from commands.names import certname, node_group_id
from commands.usage import SCOPE_FORMS
from orchestrator.requests import SCOPE_KINDS, Scope


def query(text: str, flag: str, form: Form, *, json_allowed: bool = True) -> str | list[Any]:
    """A PQL string as typed, or a PuppetDB JSON query (it starts with `[`) as a list."""
    text = text.strip()
    if not text:
        raise form.error(f"{flag} needs a query, e.g. {flag} 'nodes[certname] {{ }}'.")
    if not text.startswith("["):
        return text
    if not json_allowed:
        raise form.error(
            f"{flag} takes a PQL query here, not a JSON query: e.g. 'nodes[certname] {{ }}'."
        )
    data = load_json(text, f"The {flag} value", form)
    if not isinstance(data, list) or not data:
        raise form.error(f'A JSON query for {flag} is a non-empty array, e.g. ["from", "nodes"].')
    return data


def scope(args: Args, form: Form) -> Scope:
    """The one scope the flags give; none or several is refused, listing the three forms."""
    given = [kind for kind in SCOPE_KINDS if args.has(kind)]
    if not given:
        raise form.error(f"Say which nodes to run on with one of {SCOPE_FORMS}.")
    if len(given) > 1:
        first, second = (args.flag(kind) for kind in given[:2])
        raise form.error(
            f"{q(first)} and {q(second)} both name nodes: use exactly one of {SCOPE_FORMS}."
        )
    kind = given[0]
    flag = args.flag(kind)
    if kind == "nodes":
        names = tuple(certname(name, form) for name in args.get("nodes"))
        if not names:
            raise form.error(f"{flag} needs at least one node name, e.g. {flag} web01.example.com.")
        return Scope.nodes(names)
    if kind == "query":
        return Scope.query(query(args.get("query"), flag, form))
    return Scope.node_group(node_group_id(args.get("node_group"), form))
