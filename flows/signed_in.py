"""After a person signs in (person mode): their approved requests that waited for it are sent."""

from __future__ import annotations

from flows.deps import Deps
from flows.refusals import fail
from flows.send import execute
from store import approvals, requests


def resume_after_sign_in(deps: Deps, user_id: str) -> int:
    """Send a person's approved requests that waited for them to sign in (within each
    approval's expiry; later ones fail). Returns how many were tried."""
    tried = 0
    for row in requests.approved_for(deps.store.db, user_id):
        approval = approvals.for_request(deps.store.db, row.id)
        if approval is not None and approval.expires_at <= deps.clock():
            fail(
                deps,
                row,
                ("approved",),
                title="The approval expired while it waited for you to sign in, so the "
                "request was not sent.",
                detail="",
                error="the approval expired while waiting for the requester to sign in",
                action="approval_void",
                hint="Ask again if it is still needed.",
            )
            continue
        tried += 1
        execute(deps, row.id)
    return tried
