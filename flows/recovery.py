"""Starting again after a crash: every request and job carries on from where it was left."""

from __future__ import annotations

import logging

from commands import parse
from commands.intents import UsageError
from flows.asker import Asker
from flows.deps import Deps
from flows.launch import launched
from flows.lookup import SCHEDULES, find_launched
from flows.messages import answer
from flows.run import run_intent
from flows.send import execute
from orchestrator.errors import OrchestratorError
from store import approvals, audit, inbox, jobs, requests
from store.requests import RequestRow

log = logging.getLogger(__name__)

# A request that never reached the orchestrator is sent after a restart only while it is fresh;
# an older one is reported instead, since its requester may have moved on.
RELAUNCH_WITHIN = 300.0


# A send the crash cut off may still be on its way: PE can create the job after the bot is back
# (a busy PE finishes a POST it has received). Such a request is looked up only once the client
# would have given up waiting for the answer (PE_TIMEOUT) and a margin, so that "the orchestrator
# has no record of it" is true when the requester is told so.
SETTLE_MARGIN = 5.0


def settle_after(deps: Deps) -> float:
    """Seconds after a send began by which PE has answered it or the client has given up."""
    return deps.orchestrator.timeout + SETTLE_MARGIN


def resume(deps: Deps) -> None:
    """Send requests a crash left unsent, and settle those caught mid-send long enough ago
    (`settle_interrupted` settles the others once their send is surely over)."""
    now = deps.clock()
    settle_interrupted(deps, now, started=now)
    for row in requests.in_states(deps.store.db, ("new", "approved"), older_than=now):
        if now - row.created_at <= RELAUNCH_WITHIN:
            # execute asks the policy again: a held request is held (its card posted now), a
            # denied one denied, and only what the policy allows, or an approval covers, sent.
            log.info("carrying on with request %s that a restart interrupted", row.id)
            execute(deps, row.id)
        else:
            _give_up(deps, row, "the bot restarted before sending it, and it is now too old")
    for command_id, received_at, payload in inbox.unfinished(deps.store.inbox_db):
        if requests.get(deps.store.db, command_id) is not None:
            with deps.store.write_inbox() as db:  # it became a request before the crash
                inbox.done(db, command_id)
            continue
        _resume_command(deps, command_id, now - received_at, Asker(**payload))


def settle_interrupted(deps: Deps, now: float, *, started: float) -> None:
    """Settle requests a crash caught mid-send (before `started`, this process's start) whose
    send began at least `settle_after` ago."""
    since = min(started - 0.001, now - settle_after(deps))  # never a send of this process
    for row in requests.in_states(deps.store.db, ("launching",), older_than=since):
        _settle_launching(deps, row)


def _resume_command(deps: Deps, command_id: str, age: float, asker: Asker) -> None:
    """A slash command acked but not acted on before a crash: run it again while fresh."""
    if age <= RELAUNCH_WITHIN:
        try:
            intent = parse(asker.command, asker.text)
        except UsageError:
            intent = None
        if intent is not None:
            log.info("running %s %r again: a restart interrupted it", asker.command, asker.text)
            deps.work.submit(run_intent, deps, asker, intent, command_id)
            return
    with deps.store.write_inbox() as db:
        inbox.done(db, command_id)
    answer(
        deps,
        asker.response_url,
        "error",
        title="A command was not run.",
        detail=f"{asker.command} {asker.text}: the bot restarted before acting on it.",
        kind=None,
        hint="Send the command again if it is still needed.",
    )


def _settle_launching(deps: Deps, row: RequestRow) -> None:
    """Ask the orchestrator whether the request made it (flows.lookup: by the marker in
    userdata, or on PE without userdata by what the job was asked to do)."""
    try:
        found = find_launched(deps.orchestrator, row, lambda kind, n: _followed(deps, kind, n))
    except OrchestratorError as exc:
        log.warning(
            "cannot check request %s against the orchestrator (%s); will try again shortly",
            row.id,
            exc,
        )
        return
    if found.ref is not None:
        log.info(
            "request %s had launched %s before the restart (%d jobs looked at)",
            row.id,
            found.ref,
            found.scanned,
        )
        launched(deps, row, found.ref)
    elif found.lookalikes:
        # Several jobs fit and PE keeps no marker to tell them apart: neither adopt one at
        # random nor send it again.
        names = ", ".join(found.lookalikes[:5])
        _give_up(
            deps,
            row,
            f"the bot restarted while sending it, and the orchestrator has "
            f"{len(found.lookalikes)} jobs that fit it ({names}); the bot cannot tell which one "
            "is this request's, so check them in the PE console",
        )
    elif row.endpoint in ("stop", "stop_plan", SCHEDULES):
        # A stop is idempotent by the documentation; a schedule was looked up by its marker
        # among every scheduled job and is certainly not there: sending either again is safe.
        # It goes back to where it was before the send, so the gate finds its approval.
        back = "approved" if approvals.for_request(deps.store.db, row.id) else "new"
        with deps.store.write() as db:
            requests.transition(db, row.id, ("launching",), back, deps.clock())
        execute(deps, row.id)
    else:
        _give_up(
            deps, row, "the bot restarted while sending it and the orchestrator has no record of it"
        )


def _followed(deps: Deps, kind: str, name: str) -> bool:
    return jobs.get(deps.store.db, jobs.job_key(kind, name)) is not None


def _give_up(deps: Deps, row: RequestRow, why: str) -> None:
    now = deps.clock()
    with deps.store.write() as db:
        if not requests.transition(db, row.id, (row.state,), "failed", now, error=why):
            return
        audit.record(
            db,
            now=now,
            actor=row.user_id,
            action="launch_failed",
            channel_id=row.channel_id,
            request_id=row.id,
            rule=row.rule,
            result="interrupted",
            detail={"why": why},
        )
    answer(
        deps,
        row.response_url,
        "error",
        title="A request was not sent.",
        detail=f"{row.text}: {why}.",
        kind=None,
        hint="Send the command again if still needed.",
    )
