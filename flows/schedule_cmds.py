"""`/schedule list`, `/schedule show` and `/schedule cancel` (and the card's Cancel button), each
asked of the policy first; answers are private, a cancel is also said in the schedule's thread."""

from __future__ import annotations

import logging
from typing import Any

from flows.asker import Asker
from flows.deps import Deps
from flows.messages import answer
from flows.policy_reads import allowed
from flows.schedule_owner import acting_client, run_as_service
from orchestrator.errors import NotPermitted
from orchestrator.schedules import ScheduledJob, iso_utc
from render.fmt import every
from render.views import SCHEDULE, subject
from store import audit, posts, schedules

log = logging.getLogger(__name__)

LISTED = 50


def scheduled_subject(job: ScheduledJob) -> str:
    """`Puppet run in production, scheduled`, from what PE stores."""
    body = {
        "type": job.type,
        "input": dict(job.input),
        "environment": job.environment,
        "schedule": {"start_time": iso_utc(job.start_time) if job.start_time else None},
    }
    try:
        return subject(SCHEDULE, body)
    except (ValueError, TypeError, KeyError):  # an input this bot would not have sent
        return f"{job.type} in {job.environment}, scheduled"


def _item(job: ScheduledJob, as_service: bool = False) -> dict[str, Any]:
    last = job.last_run
    return {
        "name": job.name,
        # Person mode: it runs as the service account, not as the person who asked for it.
        "as_service": as_service,
        "subject": scheduled_subject(job),
        "environment": job.environment,
        "enabled": job.enabled,
        "owner": job.owner,
        "requester": str(job.userdata.get("chatops_slack_user") or "") or None,
        "description": job.description,
        "next_run": job.next_run.timestamp() if job.next_run else None,
        "start": job.start_time.timestamp() if job.start_time else None,
        "every": every(job.interval) if job.interval else None,
        "last_run": None
        if last is None
        else {
            "time": last.time.timestamp() if last.time else None,
            "job": last.job,
            "plan_job": last.plan_job,
            "error": f"{last.error.short_kind}: {last.error.msg}" if last.error else None,
        },
    }


def list_schedules(deps: Deps, asker: Asker, *, mine: bool, environment: str | None) -> None:
    if not allowed(deps, asker, "schedule", "list"):
        return
    found = [s for s in deps.orchestrator.all_scheduled_jobs() if s.active]
    if environment:
        found = [s for s in found if s.environment == environment]
    if mine:
        own = schedules.names_by(deps.store.db, asker.user_id)
        found = [
            s
            for s in found
            if s.name in own or s.userdata.get("chatops_slack_user") == asker.user_id
        ]
    found.sort(key=lambda s: (s.next_run is None, s.next_run.timestamp() if s.next_run else 0))
    shown = found[:LISTED]
    service = run_as_service(deps, shown)
    answer(
        deps,
        asker.response_url,
        "schedule_list",
        replace=asker.replace,
        items=[_item(s, s.name in service) for s in shown],
        more=max(0, len(found) - LISTED),
        mine=mine,
        environment=environment,
    )


def show_schedule(deps: Deps, asker: Asker, name: str) -> None:
    if not allowed(deps, asker, "schedule", "show"):
        return
    job = deps.orchestrator.scheduled_job(name)
    service = bool(run_as_service(deps, [job]))
    answer(deps, asker.response_url, "schedule_show", replace=asker.replace, **_item(job, service))


def cancel_schedule(deps: Deps, asker: Asker, name: str, *, from_card: bool = False) -> None:
    """PE's soft delete (`PUT {"enabled": false}`), then said in the schedule's thread."""
    row = schedules.get(deps.store.db, name)
    if from_card and (row is None or row.channel_id != asker.channel_id):
        # A card lives in its schedule's channel: a click from elsewhere was not made on it.
        log.warning("refused a Cancel click on schedule %s from %s", name, asker.channel_id)
        answer(
            deps,
            asker.response_url,
            "error",
            title="That card's schedule is not known here.",
            detail="",
            kind=None,
            hint="Use /schedule cancel <id> instead.",
        )
        return
    if not allowed(deps, asker, "schedule", "cancel", owner=row.requester if row else ""):
        return
    acting = acting_client(deps, asker)  # person mode: their own token, so PE's RBAC decides
    if acting is None:
        return
    client, login = acting
    try:
        changed = client.disable_scheduled_job(name)
    except NotPermitted as exc:
        _refused(deps, asker, name, login, exc)
        return
    now = deps.clock()
    with deps.store.write() as db:
        ended = row is not None and schedules.end(
            db, name, "cancelled", by=asker.user_id, reason="cancelled", now=now
        )
        if changed or ended:
            audit.record(
                db,
                now=now,
                actor=asker.user_id,
                action="schedule_cancelled",
                channel_id=asker.channel_id,
                request_id=row.request_id if row else None,
                job_id=f"schedule:{name}",
                result="cancelled" if changed else "already disabled in PE",
                detail={"pe_login": login} if login else None,
            )
        if ended and row is not None:
            posts.enqueue(
                db,
                key=f"{row.key}/cancelled",
                channel_id=row.channel_id,
                kind="reply",
                template="schedule_note",
                data={"event": "cancelled", "name": name, "user": asker.user_id},
                thread_of=row.key,
                now=now,
            )
    deps.sender.wake()
    answer(
        deps,
        asker.response_url,
        "schedule_note",
        replace=asker.replace,
        event="cancelled" if changed else "already_cancelled",
        name=name,
        user=asker.user_id,
    )


def _refused(deps: Deps, asker: Asker, name: str, login: str | None, exc: NotPermitted) -> None:
    """PE's RBAC said no to this person's cancel: said privately, naming the PE user."""
    who = f"PE says {login}" if login else "PE says the bot's service account"
    with deps.store.write() as db:
        audit.record(
            db,
            now=deps.clock(),
            actor=asker.user_id,
            action="refused_by_pe",
            channel_id=asker.channel_id,
            job_id=f"schedule:{name}",
            result=f"{who} may not cancel schedule {name}",
            detail={"pe_login": login} if login else None,
        )
    answer(
        deps,
        asker.response_url,
        "error",
        replace=asker.replace,
        title=f"{who} may not cancel schedule {name}, so it was not cancelled.",
        detail=exc.msg or "",
        kind=exc.short_kind,
        hint="It still runs. Ask its owner or a PE administrator to cancel it.",
    )
