"""Load a world from its JSON description (WORLD.md), filling left-out sections from the default."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .world import (
    OUTCOMES,
    Environment,
    Flags,
    Node,
    NodeGroup,
    Permissions,
    PlanDef,
    PlanStep,
    Settings,
    TaskDef,
    User,
    World,
    WorldError,
)

log = logging.getLogger(__name__)


def load_world(path: str | Path) -> World:
    """Read a world JSON file; sections it leaves out come from the default world."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise WorldError(f"cannot read world file {path}: {exc}") from exc
    return world_from_dict(data)


def world_from_dict(data: Mapping[str, Any]) -> World:
    from .default_world import default_world_data
    from .generate import generate_nodes

    if not isinstance(data, Mapping):
        raise WorldError("a world is a JSON object")
    known = {
        "environments",
        "nodes",
        "generate",
        "node_groups",
        "tasks",
        "plans",
        "users",
        "settings",
        "flags",
    }
    _no_unknown(data, known, "world")
    base = default_world_data()
    merged = {key: data.get(key, base[key]) for key in known - {"nodes", "generate"}}
    nodes = list(data.get("nodes", [] if "generate" in data else base["nodes"]))
    if "generate" in data:
        nodes += generate_nodes(data["generate"])
    envs = tuple(_environment(e) for e in merged["environments"])
    return World(
        environments=envs,
        nodes=tuple(_node(n) for n in nodes),
        node_groups=tuple(_group(g) for g in merged["node_groups"]),
        tasks=tuple(_task(t) for t in merged["tasks"]),
        plans=tuple(_plan(p) for p in merged["plans"]),
        users=tuple(_user(u) for u in merged["users"]),
        settings=_settings(merged["settings"]),
        flags=Flags(**_fields(merged["flags"], Flags, "flags")),
    )


def _no_unknown(data: Mapping[str, Any], known: set[str], where: str) -> None:
    extra = set(data) - known
    if extra:
        raise WorldError(f"unknown keys in {where}: {', '.join(sorted(extra))}")


def _fields(data: Any, cls: type, where: str) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise WorldError(f"{where} must be an object")
    _no_unknown(data, set(cls.__dataclass_fields__), where)
    return dict(data)


def _tuple(value: Any) -> tuple[str, ...] | None:
    return None if value is None else tuple(value)


def _environment(data: Any) -> Environment:
    if isinstance(data, str):
        return Environment(data)
    return Environment(**_fields(data, Environment, "environment"))


def _node(data: Any) -> Node:
    fields = _fields(data, Node, f"node {data.get('certname', '?')}")
    if fields.get("outcome", "success") not in OUTCOMES:
        raise WorldError(f"node {fields.get('certname')}: outcome must be one of {OUTCOMES}")
    return Node(**fields)


def _group(data: Any) -> NodeGroup:
    fields = _fields(data, NodeGroup, f"node group {data.get('name', '?')}")
    nodes = fields.get("nodes", ())
    fields["nodes"] = (nodes,) if isinstance(nodes, str) else tuple(nodes)
    return NodeGroup(**fields)


def _settings(data: Any) -> Settings:
    from .rbac import parse_lifetime
    from .versions import parse_version

    settings = Settings(**_fields(data, Settings, "settings"))
    try:
        parse_version(settings.pe_version)
    except ValueError as exc:
        raise WorldError(f"settings.pe_version: {exc}") from exc
    for key in ("token_default_lifetime", "token_maximum_lifetime"):
        try:
            parse_lifetime(getattr(settings, key))
        except ValueError as exc:
            raise WorldError(f"settings.{key}: {exc}") from exc
    lockout = settings.failed_attempts_lockout
    if isinstance(lockout, bool) or not isinstance(lockout, int) or lockout < 1:
        raise WorldError("settings.failed_attempts_lockout must be a whole number, at least 1")
    return settings


def _task(data: Any) -> TaskDef:
    fields = _fields(data, TaskDef, f"task {data.get('name', '?')}")
    fields["environments"] = _tuple(fields.get("environments"))
    fields["fails_on"] = tuple(fields.get("fails_on", ()))
    fields["errors_on"] = tuple(fields.get("errors_on", ()))
    _check_parameter_types(fields.get("metadata", {}), f"task {fields['name']}")
    return TaskDef(**fields)


def _plan(data: Any) -> PlanDef:
    fields = _fields(data, PlanDef, f"plan {data.get('name', '?')}")
    fields["environments"] = _tuple(fields.get("environments"))
    fields["steps"] = tuple(_step(s, fields["name"]) for s in fields.get("steps", ()))
    _check_parameter_types(fields.get("metadata", {}), f"plan {fields['name']}")
    return PlanDef(**fields)


def _step(data: Any, plan: str) -> PlanStep:
    fields = _fields(data, PlanStep, f"step of plan {plan}")
    fields["steps"] = tuple(_step(s, plan) for s in fields.get("steps", ()))
    if fields.get("plan") is not None and not fields["steps"]:
        raise WorldError(f"plan {plan}: the sub-plan {fields['plan']} has no steps")
    return PlanStep(**fields)


def _user(data: Any) -> User:
    fields = _fields(data, User, f"user {data.get('login', '?')}")
    perms = _fields(fields.get("permissions", {}), Permissions, "permissions")
    fields["permissions"] = Permissions(
        **{k: v if isinstance(v, bool) else tuple(v) for k, v in perms.items()}
    )
    fields.setdefault("id", str(uuid.uuid5(uuid.NAMESPACE_URL, f"user:{fields['login']}")))
    return User(**fields)


def _check_parameter_types(metadata: Mapping[str, Any], where: str) -> None:
    from .puppet_types import TypeSyntaxError, parse_type

    for name, spec in (metadata.get("parameters") or {}).items():
        try:
            parse_type(spec.get("type", "Any"))
        except TypeSyntaxError as exc:
            raise WorldError(f"{where}, parameter {name}: {exc}") from exc
