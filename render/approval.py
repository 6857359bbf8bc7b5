"""Data for the approval card: the exact request, its reach, who may decide, and what was decided.

A pure function of the stored approval and request (any objects with these fields: the store's
rows), so delivery renders the card as it stands whenever it posts or edits it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from policy.principals import who
from policy.reach import Reach
from render.reach import mode, reach_view
from render.renderer import Safe
from render.views import request_view


class ApprovalFacts(Protocol):
    """What the card reads of an approval (store.approvals.ApprovalRow)."""

    @property
    def id(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def requester(self) -> str: ...
    @property
    def rule(self) -> str: ...
    @property
    def approvers(self) -> Mapping[str, Sequence[str]]: ...
    @property
    def required(self) -> int: ...
    @property
    def self_approval(self) -> bool: ...
    @property
    def expires_at(self) -> float: ...
    @property
    def decided_by(self) -> str | None: ...
    @property
    def decided_at(self) -> float | None: ...
    @property
    def reason(self) -> str | None: ...


class RequestFacts(Protocol):
    """What the card reads of the request held (store.requests.RequestRow)."""

    @property
    def endpoint(self) -> str: ...
    @property
    def body(self) -> Mapping[str, Any]: ...
    @property
    def via(self) -> str | None: ...
    @property
    def reach(self) -> Mapping[str, Any] | None: ...
    @property
    def state(self) -> str: ...
    @property
    def error(self) -> str | None: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def evidence(self) -> Any: ...


def approval_card_data(
    approval: ApprovalFacts, request: RequestFacts, *, votes: Sequence[str], now: float
) -> dict[str, Any]:
    """Everything approval_card.j2 shows."""
    reach = reach_view(Reach.from_json(request.reach))
    req = request_view(request.endpoint, request.body, request.via)
    if reach is not None and req["target"] is not None:
        req["target"] = None  # the reach section lists every node, grouped by environment
    return {
        "id": approval.id,
        "state": approval.state,
        "req": req,
        "reach": reach,
        "mode": mode(request.endpoint, request.body),
        "request_state": request.state,
        "request_error": request.error,
        "requester": approval.requester,
        "rule": approval.rule,
        "fingerprint": request.fingerprint,
        "expires_at": approval.expires_at,
        "expires_in": max(0.0, approval.expires_at - now),
        "required": approval.required,
        "votes": list(votes),
        "approvers": Safe(
            who(approval.approvers.get("users", []), approval.approvers.get("groups", []))
        ),
        "self_approval": approval.self_approval,
        "decided_by": approval.decided_by,
        "decided_at": approval.decided_at,
        "reason": approval.reason,
        "evidence": request.evidence,
        "would_change": _would_change(request.evidence),
    }


def _would_change(evidence: Any) -> int:
    """Resources the noop run would change: out of sync but not failed, as its summary counts
    them (a failed resource is its own count, not a change)."""
    resources = (evidence or {}).get("resources") or {}
    return max(0, int(resources.get("out_of_sync", 0)) - int(resources.get("failed", 0)))
