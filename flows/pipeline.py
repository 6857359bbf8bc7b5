"""One path for every orchestrator command: record, check policy, (approve), send, record.

A request is stored with the exact body that will be sent before anything else happens, so
what an approver sees is what runs, and a restart finds every request where it was left.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from flows.asker import Asker
from flows.deps import Deps, new_id
from flows.explain import Explanation, explain
from flows.messages import answer, error_message, tell
from flows.profiles import ProfileError
from orchestrator.errors import OrchestratorError
from orchestrator.models import JobRef, PlanJobRef, StopResult
from orchestrator.requests import (
    CommandRequest,
    DeployRequest,
    EnvironmentPlanRunRequest,
    PlanRunRequest,
    TaskRequest,
)
from policy import Decision, Subject
from render.blocks import Message
from render.renderer import Safe
from render.views import subject
from store import approvals, audit, inbox, jobs, posts, requests
from store.requests import RequestRow

log = logging.getLogger(__name__)

COMMAND_OF = {
    "deploy": "deploy",
    "task": "task",
    "plan_run": "plan",
    "environment_plan_run": "plan",
    "stop": "stop",
    "stop_plan": "stop",
    "task_target": "task_target",
}
MARKED = (DeployRequest, TaskRequest, PlanRunRequest, EnvironmentPlanRunRequest)


def subject_of(request: CommandRequest, asker: Asker) -> Subject:
    """What policy decides on, read off the exact request."""
    body = request.body()
    scope = body.get("scope") or {}
    nodes = scope.get("nodes")
    name = body.get("task") or body.get("plan_name")
    return Subject(
        command=COMMAND_OF[request.ENDPOINT],
        user_id=asker.user_id,
        channel_id=asker.channel_id,
        environment=body.get("environment")
        if "environment" in body
        else ("production" if request.ENDPOINT in ("plan_run", "environment_plan_run") else None),
        name=name,
        noop=bool(body.get("noop")),
        force=bool(body.get("force")),
        node_count=len(nodes) if isinstance(nodes, list) else None,
    )


def with_marker(request: CommandRequest, request_id: str, user_id: str) -> CommandRequest:
    """Tag jobs with the chat request behind them: PE users see who asked, and after a crash
    mid-launch the bot can find out whether the job was created."""
    if not isinstance(request, MARKED):
        return request
    userdata = {
        **(request.userdata or {}),
        "chatops_request": request_id,
        "chatops_slack_user": user_id,
    }
    return replace(request, userdata=userdata)


def submit(
    deps: Deps,
    asker: Asker,
    request: CommandRequest,
    *,
    via: str | None = None,
    evidence: Any = None,
    request_id: str | None = None,
) -> str:
    """Record the request and carry it as far as policy allows; returns the request id.

    `request_id` is the inbox id of the slash command behind it. The inbox entry is marked done
    once the request is stored; a crash in between is safe, because recovery skips an inbox
    entry whose id already names a request.
    """
    rid = request_id or new_id()
    request = with_marker(request, rid, asker.user_id)
    subject = subject_of(request, asker)
    decision: Decision = deps.policy.decide(subject, deps.groups)
    now = deps.clock()
    with deps.store.write() as db:
        row = requests.create(
            db,
            id=rid,
            now=now,
            channel_id=asker.channel_id,
            user_id=asker.user_id,
            command=subject.command,
            text=f"{asker.command} {asker.text}".strip(),
            request=request,
            response_url=asker.response_url,
            team_id=asker.team_id,
            rule=decision.rule,
            evidence=evidence,
            via=via,
            respond_replace=asker.replace,
        )
        audit.record(
            db,
            now=now,
            actor=asker.user_id,
            action="request",
            channel_id=asker.channel_id,
            request_id=rid,
            rule=decision.rule,
            request={"endpoint": row.endpoint, "body": row.body, "via": via},
            result=decision.action,
        )
    with deps.store.write_inbox() as db:
        inbox.done(db, rid)
    if decision.action == "deny":
        _deny(deps, asker, row, decision)
    elif decision.action == "approve":
        from flows.approval import request_approval

        request_approval(deps, asker, row, decision)
    else:
        execute(deps, rid)
    return rid


def _deny(deps: Deps, asker: Asker, row: RequestRow, decision: Decision) -> None:
    now = deps.clock()
    with deps.store.write() as db:
        requests.transition(db, row.id, ("new",), "denied", now, error=decision.reason)
        audit.record(
            db,
            now=now,
            actor=asker.user_id,
            action="denied",
            channel_id=asker.channel_id,
            request_id=row.id,
            rule=decision.rule,
            result=decision.reason,
        )
    answer(
        deps,
        row.response_url,
        "not_allowed",
        replace=row.respond_replace,
        reason=Safe(decision.reason),
        rule=decision.rule,
        subject=_subject_line(row),
    )


def _subject_line(row: RequestRow) -> str:
    return subject(row.endpoint, row.body)


def execute(deps: Deps, request_id: str) -> bool:
    """Send a recorded request once (compare-and-set to `launching`) and record the answer."""
    now = deps.clock()
    with deps.store.write() as db:
        if not requests.transition(db, request_id, ("new", "approved"), "launching", now):
            return False
    row = requests.get(deps.store.db, request_id)
    assert row is not None
    try:
        typed = row.typed()
        if row.via:
            typed = replace(typed, targets=deps.profiles.targets(row.via, row.body["scope"]))
        reply = deps.orchestrator.submit(typed)
    except (OrchestratorError, ProfileError) as exc:
        _launch_failed(deps, row, exc)
        return False
    try:
        launched(deps, row, reply)
    except Exception:
        # The orchestrator did start it: say so, and leave the request `launching` so the next
        # start adopts the job (its userdata names this request) instead of forgetting it.
        ref = new_id()[:6]
        log.exception("request %s was accepted (%s) but not recorded (ref %s)", row.id, reply, ref)
        why = Explanation(
            title="The orchestrator accepted the request, but the bot could not record it.",
            detail=f"{reply} (reference {ref})",
            hint="Follow it in the PE console; the bot picks it up when restarted.",
        )
        tell(deps, row.response_url, error_message(deps.renderer, why), replace=row.respond_replace)
    return True


def _launch_failed(deps: Deps, row: RequestRow, exc: OrchestratorError | ProfileError) -> None:
    now = deps.clock()
    if isinstance(exc, ProfileError):
        why = Explanation(
            title="The connection profile cannot be used.",
            detail=str(exc),
            hint="Nothing was run. An admin must fix CONNECTIONS_FILE.",
        )
    else:
        why = explain(exc, environments=deps.known_environments())
    log.info("request %s refused by the orchestrator: %s", row.id, exc)
    with deps.store.write() as db:
        requests.transition(
            db,
            row.id,
            ("launching",),
            "failed",
            now,
            error=f"{why.kind or 'unavailable'}: {why.detail}",
        )
        audit.record(
            db,
            now=now,
            actor=row.user_id,
            action="launch_failed",
            channel_id=row.channel_id,
            request_id=row.id,
            rule=row.rule,
            result=why.kind or "unavailable",
            detail={"msg": why.detail},
        )
        approval = approvals.for_request(db, row.id)
        if approval:
            approvals.bump_card(db, approval.id)
    deps.sender.wake.set()
    tell(deps, row.response_url, error_message(deps.renderer, why), replace=row.respond_replace)


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
    deps.sender.wake.set()
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
        snapshot={"state": "new", "started_at": now},
        now=now,
        card_ts=card_ts,
    )
    if approval and card_ts:
        approvals.hand_card_to_job(db, approval.id)
    else:
        posts.enqueue(
            db,
            key=f"{job.id}/card",
            channel_id=row.channel_id,
            # Rendered when sent (Sender._current), not here under the write lock: the job row
            # created above is always there by then. This text is only a fallback.
            message=Message(text=subject(row.endpoint, row.body)),
            kind="card",
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
    message = deps.renderer.render(
        "job_stop_requested",
        user=row.user_id,
        kind_word=kind.replace("_", " "),
        name=job.name,
        force=bool(row.body.get("force")),
        counts=counts,
    )
    posts.enqueue(
        db,
        key=f"{job.id}/stop/{row.id}",
        channel_id=job.channel_id,
        message=message,
        kind="reply",
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
