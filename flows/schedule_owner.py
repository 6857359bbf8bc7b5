"""Schedules in person mode (PE_IDENTITY=person): who a schedule runs as, and whose token
cancels one.

PE starts every run of a schedule as the schedule's owner, the PE user whose token made it. In
person mode the bot makes a schedule with its requester's own token (flows/as_person.py), so it
runs as that person. Schedules made before the switch (their request's `pe_mode` is not
`person`), and any PE lists as owned by the service account, keep running as the service
account: `/schedule list`, `/schedule show` and the card mark them.

A cancel is a person's command: in person mode it is sent with their own token (they must be
signed in), so PE's RBAC decides it and PE's activity log names them. Reads (listing, showing,
finding fired runs) use the service token. Re-judging's disable is the bot's own safety action
and uses the service token too (flows/rejudge.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from flows.as_person import PERSON
from flows.asker import Asker
from flows.deps import Deps
from flows.pe_views import sign_in_prompt
from flows.people import SignInNeeded
from orchestrator.client import OrchestratorClient
from orchestrator.schedules import ScheduledJob
from store import schedules


def run_as_service(deps: Deps, found: Iterable[ScheduledJob]) -> set[str]:
    """The names of `found` that run as the service account. Person mode only: in service mode
    every schedule the bot makes is the service account's, and nothing is marked."""
    people = deps.people
    if people is None:
        return set()
    made = schedules.made_as(deps.store.db)
    login = people.service_login(deps.orchestrator)
    return {
        job.name
        for job in found
        if made.get(job.name, PERSON) != PERSON or (login is not None and job.owner == login)
    }


def acting_client(deps: Deps, asker: Asker) -> tuple[OrchestratorClient, str | None] | None:
    """The client a person's own command on a schedule is sent with, and their PE login: the
    service account's in service mode; theirs in person mode. None after a private **Sign in to
    PE** answer (nothing is sent)."""
    people = deps.people
    if people is None:
        return deps.orchestrator, None
    try:
        signed = people.current(asker.user_id)
    except SignInNeeded as exc:
        deps.responder.send(asker.response_url, sign_in_prompt(exc.reason), replace=asker.replace)
        return None
    return deps.orchestrator.with_token(signed.token), signed.login
