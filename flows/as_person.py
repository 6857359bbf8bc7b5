"""Person mode (PE_IDENTITY=person): the commands a person asks for are sent with their own PE
token, so PE's RBAC decides what they may run and PE's job owner and activity log name them.
The service token still follows jobs, resolves targets and lists tasks and plans.

- Before a request is recorded: the person must be signed in (else a private **Sign in to PE**
  answer, and nothing runs), and a plan or task PE says they may not run is refused at once,
  before anyone is asked to approve it.
- At send time: the requester's token, never the approver's. A token that expired while the
  request waited leaves it approved, and the requester is asked to sign in again; it is sent
  when they do, within the approval's expiry. Signing in as another PE user voids it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flows.asker import Asker
from flows.deps import Deps
from flows.pe_views import sign_in_prompt
from flows.people import SignInNeeded
from flows.refusals import fail
from orchestrator.client import OrchestratorClient
from orchestrator.errors import NotPermitted, OrchestratorError
from orchestrator.requests import (
    CommandRequest,
    EnvironmentPlanRunRequest,
    PlanRunRequest,
    ScheduleRequest,
    TaskRequest,
)
from store import audit
from store.requests import RequestRow

log = logging.getLogger(__name__)

SERVICE = "service"
PERSON = "person"


@dataclass(frozen=True)
class Identity:
    """Who a request is sent as: `mode` and, in person mode, the requester's PE login."""

    mode: str
    login: str | None = None


def before_submit(deps: Deps, asker: Asker, request: CommandRequest) -> Identity | None:
    """In person mode, the requester's PE login, or None after telling them why nothing runs
    (not signed in, or PE says they may not run it). Service mode: always the service account."""
    people = deps.people
    if people is None:
        return Identity(SERVICE)
    try:
        signed = people.current(asker.user_id)
    except SignInNeeded as exc:
        deps.responder.send(asker.response_url, sign_in_prompt(exc.reason), replace=asker.replace)
        return None
    refusal = pe_refuses(deps.orchestrator.with_token(signed.token), signed.login, request)
    if refusal:
        with deps.store.write() as db:
            audit.record(
                db,
                now=deps.clock(),
                actor=asker.user_id,
                action="refused_by_pe",
                channel_id=asker.channel_id,
                request={"endpoint": request.ENDPOINT, "body": request.body()},
                result=refusal,
                detail={"pe_login": signed.login},
            )
        deps.responder.send(
            asker.response_url,
            deps.renderer.render(
                "error",
                title=refusal,
                detail="No one was asked to approve it, and nothing was run.",
                kind="not-permitted",
                hint="Ask a PE administrator for the permission, or someone who has it.",
            ),
            replace=asker.replace,
        )
        return None
    return Identity(PERSON, signed.login)


def pe_refuses(client: OrchestratorClient, login: str, request: CommandRequest) -> str:
    """Why PE would refuse the request as `login`, from what PE reports ("" when it does not
    say no): a plan's `permitted` in GET /plans, a task's where GET /tasks gives it; for a
    schedule, of the task or plan it will run."""
    match request:
        case PlanRunRequest() | EnvironmentPlanRunRequest():
            kind, name, env = "plan", request.plan_name, request.environment or "production"
        case TaskRequest():
            kind, name, env = "task", request.task, request.environment
        case ScheduleRequest(type="task" | "plan"):  # a schedule: what it will run
            kind, name, env = (
                request.type,
                str(request.input.get("name") or ""),
                request.environment,
            )
        case _:
            return ""
    try:
        listing = client.plans(env) if kind == "plan" else client.tasks(env)
    except OrchestratorError as exc:  # the send itself will meet PE's answer
        log.info("could not ask PE what %s may run: %s", login, type(exc).__name__)
        return ""
    for item in listing.items:
        if item.name == name and item.permitted is False:
            return f"PE says {login} may not run {kind} `{name}`."
    return ""


def client_for(deps: Deps, row: RequestRow) -> OrchestratorClient | None:
    """The client to send `row` with: the service account's, or its requester's own token.
    None after handling a requester who must sign in again (or who came back as someone else)."""
    people = deps.people
    if row.pe_mode != PERSON:
        return deps.orchestrator
    if people is None:
        fail(
            deps,
            row,
            ("new", "approved"),
            title="The bot no longer runs commands as each person, so this was not sent.",
            detail="it was asked for in person mode (PE_IDENTITY=person)",
            error="person mode is off",
            action="refused_at_send",
        )
        return None
    try:
        signed = people.current(row.user_id)
    except SignInNeeded as exc:
        _await_sign_in(deps, row, exc.reason)
        return None
    except OrchestratorError as exc:
        fail(
            deps,
            row,
            ("new", "approved"),
            title="PE's RBAC service could not be asked who you are, so nothing was sent.",
            detail=str(exc),
            error=f"RBAC unavailable: {type(exc).__name__}",
            action="refused_at_send",
        )
        return None
    if row.pe_login and signed.login != row.pe_login:
        fail(
            deps,
            row,
            ("new", "approved"),
            title="The approval is void, so the request was not sent.",
            detail=f"it was asked for as PE user {row.pe_login}, and you are now signed in as "
            f"{signed.login}",
            error=f"the approval is void: requester now signed in as {signed.login}",
            action="approval_void",
        )
        return None
    return deps.orchestrator.with_token(signed.token)


def _await_sign_in(deps: Deps, row: RequestRow, reason: str) -> None:
    if row.state != "approved":
        fail(
            deps,
            row,
            ("new",),
            title=f"Nothing was run: {reason}.",
            detail="Commands run as your own PE user.",
            error=f"requester not signed in: {reason}",
            action="refused_at_send",
            hint="Sign in with /pe login and send the command again.",
        )
        deps.responder.send(row.response_url, sign_in_prompt(reason), replace=False)
        return
    with deps.store.write() as db:
        audit.record(
            db,
            now=deps.clock(),
            actor=row.user_id,
            action="awaiting_sign_in",
            channel_id=row.channel_id,
            request_id=row.id,
            rule=row.rule,
            result=reason,
            detail={"pe_login": row.pe_login},
        )
    log.info("request %s waits for %s to sign in to PE again", row.id, row.user_id)
    deps.responder.send(
        row.response_url,
        sign_in_prompt(
            f"your request was approved, but {reason}; sign in again as {row.pe_login} and it "
            "runs, if the approval has not expired by then"
        ),
        replace=False,
    )


class RefusedAsPerson(NotPermitted):
    """PE's `not-permitted`, worded to name the PE user it refused."""


def naming_pe_user(row: RequestRow, exc: NotPermitted) -> NotPermitted:
    """PE's refusal naming the PE user ("PE says alice may not run task `exec`"): the requester
    and, through the approval card, the approvers see who PE refused."""
    if row.pe_mode != PERSON or not row.pe_login:
        return exc
    name = row.body.get("task") or row.body.get("plan_name")
    what = f"{row.command} `{name}`" if name else f"this {row.command}"
    said = f"PE says {row.pe_login} may not run {what}" + (f" ({exc.msg})" if exc.msg else "")
    return RefusedAsPerson(exc.kind, said, exc.details, status=exc.status)
