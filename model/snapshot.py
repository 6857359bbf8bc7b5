"""What the bot knows of a followed job or plan job: one frozen value, saved as JSON in `jobs`.

The poller folds events into it, the store keeps it, the card and the summary are rendered from
it. It lives in `model/`, below every layer that reads it (store, poller, render, flows and the
orchestrator client, which takes its terminal states from here), and imports nothing of the
bot, so none of them has to import another to share it.

`from_json` reads every snapshot an earlier version saved: unknown keys are ignored, missing
ones take their defaults, and a value of the wrong type is read as its default rather than
stopping the job from being followed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

# The orchestrator's own words for a job or plan job that will not change again.
TERMINAL_JOB_STATES = frozenset({"finished", "failed", "stopped"})
TERMINAL_PLAN_STATES = frozenset({"success", "failure"})
# A card shows these as done: the orchestrator's terminal states, and a job it forgot.
DONE_STATES = TERMINAL_JOB_STATES | TERMINAL_PLAN_STATES | {"forgotten"}
# How a node's run can end, in the order cards list them; the failed ones among them.
NODE_END_STATES = ("finished", "failed", "errored", "skipped")
FAILED_NODE_STATES = frozenset({"failed", "errored"})


@dataclass(frozen=True)
class Shape:
    """PE answered `path` in a shape this bot does not understand, since `since`."""

    path: str | None
    reason: str
    since: float


@dataclass(frozen=True)
class Step:
    """One step of a plan job: the job it ran, and how that job's nodes stand."""

    job: str
    kind: str = ""
    state: str = "running"
    name: str = ""
    node_states: Mapping[str, int] = field(default_factory=dict)
    nodes: int = 0


@dataclass(frozen=True)
class Snapshot:
    """A followed job as last seen. `node_count` None: not read yet; `started_at` None: unknown."""

    state: str = "new"
    started_at: float | None = None
    node_count: int | None = None
    duration: float | None = None
    counts: Mapping[str, int] = field(default_factory=dict)
    running: tuple[str, ...] = ()
    resources: Mapping[str, int] = field(default_factory=dict)
    changed_nodes: int = 0
    quiet_polls: int = 0
    steps: tuple[Step, ...] = ()
    seen_without_id: tuple[str, ...] = ()
    result: Any = None
    shape: Shape | None = None

    @property
    def done(self) -> bool:
        return self.state in DONE_STATES

    @property
    def nodes(self) -> int:
        """The job's node count, 0 while not known."""
        return self.node_count or 0

    def visible(self) -> Snapshot:
        """What the card shows: a change in anything else is not worth an edit."""
        return replace(self, quiet_polls=0, running=())

    def to_json(self) -> dict[str, Any]:
        """A JSON object; fields at their empty value are left out, as earlier versions did."""
        out: dict[str, Any] = {"state": self.state}
        for key in ("started_at", "node_count", "duration", "result"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        for key in ("counts", "resources"):
            if getattr(self, key):
                out[key] = dict(getattr(self, key))
        if self.running:
            out["running"] = list(self.running)
        if self.changed_nodes:
            out["changed_nodes"] = self.changed_nodes
        if self.quiet_polls:
            out["quiet_polls"] = self.quiet_polls
        if self.steps:
            out["steps"] = [_step_json(s) for s in self.steps]
        if self.seen_without_id:
            out["seen_without_id"] = list(self.seen_without_id)
        if self.shape is not None:
            out["shape"] = {
                "path": self.shape.path,
                "reason": self.shape.reason,
                "since": self.shape.since,
            }
        return out

    @classmethod
    def from_json(cls, data: Any) -> Snapshot:
        """Any snapshot saved before, tolerantly (see the module docstring)."""
        if not isinstance(data, Mapping):
            return cls()
        return cls(
            state=_text(data.get("state")) or "new",
            started_at=_float(data.get("started_at")),
            node_count=_int(data.get("node_count")),
            duration=_float(data.get("duration")),
            counts=_counts(data.get("counts")),
            running=_texts(data.get("running")),
            resources=_counts(data.get("resources")),
            changed_nodes=_int(data.get("changed_nodes")) or 0,
            quiet_polls=_int(data.get("quiet_polls")) or 0,
            steps=tuple(s for s in (_step(x) for x in _list(data.get("steps"))) if s is not None),
            seen_without_id=_texts(data.get("seen_without_id")),
            result=data.get("result"),
            shape=_shape(data.get("shape")),
        )


def _step_json(step: Step) -> dict[str, Any]:
    out: dict[str, Any] = {"job": step.job, "state": step.state}
    if step.kind:
        out["kind"] = step.kind
    if step.name:
        out["name"] = step.name
    if step.node_states:
        out["node_states"] = dict(step.node_states)
    if step.nodes:
        out["nodes"] = step.nodes
    return out


def _step(data: Any) -> Step | None:
    if not isinstance(data, Mapping) or data.get("job") in (None, ""):
        return None
    return Step(
        job=str(data["job"]),
        kind=_text(data.get("kind")) or "",
        state=_text(data.get("state")) or "running",
        name=_text(data.get("name")) or "",
        node_states=_counts(data.get("node_states")),
        nodes=_int(data.get("nodes")) or 0,
    )


def _shape(data: Any) -> Shape | None:
    if not isinstance(data, Mapping):
        return None
    return Shape(
        path=_text(data.get("path")),
        reason=_text(data.get("reason")) or "",
        since=_float(data.get("since")) or 0.0,
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _int(value: Any) -> int | None:
    number = _float(value)
    return None if number is None else int(number)


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else []


def _texts(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in _list(value))


def _counts(value: Any) -> dict[str, int]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): n for k, v in value.items() if (n := _int(v)) is not None}
