"""A schedule PE accepted: recorded in the store and its card queued for the channel (what, when,
how often, next run, who asked, who approved, and Cancel), in the same write as the request."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from flows.drift import drift_note
from orchestrator.requests import ScheduleRequest
from orchestrator.schedules import ScheduledRef
from render.views import request_view, schedule_times
from store import approvals, posts, schedules
from store.requests import RequestRow


def card_data(name: str, row: RequestRow, approvers: list[str]) -> dict[str, Any]:
    typed = ScheduleRequest.from_body(row.body)
    req = request_view(row.endpoint, row.body, row.via)
    req.pop("schedule", None)  # the card says when itself
    return {
        "name": name,
        "req": req,
        "schedule": schedule_times(typed),
        "requester": row.user_id,
        "approvers": approvers,
        "drift": drift_note(typed),
    }


def record_schedule(db: Database, row: RequestRow, ref: ScheduledRef, now: float) -> None:
    """Record it and queue its card, once (an adopted schedule is recorded already)."""
    approval = approvals.for_request(db, row.id)
    voters = approvals.votes(db, approval.id) if approval is not None else []
    fresh = schedules.create(
        db,
        name=ref.name,
        request_id=row.id,
        channel_id=row.channel_id,
        requester=row.user_id,
        approvers=list(voters),
        body=row.body,
        now=now,
    )
    if fresh:
        posts.enqueue(
            db,
            key=f"{schedules.thread_key(ref.name)}/card",
            channel_id=row.channel_id,
            kind="reply",
            template="schedule_card",
            data=card_data(ref.name, row, list(voters)),
            now=now,
        )
