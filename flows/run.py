"""Carrying out a parsed command after the ack, on the bot's own worker pool."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from commands import intents as i
from commands.intents import UsageError
from delivery.membership import NotMember
from flows import build, reads, schedule_cmds, watching
from flows.asker import Asker
from flows.deps import Deps, new_id
from flows.explain import Explanation, explain
from flows.later import submit_later
from flows.messages import answer, error_message, tell
from flows.pipeline import submit
from flows.profiles import ProfileError
from orchestrator.errors import OrchestratorError
from orchestrator.requests import StopPlanRequest, StopRequest
from store import inbox

log = logging.getLogger(__name__)

READS = (
    i.ListTasks,
    i.ShowTask,
    i.ListPlans,
    i.ShowPlan,
    i.ShowHelp,
    i.ListSchedules,
    i.ShowSchedule,
    i.ListWatches,
    i.ListJobs,
)


def run_intent(deps: Deps, asker: Asker, intent: i.Intent, command_id: str | None = None) -> None:
    """Do what the intent asks; every known failure becomes a private, actionable answer.

    A launch marks the inbox entry done once its request is stored; reads and refusals are
    marked done here, once answered.
    """
    log.info(
        "%s %s from %s in %s", asker.command, type(intent).__name__, asker.user_id, asker.channel_id
    )
    guarded(deps, asker, lambda: _dispatch(deps, asker, intent, command_id))
    if command_id:
        with deps.store.write_inbox() as db:
            inbox.done(db, command_id)


def guarded(deps: Deps, asker: Asker, work: Callable[[], Any]) -> None:
    """The one error boundary of the worker pool (Bolt's @app.error does not reach it)."""
    try:
        work()
    except OrchestratorError as exc:
        tell(
            deps,
            asker.response_url,
            error_message(deps.renderer, explain(exc, environments=deps.known_environments())),
            replace=asker.replace,
        )
    except (UsageError, ProfileError) as exc:
        profile = isinstance(exc, ProfileError)
        why = Explanation(
            title="The connection profile cannot be used."
            if profile
            else "That request cannot be sent as it is.",
            detail=f"the connection profile cannot be used: {exc}" if profile else str(exc),
            hint="Nothing was run. Fix it and send the command again.",
        )
        tell(deps, asker.response_url, error_message(deps.renderer, why), replace=asker.replace)
    except NotMember as exc:
        why = Explanation(title="Invite me to this channel first.", detail=str(exc), hint=exc.hint)
        tell(deps, asker.response_url, error_message(deps.renderer, why), replace=asker.replace)
    except Exception:
        ref = new_id()[:6]
        log.exception("internal error handling %s %r (ref %s)", asker.command, asker.text, ref)
        why = Explanation(
            title="The bot hit an internal error.",
            detail=f"reference {ref}",
            hint="Nothing was run. The error is in the bot's log.",
        )
        tell(deps, asker.response_url, error_message(deps.renderer, why), replace=asker.replace)


def _dispatch(deps: Deps, asker: Asker, intent: i.Intent, command_id: str | None) -> None:
    if deps.membership is not None and not isinstance(intent, READS):
        # Before anything reaches PE: a card posted where the bot is not would be lost.
        deps.membership.require(asker)
    match intent:
        case i.RunDeploy(request=request, later=later) if later is not None:
            submit_later(deps, asker, request, later, request_id=command_id)
        case i.RunDeploy(request=request) | i.CreateTaskTarget(request=request):
            submit(deps, asker, request, request_id=command_id)
        case i.RunTask(later=later) if later is not None:
            task = build.task_request(deps.orchestrator, intent)
            submit_later(deps, asker, task, later, request_id=command_id)
        case i.RunTask():
            if intent.via:
                # Before anything is read or sent: every target must be one of its hosts.
                nodes = list(intent.scope.value) if intent.scope.kind == "nodes" else []
                deps.profiles.check(intent.via, nodes)
            submit(
                deps,
                asker,
                build.task_request(deps.orchestrator, intent),
                via=intent.via,
                request_id=command_id,
            )
        case i.RunPlan():
            plan, targets = build.plan(deps.orchestrator, intent)
            if intent.later is not None:
                submit_later(
                    deps, asker, plan, intent.later, request_id=command_id, target_params=targets
                )
            else:
                submit(deps, asker, plan, request_id=command_id, target_params=targets)
        case i.StopJob(job=job, force=True):
            # Shown only to the requester (ephemeral); the click goes through policy again.
            answer(deps, asker.response_url, "stop_confirm", replace=asker.replace, job=job)
        case i.StopJob(job=job):
            submit(deps, asker, StopRequest(job=job), request_id=command_id)
        case i.StopPlan(plan_job=plan_job):
            submit(deps, asker, StopPlanRequest(plan_job=plan_job), request_id=command_id)
        case i.ListTasks(environment=env):
            reads.list_all(deps, asker, "task", env)
        case i.ShowTask(task=name, environment=env):
            reads.show(deps, asker, "task", name, env)
        case i.ListPlans(environment=env):
            reads.list_all(deps, asker, "plan", env)
        case i.ShowPlan(plan=name, environment=env):
            reads.show(deps, asker, "plan", name, env)
        case i.ListSchedules(mine=mine, environment=env):
            schedule_cmds.list_schedules(deps, asker, mine=mine, environment=env)
        case i.ShowSchedule(name=name):
            schedule_cmds.show_schedule(deps, asker, name)
        case i.CancelSchedule(name=name):
            schedule_cmds.cancel_schedule(deps, asker, name)
        case i.WatchJob(job=job, plan=plan):
            watching.watch_job(deps, asker, job, plan=plan)
        case i.WatchEnvironment(environment=env):
            watching.watch_environment(deps, asker, env)
        case i.UnwatchEnvironment(environment=env):
            watching.unwatch_environment(deps, asker, env)
        case i.ListWatches():
            watching.list_watches(deps, asker)
        case i.ListJobs(running=running, environment=env, mine=mine, limit=limit):
            watching.list_jobs(
                deps, asker, running=running, environment=env, mine=mine, limit=limit
            )
        case _:
            raise TypeError(f"no flow for {intent!r}")
