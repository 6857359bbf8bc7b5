"""The gate every send goes through: at send time the targets are resolved again and the
policy asked again; a request is sent only if the policy says run, or a recorded approval
covers exactly its body, under the same rule, with no node moved into production since.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from flows.asker import Asker
from flows.deps import Deps
from flows.subject import subject_of
from orchestrator.requests import CommandRequest
from policy import Decision
from policy.reach import Reach, moved_into_production
from store import approvals, requests
from store.requests import RequestRow

log = logging.getLogger(__name__)

NOT_RESOLVED = Reach(unknown="target resolution is off")


@dataclass(frozen=True)
class Verdict:
    """What to do with a request now: send it, hold it for approval, or refuse it (`why`)."""

    action: Literal["send", "hold", "refuse"]
    decision: Decision
    reach: Reach
    why: str = ""
    void: bool = False  # refused because an approval no longer covers it


def stored_reach(row: RequestRow) -> Reach | None:
    return Reach.from_json(row.reach)


def resolve_again(deps: Deps, row: RequestRow) -> Reach:
    """The stored request's reach now. The body is never changed here: what is sent is what
    was stored (and, if held, approved)."""
    stored = stored_reach(row)
    if deps.resolver is None:
        return NOT_RESOLVED
    resolved = deps.resolver.resolve(
        row.typed(),
        via=row.via,
        target_params=stored.target_params if stored else (),
        command=f"/{row.command}",
    )
    return resolved.reach


def resolve_again_body(deps: Deps, request: CommandRequest, command: str) -> Reach:
    """What a request reaches now, from its body alone (a schedule judged again)."""
    if deps.resolver is None:
        return NOT_RESOLVED
    return deps.resolver.resolve(request, command=command).reach


def at_send(deps: Deps, row: RequestRow, resolved: Reach | None = None) -> Verdict:
    """Ask the policy about the request as it stands now (resolution is I/O: worker only).
    `resolved` is a reach resolved a moment ago in the same step (a request sent as soon as it
    is stored); anything else is resolved again here."""
    reach = resolved if resolved is not None else resolve_again(deps, row)
    requester = Asker(user_id=row.user_id, channel_id=row.channel_id)
    decision = deps.policy.decide(
        subject_of(row.typed(), requester, reach, row.via, row.pe_login), deps.groups
    )
    if decision.action == "run":
        return Verdict("send", decision, reach)
    if decision.action == "deny":
        return Verdict("refuse", decision, reach, decision.reason, void=row.state == "approved")
    approval = approvals.for_request(deps.store.db, row.id)
    if approval is None or approval.state != "approved":
        if row.state == "new":
            return Verdict("hold", decision, reach)
        return Verdict("refuse", decision, reach, "it needs an approval that it does not have")
    why = _not_covered(deps, row, approval, decision, reach)
    if why:
        return Verdict("refuse", decision, reach, why, void=True)
    return Verdict("send", decision, reach)


def _not_covered(
    deps: Deps, row: RequestRow, approval: approvals.ApprovalRow, decision: Decision, reach: Reach
) -> str:
    """Why the recorded approval does not cover this request now; "" when it does."""
    if not approval.fingerprint or approval.fingerprint != requests.fingerprint(
        row.endpoint, row.body
    ):
        return "the request is not the one that was approved (its fingerprint differs)"
    if approval.rule != decision.rule:
        return (
            f'the policy now decides it under rule "{decision.rule}", not "{approval.rule}" '
            "under which it was approved"
        )
    votes = approvals.votes(deps.store.db, approval.id)
    if len(votes) < decision.required:
        return f"the policy now needs {decision.required} approvals and it has {len(votes)}"
    moved = moved_into_production(stored_reach(row), reach)
    if moved:
        shown = ", ".join(
            f"{node.certname} ({was} → {node.environment})" for node, was in moved[:5]
        )
        more = f" and {len(moved) - 5} more" if len(moved) > 5 else ""
        return f"since the card was posted, these came to count as production: {shown}{more}"
    return ""
