"""Errors in plain words: what went wrong, the orchestrator's kind, and what to do. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from orchestrator import errors as oe

GENERIC_HINT = "Nothing was run."


@dataclass(frozen=True)
class Explanation:
    """An error as a person should read it."""

    title: str
    detail: str
    kind: str | None = None
    hint: str = GENERIC_HINT


def explain_rejection(exc: oe.Rejected, *, environments: Sequence[str] = ()) -> Explanation:
    details = exc.details
    env = details.get("environment")
    words: dict[type, tuple[str, str]] = {
        oe.UnknownEnvironment: (
            f"There is no environment {env or ''} on the orchestrator.".replace("  ", " "),
            "Known environments: " + ", ".join(environments)
            if environments
            else "Check the environment name (Code Manager deploys it from a branch).",
        ),
        oe.EmptyEnvironment: (
            f"Environment {env or ''} has no nodes.",
            "Classify nodes into it first, or target another environment.",
        ),
        oe.EmptyTarget: (
            "No nodes matched the target, so nothing ran.",
            "Check the node names, the query or the node group.",
        ),
        oe.PuppetDBError: (
            "The orchestrator could not ask PuppetDB to resolve the query.",
            "Try again shortly, or target nodes by name with --nodes.",
        ),
        oe.QueryError: (
            "The query was refused: it is invalid, or the bot's PE user may not run queries.",
            "Check the PQL syntax (e.g. nodes[certname] { }).",
        ),
        oe.NotPermitted: (
            "The bot's PE user is not permitted to do that.",
            "A PE admin can grant the permission in RBAC (Access control).",
        ),
        oe.UnknownTask: (
            "That task does not exist in that environment.",
            "See what exists with /task list -e <environment>.",
        ),
        oe.UnknownPlan: (
            "That plan does not exist in that environment.",
            "See what exists with /plan list -e <environment>.",
        ),
        oe.InvalidTime: (
            "The orchestrator refused the schedule's start time: it is in the past by its clock.",
            "Nothing was scheduled. Give a later --at (or a longer --in), and check that the PE "
            "server's clock is right.",
        ),
        oe.SchedulingUnsupported: (
            "This PE cannot schedule jobs from the bot: scheduling needs PE 2021.7 or later.",
            "Nothing was scheduled. Run it now (leave out --at, --in and --every), or schedule it "
            "in the PE console.",
        ),
        oe.DisabledScheduledJob: (
            "That schedule is cancelled (disabled) and can no longer be changed.",
            "Nothing was changed. Make a new schedule if it is still needed.",
        ),
        oe.UnknownScheduledJob: (
            "The orchestrator has no such schedule.",
            "Schedule ids are the numbers on the schedule cards; see /schedule list.",
        ),
        oe.UnknownJob: (
            "The orchestrator has no such job.",
            "Job ids are the numbers on the status cards; plan jobs are stopped "
            "with /stop plan <id>.",
        ),
        oe.ValidationFailed: (
            "The orchestrator refused the request as invalid.",
            "Fix the value it names below and send the command again.",
        ),
        oe.AuthenticationFailed: (
            "The orchestrator refused the bot's own RBAC token.",
            "An admin must renew it (puppet access login) and restart the bot.",
        ),
    }
    title, hint = words.get(type(exc), ("The orchestrator refused the request.", GENERIC_HINT))
    return Explanation(title=title, detail=exc.msg, kind=exc.kind, hint=hint)


def explain(exc: Exception, *, environments: Sequence[str] = ()) -> Explanation:
    """Any error a flow can meet, explained."""
    if isinstance(exc, oe.Rejected):
        return explain_rejection(exc, environments=environments)
    if isinstance(exc, oe.Unavailable):
        return Explanation(
            title="The orchestrator is unreachable right now.",
            detail=exc.reason,
            hint="Nothing was run. Try again in a minute; if it persists, check the PE server.",
        )
    if isinstance(exc, oe.UnexpectedShape):
        return Explanation(
            title="The orchestrator answered in a shape this bot does not understand.",
            detail=str(exc),
            hint="It may have acted on the request: check the PE console before sending it again.",
        )
    raise TypeError(f"no explanation for {type(exc).__name__}")
