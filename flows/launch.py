"""After the orchestrator accepted a request: record the job, queue its card, tell the requester."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from flows.deps import Deps
from flows.drift import drift_note
from flows.messages import answer
from flows.schedule_card import record_schedule
from model.snapshot import Snapshot
from orchestrator.catalog import CreatedRef
from orchestrator.refs import JobRef, PlanJobRef, StopResult, Submitted
from orchestrator.requests import ScheduleRequest
from orchestrator.schedules import ScheduledRef
from render.views import schedule_times, subject
from store import approvals, audit, jobs, posts, requests
from store.requests import RequestRow

STOPS = ("stop", "stop_plan")


def _subject_line(row: RequestRow) -> str:
    return subject(row.endpoint, row.body)


def name_of(reply: Submitted) -> str:
    """The name of what the orchestrator created; a stop answers with the job it stops."""
    match reply:
        case StopResult(job=job):
            return job.name
        case JobRef(name=name) | PlanJobRef(name=name) | CreatedRef(name=name):
            return name
        case ScheduledRef(name=name):
            return name


def node_counts(reply: Submitted) -> Mapping[str, int]:
    """A stop's nodes counted by state; nothing for any other answer."""
    match reply:
        case StopResult(nodes=nodes):
            return nodes
        case _:
            return {}


def launched(deps: Deps, row: RequestRow, reply: Submitted) -> None:
    """Record what the orchestrator created and queue what the channel should see."""
    now = deps.clock()
    job_key = None
    with deps.store.write() as db:
        match reply:
            # stop_plan answers with the plan job it stops: that one is followed already.
            case JobRef() | PlanJobRef() if row.endpoint not in STOPS:
                job_key = _follow(deps, db, row, reply, now)
            case ScheduledRef():
                record_schedule(db, row, reply, now, person_mode=deps.people is not None)
        name = name_of(reply)
        requests.transition(db, row.id, ("launching",), "launched", now, job_id=job_key or name)
        audit.record(
            db,
            now=now,
            actor=row.user_id,
            action="stop" if row.command == "stop" else "launch",
            channel_id=row.channel_id,
            request_id=row.id,
            job_id=job_key or name,
            rule=row.rule,
            request={"endpoint": row.endpoint, "body": row.body},
            result="accepted",
            detail={"pe_login": row.pe_login} if row.pe_login else None,
        )
        if row.endpoint in STOPS:
            _note_stop(deps, db, row, node_counts(reply), now)
    deps.sender.wake()
    answer(
        deps,
        row.response_url,
        "request_sent",
        replace=row.respond_replace,
        **_sent_data(row, reply, job_key),
    )


def _follow(deps: Deps, db: Database, row: RequestRow, ref: JobRef | PlanJobRef, now: float) -> str:
    kind = "plan_job" if isinstance(ref, PlanJobRef) else "job"
    approval = approvals.for_request(db, row.id)
    card_ts = approval.card_ts if approval else None
    job = jobs.create(
        db,
        kind=kind,
        name=ref.name,
        command=row.command,
        request_id=row.id,
        channel_id=row.channel_id,
        requester=row.user_id,
        endpoint=row.endpoint,
        body=row.body,
        snapshot=Snapshot(state="new", started_at=now),
        now=now,
        card_ts=card_ts,
    )
    if approval and card_ts:
        approvals.hand_card_to_job(db, approval.id)
    else:
        # Rendered by delivery when it is posted, from the job as it is then.
        posts.enqueue(
            db,
            key=f"{job.id}/card",
            channel_id=row.channel_id,
            kind="card",
            template="job_card",
            ref=job.id,
            now=now,
        )
    return job.id


def _note_stop(
    deps: Deps, db: Database, row: RequestRow, nodes: Mapping[str, int], now: float
) -> None:
    kind, name = (
        ("job", row.body["job"]) if row.endpoint == "stop" else ("plan_job", row.body["plan_job"])
    )
    job = jobs.get(db, jobs.job_key(kind, str(name)))
    if job is None or job.done:
        return
    counts = [(k, v) for k, v in nodes.items() if v]
    posts.enqueue(
        db,
        key=f"{job.id}/stop/{row.id}",
        channel_id=job.channel_id,
        kind="reply",
        template="job_stop_requested",
        data={
            "user": row.user_id,
            "kind_word": kind.replace("_", " "),
            "name": job.name,
            "force": bool(row.body.get("force")),
            "counts": counts,
        },
        thread_of=job.id,
        now=now,
    )
    jobs.update(db, job.id, next_poll_at=now)


def _sent_data(row: RequestRow, reply: Submitted, job_key: str | None) -> Mapping[str, Any]:
    typed = row.typed()
    scheduled = isinstance(typed, ScheduleRequest)
    return {
        "schedule": schedule_times(typed) if isinstance(typed, ScheduleRequest) else None,
        "drift": drift_note(typed) if isinstance(typed, ScheduleRequest) else None,
        "scheduled": scheduled,
        "subject": _subject_line(row),
        "endpoint": row.endpoint,
        "name": name_of(reply),
        "followed": job_key is not None,
        "counts": sorted(node_counts(reply).items()),
        "channel": row.channel_id,
    }
