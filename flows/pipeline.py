"""The submit flow, one path for every orchestrator command: resolve, check policy, record,
then hold it for approval (flows/hold.py), refuse it, or send it (flows/send.py).

A request is stored with the exact body that will be sent before anything else happens, so
what an approver sees is what runs, and a restart finds every request where it was left.
Nothing is sent without asking the policy at that moment (flows.gate).
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from flows.as_person import before_submit
from flows.asker import Asker
from flows.deps import Deps, new_id
from flows.hold import hold
from flows.refusals import deny, tell_already_asked
from flows.send import execute
from flows.subject import subject_of, with_marker
from orchestrator.requests import CommandRequest, StopPlanRequest, StopRequest
from policy import Decision
from policy.reach import Reach
from store import audit, inbox, requests
from store.requests import RequestRow

__all__ = ["submit"]


class AlreadyAsked(Exception):
    """The same stop was asked for already; `row` is the earlier request."""

    def __init__(self, row: RequestRow) -> None:
        super().__init__(row.id)
        self.row = row


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
    # Person mode: signed in, and not refused by PE's RBAC, before anything is recorded.
    identity = before_submit(deps, asker, request)
    if identity is None:
        if request_id:
            with deps.store.write_inbox() as db:
                inbox.done(db, request_id)
        return rid
    request = with_marker(request, rid, asker.user_id)
    reach: Reach | None = None
    if deps.resolver is not None:
        resolved = deps.resolver.resolve(
            request, via=via, target_params=target_params, command=asker.command or "/deploy"
        )
        request, reach = resolved.request, resolved.reach
    decision: Decision = deps.policy.decide(
        subject_of(request, asker, reach, via, identity.login), deps.groups
    )
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
                pe_mode=identity.mode,
                pe_login=identity.login,
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
                detail=_detail(row.reach, identity.login),
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


def _refuse_repeated_stop(db: Database, request: CommandRequest) -> None:
    """Inside the write transaction that creates the request, so concurrent clicks serialize."""
    if isinstance(request, StopRequest):
        earlier = requests.live_stop(db, "stop", request.job, force=bool(request.force))
    elif isinstance(request, StopPlanRequest):
        earlier = requests.live_stop(db, "stop_plan", request.plan_job, force=False)
    else:
        return
    if earlier is not None:
        raise AlreadyAsked(earlier)


def _detail(reach: Any, pe_login: str | None) -> dict[str, Any] | None:
    detail = {"reach": reach} if reach else {}
    if pe_login:
        detail["pe_login"] = pe_login
    return detail or None
