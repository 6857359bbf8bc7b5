"""How a request ends when it is not sent: denied, refused, failed, or already asked for.
Each marks the request (compare-and-set), records it in the audit, and tells the requester."""

from __future__ import annotations

import logging

from flows.asker import Asker
from flows.deps import Deps
from flows.explain import Explanation, explain
from flows.messages import answer, error_message, tell
from flows.profiles import ProfileError
from orchestrator.errors import OrchestratorError
from policy import Decision
from render.renderer import Safe
from render.views import subject
from store import approvals, audit, requests
from store.requests import RequestRow

log = logging.getLogger(__name__)


def tell_already_asked(deps: Deps, asker: Asker, earlier: RequestRow) -> None:
    what = "plan job" if earlier.endpoint == "stop_plan" else "job"
    target = earlier.body.get("plan_job") or earlier.body.get("job")
    forced = " (--force)" if earlier.body.get("force") else ""
    answer(
        deps,
        asker.response_url,
        "error",
        replace=asker.replace,
        title=Safe(
            f"<@{earlier.user_id}> already asked to stop {what} {target}{forced}."
            if earlier.user_id != asker.user_id
            else f"You already asked to stop {what} {target}{forced}."
        ),
        detail=f"That request is {earlier.state.replace('_', ' ')}.",
        kind=None,
        hint="Nothing new was sent.",
    )


def fail(
    deps: Deps,
    row: RequestRow,
    from_states: tuple[str, ...],
    *,
    title: str,
    detail: str,
    error: str,
    action: str,
    hint: str = "Nothing was run. Send the command again if it is still needed.",
) -> bool:
    """Mark the request failed (compare-and-set) and tell its requester; False if another
    path already moved it."""
    now = deps.clock()
    with deps.store.write() as db:
        if not requests.transition(db, row.id, from_states, "failed", now, error=error):
            return False
        audit.record(
            db,
            now=now,
            actor=row.user_id,
            action=action,
            channel_id=row.channel_id,
            request_id=row.id,
            rule=row.rule,
            result=error,
        )
        approval = approvals.for_request(db, row.id)
        if approval:
            approvals.bump_card(db, approval.id)
    deps.sender.wake()
    why = Explanation(title=title, detail=detail, hint=hint)
    tell(deps, row.response_url, error_message(deps.renderer, why), replace=row.respond_replace)
    return True


def deny(deps: Deps, row: RequestRow, decision: Decision) -> None:
    now = deps.clock()
    with deps.store.write() as db:
        if not requests.transition(db, row.id, ("new",), "denied", now, error=decision.reason):
            return
        audit.record(
            db,
            now=now,
            actor=row.user_id,
            action="denied",
            channel_id=row.channel_id,
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
        subject=subject(row.endpoint, row.body),
    )


def launch_failed(deps: Deps, row: RequestRow, exc: OrchestratorError | ProfileError) -> None:
    now = deps.clock()
    if isinstance(exc, ProfileError):
        why = Explanation(
            title="The connection profile cannot be used.",
            detail=f"the connection profile cannot be used: {exc}",
            hint="Nothing was run. An admin must fix CONNECTIONS_FILE.",
        )
    else:
        why = explain(exc, environments=deps.known_environments())
    kind = "profile" if isinstance(exc, ProfileError) else (why.kind or "unavailable")
    log.info("request %s not sent: %s", row.id, exc)
    with deps.store.write() as db:
        requests.transition(
            db,
            row.id,
            ("launching",),
            "failed",
            now,
            error=f"{kind}: {why.detail}",
        )
        audit.record(
            db,
            now=now,
            actor=row.user_id,
            action="launch_failed",
            channel_id=row.channel_id,
            request_id=row.id,
            rule=row.rule,
            result=kind,
            detail={"msg": why.detail},
        )
        approval = approvals.for_request(db, row.id)
        if approval:
            approvals.bump_card(db, approval.id)
    deps.sender.wake()
    tell(deps, row.response_url, error_message(deps.renderer, why), replace=row.respond_replace)
