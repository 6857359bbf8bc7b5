"""Job and plan job events, and the cursor to read them from (GET /jobs/<id>/events,
/plan_jobs/<id>/events); parsed leniently where real PE is inconsistent (orchestrator/models.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from orchestrator.lenient import items, mapping, need, obj, optional_int, text, timestamp


def _event_detail(value: Any) -> Mapping[str, Any]:
    if value is None:
        return {}
    return value if isinstance(value, Mapping) else {"output": value}


@dataclass(frozen=True)
class Event:
    """A job event (`node_running`, `node_finished`, `job_finished`, ...); `id` None if absent."""

    id: int | None
    type: str
    timestamp: datetime | None
    node: str | None
    detail: Mapping[str, Any]
    message: str

    @classmethod
    def parse(cls, data: Any) -> Event:
        data = obj(data, "a job event")
        details = mapping(data.get("details"))
        return cls(
            id=optional_int(data.get("id")),
            type=text(need(data, "type", "a job event")),
            timestamp=timestamp(data.get("timestamp")),
            node=text(details.get("node")) or None,
            detail=_event_detail(details.get("detail")),
            message=text(data.get("message")),
        )


@dataclass(frozen=True)
class PlanEvent:
    """A plan job event (`task_start`, `out_message`, `plan_finished`, ...); `id` None if absent
    (the 2019.5 docs show `out_message` and `plan_end` without one)."""

    id: int | None
    type: str
    timestamp: datetime | None
    details: Mapping[str, Any]

    @property
    def child_job(self) -> str | None:
        child = self.details.get("job-id")
        return None if child is None or isinstance(child, (bool, dict, list)) else str(child)

    @classmethod
    def parse(cls, data: Any) -> PlanEvent:
        data = obj(data, "a plan event")
        return cls(
            id=optional_int(data.get("id")),
            type=text(need(data, "type", "a plan event")),
            timestamp=timestamp(data.get("timestamp")),
            details=mapping(data.get("details")),
        )


@dataclass(frozen=True)
class EventPage:
    """Events from a cursor, and the cursor to ask from next time."""

    items: tuple[Any, ...]
    next_start: int


def event_page(data: Any, start: int, parse: Callable[[Any], Any]) -> EventPage:
    """Events at or after `start`; the next cursor is the highest id seen plus one.

    `next-events.id` echoes the request URI (2023.8 docs) or points past the last event (the
    Ruby client's fixture), so the cursor is derived from the ids themselves and never from it.
    An event without an id is kept: PE sent it for this cursor.
    """
    data = obj(data, "the event list")
    parsed = tuple(parse(e) for e in items(data, "the event list"))
    fresh = tuple(e for e in parsed if e.id is None or e.id >= start)
    next_start = max([start, *(e.id + 1 for e in fresh if e.id is not None)])
    return EventPage(items=fresh, next_start=next_start)
