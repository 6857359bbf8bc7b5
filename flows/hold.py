"""Holding a request for approval: the approval recorded, the request moved to
`awaiting_approval`, its card queued for the channel and its requester told. Deciding on it
(the clicks, expiry) is flows/approval.py; sending it once approved is flows/send.py."""

from __future__ import annotations

import logging

from flows.deps import Deps, new_id
from flows.messages import answer
from flows.refusals import fail
from policy import Decision
from store import approvals, audit, posts, requests
from store.requests import RequestRow

log = logging.getLogger(__name__)


def request_approval(deps: Deps, row: RequestRow, decision: Decision) -> str:
    """Hold the request and queue an approval card for the channel; returns the approval id.
    A card that cannot be posted (delivery could not render it, or Slack refused it) fails the
    request: see fail_lost_cards."""
    now = deps.clock()
    approval_id = new_id()
    with deps.store.write() as db:
        approval = approvals.create(
            db,
            id=approval_id,
            request_id=row.id,
            channel_id=row.channel_id,
            requester=row.user_id,
            approvers={
                "users": list(decision.approvers_users),
                "groups": list(decision.approvers_groups),
            },
            required=decision.required,
            self_approval=decision.self_approval,
            rule=decision.rule,
            now=now,
            expires_at=now + decision.expiry_seconds,
            fingerprint=row.fingerprint,
        )
        if not requests.transition(db, row.id, ("new",), "awaiting_approval", now):
            raise RuntimeError(f"request {row.id} is no longer new")
        audit.record(
            db,
            now=now,
            actor=row.user_id,
            action="approval_requested",
            channel_id=row.channel_id,
            request_id=row.id,
            rule=decision.rule,
            result=decision.reason,
            detail={"required": decision.required},
        )
        # Rendered by delivery when it is posted, from the approval as it is then.
        posts.enqueue(
            db,
            key=f"approval:{approval.id}/card",
            channel_id=row.channel_id,
            kind="approval_card",
            template="approval_card",
            ref=approval.id,
            now=now,
        )
    deps.sender.wake()
    answer(
        deps,
        row.response_url,
        "approval_pending",
        replace=row.respond_replace,
        reason=decision.reason,
        channel=row.channel_id,
    )
    return approval_id


def hold(deps: Deps, row: RequestRow, decision: Decision) -> None:
    """Hold the request for approval. Whatever goes wrong while recording it and queueing its
    card leaves it failed, never sendable, and its requester told (a card delivery cannot post
    later does the same: flows.approval.fail_lost_cards)."""
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
