"""Forms as a person sees and fills them, using the fake Slack's own state rules (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from orchestrator.models import PlanInfo, TaskInfo
from standins.orchestrator.default_catalog import default_plans, default_tasks
from standins.orchestrator.default_world import APP_GROUP, WEB_GROUP
from standins.slack.view_checks import client_errors
from standins.slack.view_limits import view_errors
from standins.slack.view_state import carried, entered, find, with_ids

NOW = datetime(2030, 1, 7, 8, 0, tzinfo=UTC)  # a Monday morning
CHANNEL = "C0DEPLOYS"
GROUPS = {"Web servers": WEB_GROUP, "App servers": APP_GROUP}


def task_info(name: str, environment: str = "production") -> TaskInfo:
    task = next(t for t in default_tasks() if t["name"] == name)
    return TaskInfo.parse({"name": name, "environment": {"name": environment}, **task})


def plan_info(name: str, environment: str = "production") -> PlanInfo:
    plan = next(p for p in default_plans() if p["name"] == name)
    return PlanInfo.parse(
        {
            "name": name,
            "environment": {"name": environment},
            "permitted": plan.get("permitted", True),
            **plan,
        }
    )


def custom_task(
    parameters: Mapping[str, Any], name: str = "mymodule::custom", noop: bool = True
) -> TaskInfo:
    meta = {
        "description": "A task for tests",
        "supports_noop": noop,
        "parameters": dict(parameters),
    }
    return TaskInfo.parse({"name": name, "environment": {"name": "production"}, "metadata": meta})


class Filled:
    """A view as Slack shows it (generated ids, initial values), filled field by field."""

    def __init__(self, view: dict[str, Any], channel: str | None = CHANNEL) -> None:
        problems = view_errors(view, surface="modal")
        assert problems == [], problems
        self.view = with_ids(view, "test")
        self.values = carried({}, self.view, channel)

    def set(self, block_id: str, value: Any) -> Filled:
        slot = find(self.view, block_id, _only_action(self.view, block_id))
        suggested = [value] if isinstance(value, dict) else None
        if slot.kind == "external_select" and isinstance(value, str):
            value, suggested = _opt(value), [_opt(value)]
        self.values[slot.block_id][slot.action_id] = entered(slot, value, suggested)
        return self

    def blocks(self) -> list[str]:
        return [b.get("block_id", "") for b in self.view["blocks"]]

    def block(self, block_id: str) -> dict[str, Any]:
        return next(b for b in self.view["blocks"] if b.get("block_id") == block_id)

    def client_errors(self) -> dict[str, str]:
        return client_errors(self.view, self.values)


def _opt(value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": value}, "value": value}


def _only_action(view: dict[str, Any], block_id: str) -> str:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return str(block["element"]["action_id"])
