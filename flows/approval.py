"""Approvals decided: clicks checked against policy, decided once, expiry, lost cards. Holding a
request and queueing its card is flows/hold.py.

The decision is a compare-and-set in the store, so twenty people clicking at once launch the
job exactly once; the policy is asked again at approval time, so a change made in between
counts; what runs is the stored body the card showed, never text parsed again.
"""

from __future__ import annotations

import logging

from flows.asker import Asker
from flows.deps import Deps
from flows.messages import answer
from flows.refusals import fail
from flows.send import execute
from flows.subject import subject_of
from policy import Decision
from policy.reach import Reach
from render.renderer import Safe
from store import approvals, audit, requests
from store.approvals import ApprovalRow
from store.requests import RequestRow

log = logging.getLogger(__name__)


def _current_decision(deps: Deps, row: RequestRow) -> Decision:
    """The policy now, on the reach the card shows (the launch resolves it again)."""
    requester = Asker(user_id=row.user_id, channel_id=row.channel_id)
    subject = subject_of(row.typed(), requester, Reach.from_json(row.reach), row.via, row.pe_login)
    return deps.policy.decide(subject, deps.groups)


def _refuse(deps: Deps, asker: Asker, title: str, detail: str = "") -> None:
    # Both texts are the bot's or the policy file's own words, mentions included.
    answer(
        deps,
        asker.response_url,
        "error",
        title=Safe(title),
        detail=Safe(detail),
        kind=None,
        hint="Nothing was changed.",
    )


def _load(deps: Deps, asker: Asker, approval_id: str) -> tuple[ApprovalRow, RequestRow] | None:
    db = deps.store.db
    approval = approvals.get(db, approval_id)
    row = requests.get(db, approval.request_id) if approval else None
    if approval is None or row is None:
        _refuse(deps, asker, "That approval is not known here.")
        return None
    if asker.channel_id != approval.channel_id:
        # A card lives in one channel; a click that says otherwise was not made on it.
        log.warning(
            "refused a click on approval %s from channel %s (its card is in %s)",
            approval.id,
            asker.channel_id,
            approval.channel_id,
        )
        _refuse(deps, asker, "That click did not come from this approval's card.")
        return None
    if approval.state == "pending" and approval.expires_at <= deps.clock():
        expire(deps, approval)
        approval = approvals.get(db, approval_id) or approval
    if approval.state != "pending":
        _refuse(deps, asker, _already(approval))
        return None
    return approval, row


def _already(approval: ApprovalRow) -> str:
    if approval.state == "expired":
        return "This request has expired; ask for it again if it is still needed."
    who = f"<@{approval.decided_by}>" if approval.decided_by else "someone"
    return f"This request was already {approval.state} by {who}."


def approve(deps: Deps, asker: Asker, approval_id: str) -> None:
    """One Approve click: authorise the clicker, count the vote, decide when enough."""
    loaded = _load(deps, asker, approval_id)
    if loaded is None:
        return
    approval, row = loaded
    decision = _current_decision(deps, row)
    if decision.action == "deny":
        _decide(deps, approval, row, state="rejected", by="policy", reason=decision.reason)
        _refuse(deps, asker, "The policy no longer allows this request.", decision.reason)
        return
    required = decision.required if decision.action == "approve" else 1
    if decision.action == "approve":
        allowed, why = deps.policy.may_approve(decision, asker.user_id, row.user_id, deps.groups)
        if not allowed:
            _refuse(deps, asker, "You cannot approve this request.", why)
            return
    now = deps.clock()
    with deps.store.write() as db:
        fresh = approvals.add_vote(db, approval.id, asker.user_id, now)
        count = len(approvals.votes(db, approval.id))
        if fresh:
            approvals.bump_card(db, approval.id)
            audit.record(
                db,
                now=now,
                actor=asker.user_id,
                action="approval_vote",
                channel_id=row.channel_id,
                request_id=row.id,
                rule=decision.rule,
                result=f"{count}/{required}",
                detail=_approver_pe(deps, asker.user_id),
            )
    deps.sender.wake()
    if count < required:
        said = "Your approval is recorded" if fresh else "You have already approved"
        _refuse(
            deps,
            asker,
            f"{said}: {count} of {required}.",
            "The request runs when enough different people have approved.",
        )
        return
    if _decide(deps, approval, row, state="approved", by=asker.user_id):
        execute(deps, row.id)
    else:
        fresh_row = approvals.get(deps.store.db, approval.id) or approval
        _refuse(deps, asker, _already(fresh_row))


def _approver_pe(deps: Deps, user_id: str) -> dict[str, str] | None:
    """An approver's PE login, when they are signed in (person mode): for the audit only; the
    request still runs as its requester."""
    login = deps.people.login_of(user_id) if deps.people is not None else None
    return {"pe_login": login} if login else None


def _decide(
    deps: Deps,
    approval: ApprovalRow,
    row: RequestRow,
    *,
    state: str,
    by: str,
    reason: str | None = None,
) -> bool:
    """The compare-and-set: True only for the one caller whose decision counts."""
    now = deps.clock()
    with deps.store.write() as db:
        if not approvals.decide(db, approval.id, state=state, by=by, now=now, reason=reason):
            return False
        target = {"approved": "approved", "rejected": "rejected", "expired": "expired"}[state]
        requests.transition(db, row.id, ("awaiting_approval",), target, now)
        audit.record(
            db,
            now=now,
            actor=by,
            action=state,
            channel_id=row.channel_id,
            request_id=row.id,
            rule=approval.rule,
            approvers=approvals.votes(db, approval.id) if state == "approved" else None,
            result=reason or state,
        )
    deps.sender.wake()
    log.info("approval %s %s by %s", approval.id, state, by)
    return True


def may_reject(deps: Deps, asker: Asker, approval_id: str) -> bool:
    """Before the reason modal opens: approvers may reject, and requesters may withdraw."""
    loaded = _load(deps, asker, approval_id)
    if loaded is None:
        return False
    approval, row = loaded
    if asker.user_id == row.user_id:
        return True
    decision = _current_decision(deps, row)
    if decision.action != "approve":
        return True
    allowed, why = deps.policy.may_approve(decision, asker.user_id, row.user_id, deps.groups)
    if not allowed:
        _refuse(deps, asker, "You cannot reject this request.", why)
    return allowed


def reject(deps: Deps, asker: Asker, approval_id: str, reason: str) -> None:
    if not may_reject(deps, asker, approval_id):
        return
    approval = approvals.get(deps.store.db, approval_id)
    row = requests.get(deps.store.db, approval.request_id) if approval else None
    if (
        approval
        and row
        and not _decide(
            deps,
            approval,
            row,
            state="rejected",
            by=asker.user_id,
            reason=reason or "no reason given",
        )
    ):
        _refuse(deps, asker, _already(approvals.get(deps.store.db, approval_id) or approval))


def expire(deps: Deps, approval: ApprovalRow) -> None:
    row = requests.get(deps.store.db, approval.request_id)
    if row is not None:
        _decide(deps, approval, row, state="expired", by="expiry")


def expire_due(deps: Deps, now: float) -> None:
    """Run by the poller: pending approvals past their expiry become Expired on their card."""
    for approval in approvals.due_to_expire(deps.store.db, now):
        expire(deps, approval)


def fail_lost_cards(deps: Deps) -> None:
    """Run by the poller: a pending approval whose card delivery gave up on (it could not be
    rendered, or Slack refused it) can never be decided, so its request fails, never
    sendable, and its requester is told. Safe to repeat: each step is a compare-and-set."""
    for approval_id, why in approvals.cards_lost(deps.store.db):
        approval = approvals.get(deps.store.db, approval_id)
        row = requests.get(deps.store.db, approval.request_id) if approval else None
        if row is not None:
            fail(
                deps,
                row,
                ("awaiting_approval",),
                title="The approval card could not be posted, so the request was not sent.",
                detail=why,
                error=f"approval card failed: {why}",
                action="approval_failed",
            )
        with deps.store.write() as db:
            approvals.decide(
                db, approval_id, state="rejected", by="delivery", now=deps.clock(), reason=why
            )
