"""One path for every orchestrator command: resolve, check policy, record, (approve), send.

A request is stored with the exact body that will be sent before anything else happens, so
what an approver sees is what runs, and a restart finds every request where it was left.
Nothing is sent without asking the policy at that moment (flows.gate).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from flows.asker import Asker
from flows.deps import Deps, new_id
from flows.explain import Explanation
from flows.gate import Verdict, at_send, subject_of
from flows.launch import launched
from flows.messages import error_message, tell
from flows.profiles import ProfileError
from flows.refusals import deny, fail, launch_failed, tell_already_asked
from orchestrator.errors import OrchestratorError
from orchestrator.requests import (
    CommandRequest,
    DeployRequest,
    EnvironmentPlanRunRequest,
    PlanRunRequest,
    StopPlanRequest,
    StopRequest,
    TaskRequest,
)
from policy import Decision
from policy.reach import Reach
from store import audit, inbox, requests
from store.requests import RequestRow

log = logging.getLogger(__name__)

__all__ = ["execute", "launched", "subject_of", "submit"]

MARKED = (DeployRequest, TaskRequest, PlanRunRequest, EnvironmentPlanRunRequest)


class AlreadyAsked(Exception):
    """The same stop was asked for already; `row` is the earlier request."""

    def __init__(self, row: RequestRow) -> None:
        super().__init__(row.id)
        self.row = row


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
    target_params: tuple[str, ...] = (),
) -> str:
    """Resolve what the request reaches, record it (a query or node group pinned to the nodes
    it resolved to) and carry it as far as policy allows; returns the request id.

    `request_id` is the inbox id of the slash command behind it. The inbox entry is marked done
    once the request is stored; a crash in between is safe, because recovery skips an inbox
    entry whose id already names a request.
    """
    if deps.membership is not None:
        deps.membership.require(asker)
    rid = request_id or new_id()
    request = with_marker(request, rid, asker.user_id)
    reach: Reach | None = None
    if deps.resolver is not None:
        resolved = deps.resolver.resolve(
            request, via=via, target_params=target_params, command=asker.command or "/deploy"
        )
        request, reach = resolved.request, resolved.reach
    decision: Decision = deps.policy.decide(subject_of(request, asker, reach, via), deps.groups)
    now = deps.clock()
    try:
        with deps.store.write() as db:
            _refuse_repeated_stop(db, request)
            row = requests.create(
                db,
                id=rid,
                now=now,
                channel_id=asker.channel_id,
                user_id=asker.user_id,
                command=subject_of(request, asker).command,
                text=f"{asker.command} {asker.text}".strip(),
                request=request,
                response_url=asker.response_url,
                team_id=asker.team_id,
                rule=decision.rule,
                evidence=evidence,
                via=via,
                respond_replace=asker.replace,
                reach=reach.to_json() if reach is not None else None,
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
                detail={"reach": row.reach} if row.reach else None,
            )
    except AlreadyAsked as exc:
        tell_already_asked(deps, asker, exc.row)
        if request_id:
            with deps.store.write_inbox() as db:
                inbox.done(db, request_id)
        return exc.row.id
    with deps.store.write_inbox() as db:
        inbox.done(db, rid)
    if decision.action == "deny":
        deny(deps, row, decision)
    elif decision.action == "approve":
        hold(deps, row, decision)
    else:
        # Resolved just now, in this same step: the send-time check asks the policy again on it
        # rather than asking PuppetDB twice within milliseconds.
        execute(deps, rid, resolved=reach)
    return rid


def _refuse_repeated_stop(db: Any, request: CommandRequest) -> None:
    """Inside the write transaction that creates the request, so concurrent clicks serialize."""
    if isinstance(request, StopRequest):
        earlier = requests.live_stop(db, "stop", request.job, force=bool(request.force))
    elif isinstance(request, StopPlanRequest):
        earlier = requests.live_stop(db, "stop_plan", request.plan_job, force=False)
    else:
        return
    if earlier is not None:
        raise AlreadyAsked(earlier)


def hold(deps: Deps, row: RequestRow, decision: Decision) -> None:
    """Hold the request for approval. Whatever goes wrong while recording it and queueing its
    card leaves it failed, never sendable, and its requester told (a card delivery cannot post
    later does the same: flows.approval.fail_lost_cards)."""
    from flows.approval import request_approval

    try:
        request_approval(deps, row, decision)
    except Exception as exc:
        ref = new_id()[:6]
        log.exception("request %s: the approval card failed (ref %s)", row.id, ref)
        fail(
            deps,
            row,
            ("new",),
            title="The approval card could not be posted, so the request was not sent.",
            detail=f"{type(exc).__name__} (reference {ref})",
            error=f"approval card failed: {type(exc).__name__} (ref {ref})",
            action="approval_failed",
        )


def execute(deps: Deps, request_id: str, *, resolved: Reach | None = None) -> bool:
    """Carry a recorded request as far as the policy, asked now, allows: send it once
    (compare-and-set to `launching`), hold it for approval, or refuse it. Its targets are
    resolved again unless `resolved` was resolved a moment ago in the same step."""
    row = requests.get(deps.store.db, request_id)
    if row is None or row.state not in ("new", "approved"):
        return False
    try:
        verdict = at_send(deps, row, resolved)
    except Exception as exc:  # a failed resolution or decision never leaves it sendable
        ref = new_id()[:6]
        log.exception("request %s: the send-time check failed (ref %s)", row.id, ref)
        fail(
            deps,
            row,
            ("new", "approved"),
            title="The request could not be checked against the policy, so it was not sent.",
            detail=f"{_plain(exc)} (reference {ref})",
            error=f"send-time check failed: {type(exc).__name__} (ref {ref})",
            action="launch_failed",
        )
        return False
    if verdict.action != "send":
        _not_sent(deps, row, verdict)
        return False
    with deps.store.write() as db:
        if not requests.transition(db, request_id, ("new", "approved"), "launching", deps.clock()):
            return False
    try:
        typed = row.typed()
        if row.via:
            typed = replace(typed, targets=deps.profiles.targets(row.via, row.body["scope"]))
        reply = deps.orchestrator.submit(typed)
    except (OrchestratorError, ProfileError) as exc:
        launch_failed(deps, row, exc)
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


def _not_sent(deps: Deps, row: RequestRow, verdict: Verdict) -> None:
    if verdict.action == "hold":
        log.info("request %s now needs approval (%s)", row.id, verdict.decision.rule)
        hold(deps, row, verdict.decision)
        return
    if row.state == "new" and verdict.decision.action == "deny":
        deny(deps, row, verdict.decision)
        return
    title = (
        "The approval is void, so the request was not sent."
        if verdict.void
        else "The policy does not allow this request now, so it was not sent."
    )
    log.info("request %s not sent: %s", row.id, verdict.why)
    fail(
        deps,
        row,
        ("new", "approved"),
        title=title,
        detail=verdict.why,
        error=("the approval is void: " if verdict.void else "refused at send time: ")
        + verdict.why,
        action="approval_void" if verdict.void else "refused_at_send",
        hint="Nothing was run. Ask again to have the request judged as it stands now.",
    )


def _plain(exc: Exception) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return text if len(text) <= 300 else text[:299] + "…"
