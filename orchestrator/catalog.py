"""Typed tasks, plans, inventory and created objects, as the catalog endpoints return them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orchestrator.lenient import ident


@dataclass(frozen=True)
class ParamSpec:
    """A task or plan parameter from its metadata."""

    name: str
    type: str
    description: str = ""
    has_default: bool = False
    default: Any = None
    sensitive: bool = False  # task metadata's "sensitive": true (plans wrap the type instead)

    @property
    def required(self) -> bool:
        return not self.has_default and not self.type.startswith("Optional")

    @classmethod
    def parse(cls, name: str, data: Mapping[str, Any]) -> ParamSpec:
        return cls(
            name=name,
            type=str(data.get("type") or "Any"),
            description=str(data.get("description") or ""),
            has_default="default_value" in data,
            default=data.get("default_value"),
            sensitive=data.get("sensitive") is True,
        )


def _params(metadata: Mapping[str, Any]) -> dict[str, ParamSpec]:
    raw = metadata.get("parameters") or {}
    return {name: ParamSpec.parse(name, spec or {}) for name, spec in raw.items()}


@dataclass(frozen=True)
class Summary:
    """A task or plan in a listing."""

    name: str
    permitted: bool | None = None

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Summary:
        return cls(name=str(data["name"]), permitted=data.get("permitted"))


@dataclass(frozen=True)
class Listing:
    """GET /tasks or GET /plans: the environment and what it holds."""

    environment: str
    items: tuple[Summary, ...]

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Listing:
        env = (data.get("environment") or {}).get("name", "")
        return cls(environment=str(env), items=tuple(Summary.parse(i) for i in data["items"]))


@dataclass(frozen=True)
class TaskInfo:
    """GET /tasks/<module>/<task>: the task and its parameter metadata."""

    name: str
    environment: str
    description: str
    supports_noop: bool
    parameters: Mapping[str, ParamSpec]

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> TaskInfo:
        meta = data.get("metadata") or {}
        return cls(
            name=str(data["name"]),
            environment=str((data.get("environment") or {}).get("name", "")),
            description=str(meta.get("description") or ""),
            supports_noop=bool(meta.get("supports_noop", False)),
            parameters=_params(meta),
        )


@dataclass(frozen=True)
class PlanInfo:
    """GET /plans/<module>/<plan>: the plan, its parameters and whether we may run it."""

    name: str
    environment: str
    description: str
    parameters: Mapping[str, ParamSpec]
    permitted: bool

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> PlanInfo:
        meta = data.get("metadata") or {}
        return cls(
            name=str(data["name"]),
            environment=str((data.get("environment") or {}).get("name", "")),
            description=str(meta.get("description") or ""),
            parameters=_params(meta),
            permitted=bool(data.get("permitted", False)),
        )


@dataclass(frozen=True)
class InventoryNode:
    """A node's PCP connection as GET /inventory reports it."""

    name: str
    connected: bool
    broker: str | None = None

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> InventoryNode:
        return cls(
            name=str(data["name"]),
            connected=bool(data.get("connected")),
            broker=data.get("broker"),
        )


@dataclass(frozen=True)
class CreatedRef:
    """A task-target or scheduled job the orchestrator created."""

    name: str
    id: str = ""

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> CreatedRef:
        return cls(name=ident(data["name"]), id=str(data.get("id", "")))
