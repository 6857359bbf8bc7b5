"""Sending a recorded request: the gate asked now (flows/gate.py), the request moved to
`launching` once (compare-and-set), the orchestrator asked, and what it created recorded
(flows/launch.py). Anything the gate does not let through is held or refused."""

from __future__ import annotations

import logging
from dataclasses import replace

from flows.as_person import client_for, naming_pe_user
from flows.deps import Deps, new_id
from flows.explain import Explanation
from flows.gate import Verdict, at_send
from flows.hold import hold
from flows.launch import launched
from flows.messages import error_message, tell
from flows.profiles import ProfileError
from flows.refusals import deny, fail, launch_failed
from orchestrator.errors import NotPermitted, OrchestratorError
from orchestrator.requests import ScheduleRequest, TaskRequest
from orchestrator.schedule_input import start_of
from policy.reach import Reach
from render import fmt
from store import requests
from store.requests import RequestRow

log = logging.getLogger(__name__)


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
    if _start_passed(deps, row):
        return False
    # Person mode: the requester's own token (never an approver's); None when they must sign
    # in again first (the request waits, approved) or it can no longer be sent.
    client = client_for(deps, row)
    if client is None:
        return False
    with deps.store.write() as db:
        if not requests.transition(db, request_id, ("new", "approved"), "launching", deps.clock()):
            return False
    try:
        typed = row.typed()
        if row.via and isinstance(typed, TaskRequest):  # only a task names a profile (--via)
            typed = replace(typed, targets=deps.profiles.targets(row.via, row.body["scope"]))
        reply = client.submit(typed)
    except NotPermitted as exc:
        launch_failed(deps, row, naming_pe_user(row, exc))
        return False
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


def _start_passed(deps: Deps, row: RequestRow) -> bool:
    """A schedule whose start time passed while it waited (for an approval, or a restart) is
    not created: PE would refuse it, and a run at another time than asked is not what was
    approved. Its requester is told."""
    typed = row.typed()
    if not isinstance(typed, ScheduleRequest):
        return False
    start = start_of(typed)
    if start is not None and start.timestamp() > deps.clock():
        return False
    fail(
        deps,
        row,
        ("new", "approved"),
        title="The schedule's start time passed before it could be created, so nothing was "
        "scheduled.",
        detail=f"it was to start at {fmt.slack_date(start.timestamp()) if start else '?'}",
        error="the start time passed before it was sent",
        action="start_passed",
        hint="Nothing was scheduled. Ask again with a later --at (or --in).",
    )
    return True


def _plain(exc: Exception) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return text if len(text) <= 300 else text[:299] + "…"
