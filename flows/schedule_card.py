"""A schedule PE accepted: recorded in the store and its card queued for the channel (what, when,
how often, next run, who asked, who approved, and Cancel), in the same write as the request."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from flows.as_person import PERSON
from flows.drift import drift_note
from orchestrator.requests import ScheduleRequest
from orchestrator.schedules import ScheduledRef
from render.views import request_view, schedule_times
from store import approvals, posts, schedules
from store.requests import RequestRow


def card_data(
    name: str, row: RequestRow, approvers: list[str], *, person_mode: bool = False
) -> dict[str, Any]:
    """`person_mode`: the bot runs commands as each person (PE_IDENTITY=person), so a schedule
    sent as the service account (asked for before the switch) is marked."""
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
        "as_service": person_mode and row.pe_mode != PERSON,
    }


def record_schedule(
    db: Database, row: RequestRow, ref: ScheduledRef, now: float, *, person_mode: bool = False
) -> None:
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
            data=card_data(ref.name, row, list(voters), person_mode=person_mode),
            now=now,
        )
