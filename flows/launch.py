"""After the orchestrator accepted a request: record the job, queue its card, tell the requester."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows.deps import Deps
from flows.messages import answer
from model.snapshot import Snapshot
from orchestrator.models import JobRef, PlanJobRef, StopResult
from render.views import subject
from store import approvals, audit, jobs, posts, requests
from store.requests import RequestRow


def _subject_line(row: RequestRow) -> str:
    return subject(row.endpoint, row.body)


def launched(deps: Deps, row: RequestRow, reply: Any) -> None:
    """Record what the orchestrator created and queue what the channel should see."""
    now = deps.clock()
    job_key = None
    with deps.store.write() as db:
        if isinstance(reply, (JobRef, PlanJobRef)):
            job_key = _follow(deps, db, row, reply, now)
        name = getattr(reply, "name", None) or getattr(getattr(reply, "job", None), "name", None)
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
        )
        if isinstance(reply, (StopResult, PlanJobRef)) and row.endpoint.startswith("stop"):
            _note_stop(deps, db, row, reply, now)
    deps.sender.wake()
    answer(
        deps,
        row.response_url,
        "request_sent",
        replace=row.respond_replace,
        **_sent_data(row, reply, job_key),
    )


def _follow(deps: Deps, db: Any, row: RequestRow, ref: JobRef | PlanJobRef, now: float) -> str:
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


def _note_stop(deps: Deps, db: Any, row: RequestRow, reply: Any, now: float) -> None:
    kind, name = (
        ("job", row.body["job"]) if row.endpoint == "stop" else ("plan_job", row.body["plan_job"])
    )
    job = jobs.get(db, jobs.job_key(kind, str(name)))
    if job is None or job.done:
        return
    counts = [(k, v) for k, v in (getattr(reply, "nodes", None) or {}).items() if v]
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


def _sent_data(row: RequestRow, reply: Any, job_key: str | None) -> Mapping[str, Any]:
    return {
        "subject": _subject_line(row),
        "endpoint": row.endpoint,
        "name": getattr(reply, "name", None) or getattr(getattr(reply, "job", None), "name", ""),
        "followed": job_key is not None,
        "counts": sorted((getattr(reply, "nodes", None) or {}).items()),
        "channel": row.channel_id,
    }
