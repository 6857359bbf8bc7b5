"""Request checks shared by the command endpoints: key types, scopes, targets and parameters."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from . import pql
from .errors import ApiError, empty_target, puppetdb_error, query_error, validation_error
from .puppet_types import accepts_undef, mismatch, parse_type
from .world import World

log = logging.getLogger(__name__)

_KINDS = {
    "string": (str, "a string"),
    "integer": (int, "an integer"),
    "boolean": (bool, "a boolean"),
    "object": (dict, "a JSON object"),
    "array": (list, "an array"),
}
_ENV_NAME = re.compile(r"^[A-Za-z0-9_-]+$")  # the docs use test-env-1
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
SCOPE_KEYS = ("nodes", "query", "node_group")


def check_types(body: Mapping[str, Any], schema: Mapping[str, str]) -> None:
    """400 validation-error naming the first documented key whose value has the wrong type."""
    for key, kind in schema.items():
        if key in body and body[key] is not None and not is_kind(body[key], kind):
            raise validation_error(f"The value of '{key}' must be {_kind_text(kind)}", key=key)


def is_kind(value: Any, kind: str) -> bool:
    if kind == "integer" and isinstance(value, bool):
        return False  # JSON true is not an integer even though Python's bool is an int
    if kind == "strings":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, _KINDS[kind][0])


def required(body: Mapping[str, Any], key: str, kind: str) -> Any:
    if key not in body or body[key] is None:
        raise validation_error(f"The key '{key}' is required", key=key)
    check_types(body, {key: kind})
    return body[key]


def check_environment_name(name: Any) -> str:
    if not isinstance(name, str) or not _ENV_NAME.match(name):
        raise validation_error(f"'{name}' is not a legal environment name", environment=name)
    return name


def parse_int(text: Any, what: str) -> int:
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    if isinstance(text, str) and re.fullmatch(r"-?\d+", text.strip()):
        return int(text)
    raise validation_error(f"The {what} '{text}' is not an integer", value=str(text))


def parse_scope(scope: Any) -> tuple[str, Any]:
    """The scope's one key and its value, type-checked."""
    if not isinstance(scope, dict):
        raise validation_error("The value of 'scope' must be a JSON object", key="scope")
    keys = [k for k in scope if k in SCOPE_KEYS]
    if len(keys) != 1 or len(scope) != 1:
        raise validation_error(
            "The scope must contain exactly one of the keys nodes, query or node_group",
            scope=list(scope),
        )
    key, value = keys[0], scope[keys[0]]
    if key == "nodes" and not is_kind(value, "strings"):
        raise validation_error("scope.nodes must be an array of node names", key="scope.nodes")
    if key == "query" and not isinstance(value, str | list):
        raise validation_error(
            "scope.query must be a PQL string or an AST array", key="scope.query"
        )
    if key == "node_group" and not isinstance(value, str):
        raise validation_error("scope.node_group must be a node group ID", key="scope.node_group")
    return key, value


def run_query(world: World, query: Any, puppetdb_down: bool) -> list[str]:
    if puppetdb_down:
        raise puppetdb_error()
    try:
        return pql.evaluate(query, world.nodes)
    except pql.QueryError as exc:
        raise query_error(str(exc), query) from exc


def group_nodes(world: World, group_id: str, *, need_rules: bool) -> list[str]:
    group = world.group(group_id) if _UUID.match(group_id) else None
    if group is None:
        raise validation_error(f"No node group with ID '{group_id}' exists", node_group=group_id)
    if need_rules and not group.rules:
        raise validation_error(
            f"The node group '{group.name}' ({group_id}) has no rules defined. Only a node group "
            "that itself defines rules can be used as a scope.",
            node_group=group_id,
        )
    return group.members(world.nodes)


def resolve_scope(world: World, scope: Any, environment: str, puppetdb_down: bool) -> list[str]:
    """The certnames a scope names; 400 empty-target when there are none."""
    key, value = parse_scope(scope)
    if key == "nodes":
        names = list(dict.fromkeys(value))
    elif key == "query":
        names = run_query(world, value, puppetdb_down)
    else:
        names = group_nodes(world, value, need_rules=True)
    if not names:
        raise empty_target(environment, key)
    return names


_TARGET_TYPES = {
    "hostnames": "strings",
    "user": "string",
    "transport": "string",
    "password": "string",
    "private-key-content": "string",
    "port": "integer",
    "run-as": "string",
    "sudo-password": "string",
    "run-as-command": "string",
    "connect-timeout": "integer",
    "tty": "boolean",
    "tmpdir": "string",
}


def check_targets(targets: Any, scope_nodes: list[str], environment: str) -> dict[str, str]:
    """Validate /command/task `targets`; the transport each hostname runs through."""
    if not isinstance(targets, list) or not all(isinstance(t, dict) for t in targets):
        raise validation_error(
            "The value of 'targets' must be an array of JSON objects", key="targets"
        )
    transports: dict[str, str] = {}
    in_scope = set(scope_nodes)
    for target in targets:
        for key in ("hostnames", "user", "transport"):
            if key not in target:
                raise validation_error(f"Each target requires the key '{key}'", key=key)
        for key, kind in _TARGET_TYPES.items():
            if key in target and not is_kind(target[key], kind):
                raise validation_error(
                    f"The target key '{key}' must be {_kind_text(kind)}", key=key
                )
        if target["transport"] not in ("ssh", "winrm"):
            raise validation_error("A target's transport must be ssh or winrm", key="transport")
        if "password" not in target and "private-key-content" not in target:
            raise validation_error(
                "A target requires either password or private-key-content", key="password"
            )
        outside = [h for h in target["hostnames"] if h not in in_scope]
        if outside:
            raise ApiError(
                400,
                "puppetlabs.orchestrator/empty-target",
                f"The target hostnames {', '.join(outside)} are not in the scope.",
                {"environment": environment, "target": outside},
            )
        transports.update(dict.fromkeys(target["hostnames"], target["transport"]))
    return transports


def _kind_text(kind: str) -> str:
    return "an array of strings" if kind == "strings" else _KINDS[kind][1]


def check_params(
    what: str, metadata: Mapping[str, Any], params: Mapping[str, Any]
) -> dict[str, Any]:
    """Check params against `metadata.parameters`; the params with defaults filled in."""
    declared = metadata.get("parameters")
    if declared is None:
        return dict(params)
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise validation_error(
            f"{what} does not accept the parameter(s) {', '.join(unknown)}", parameters=unknown
        )
    filled = dict(params)
    for name, spec in declared.items():
        ptype = parse_type(spec.get("type", "Any"))
        if name not in params:
            if "default_value" in spec:
                filled[name] = spec["default_value"]
            elif not accepts_undef(ptype):
                raise validation_error(
                    f"{what} expects a value for parameter '{name}'", parameter=name
                )
            continue
        problem = mismatch(ptype, params[name])
        if problem:
            raise validation_error(f"{what}: parameter '{name}' {problem}", parameter=name)
    return filled
