"""The policy asked about commands that send no job: /schedule and the watching commands. They
reach no node, so a rule can restrict them by command, channel and requester. A rule that asks
approval lets only its approvers do it (there is nothing to hold for later)."""

from __future__ import annotations

from flows.asker import Asker
from flows.deps import Deps
from flows.messages import answer
from policy import Subject


def allowed(deps: Deps, asker: Asker, command: str, what: str, *, owner: str = "") -> bool:
    """Whether the policy lets this person do `what` (a `schedule` or `watch` command) here;
    if not, they are told why. `owner` is whoever the thing acted on belongs to."""
    subject = Subject(
        command=command, user_id=asker.user_id, channel_id=asker.channel_id, name=what
    )
    decision = deps.policy.decide(subject, deps.groups)
    if decision.action == "run":
        return True
    reason = decision.reason
    if decision.action == "approve":
        ok, why = deps.policy.may_approve(decision, asker.user_id, owner, deps.groups)
        if ok:
            return True
        reason = f"{decision.reason}; {why}"
    answer(
        deps,
        asker.response_url,
        "not_allowed",
        replace=asker.replace,
        subject=f"/{command} {what}",
        reason=reason,
        rule=decision.rule,
    )
    return False
