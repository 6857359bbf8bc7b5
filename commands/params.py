"""Task and plan parameters as typed in chat: name=value words and a --params JSON object."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from commands.grammar import Args, Form, load_json, q
from commands.names import node_group_id, param_name

# `targets=query:'<PQL>'` and `targets=node_group:<id>` let the orchestrator resolve the nodes.
SCOPED_PREFIXES = {"query:": "query", "node_group:": "node_group"}


def split_params(
    words: Sequence[str], form: Form, *, scoped: bool = False
) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """name=value words → raw string values, and (for plans) query/node_group parameters."""
    raw: dict[str, str] = {}
    resolved: dict[str, tuple[str, str]] = {}
    for word in words:
        name, eq, value = word.partition("=")
        if not eq:
            raise form.error(
                f"{q(word)} is not a parameter: write name=value (e.g. action=install); "
                "nodes go after --nodes."
            )
        param_name(name, form)
        if name in raw or name in resolved:
            raise form.error(f"Parameter {q(name)} is given twice; give it once.")
        prefix = next((p for p in SCOPED_PREFIXES if value.startswith(p)), None) if scoped else None
        if prefix is None:
            raw[name] = value
            continue
        target = value[len(prefix) :].strip()
        if not target:
            kind = SCOPED_PREFIXES[prefix]
            raise form.error(f"{q(word)} names no {kind}: e.g. {name}={prefix}...")
        if prefix == "node_group:":
            target = node_group_id(target, form)
        resolved[name] = (SCOPED_PREFIXES[prefix], target)
    return raw, resolved


def json_params(args: Args, form: Form, taken: Collection[str]) -> dict[str, Any]:
    """The --params object; a name also given as name=value is refused."""
    if not args.has("params"):
        return {}
    flag = args.flag("params")
    data = load_json(args.get("params"), flag, form)
    if not isinstance(data, dict):
        raise form.error(f'{flag} takes a JSON object, e.g. {flag} \'{{"action": "install"}}\'.')
    for name in data:
        param_name(name, form)
        if name in taken:
            raise form.error(
                f"Parameter {q(name)} is given both as {name}=... and in {flag}; give it once."
            )
    return data
