"""`/stop <job-id> [--force]` and `/stop plan <plan-job-id>` → intents."""

from __future__ import annotations

from collections.abc import Sequence

from commands.flags import STOP
from commands.grammar import Form, parse_args, q, words
from commands.intents import StopJob, StopPlan
from commands.names import job_id
from commands.usage import form as usage_form


def _stop_plan(tokens: Sequence[str]) -> StopPlan:
    form = Form("stop", usage_form("stop plan"))
    args = parse_args(tokens, STOP, form)
    if args.has("force"):
        # stop_plan has no force: the plan stops, but its running task job finishes on its own.
        raise form.error(
            "/stop plan has no --force: it interrupts the plan, and the plan's running task "
            "job finishes. To end that job too, /stop <its job id> --force."
        )
    if len(args.words) < 2:
        raise form.error("Name the plan job to stop, e.g. /stop plan 77.")
    plan_job = job_id(args.words[1], form, "plan job")
    if len(args.words) > 2:
        raise form.error(f"Unexpected {q(args.words[2])}: stop one plan job at a time.")
    return StopPlan(plan_job=plan_job)


def parse_stop(tokens: Sequence[str]) -> StopJob | StopPlan:
    if [word.lower() for word in words(tokens, STOP)[:1]] == ["plan"]:
        return _stop_plan(tokens)
    form = Form("stop", usage_form("stop"))
    args = parse_args(tokens, STOP, form)
    if not args.words:
        raise form.error("Name the job to stop, e.g. /stop 1234.")
    job = job_id(args.words[0], form, choices=("plan",))
    if len(args.words) > 1:
        raise form.error(f"Unexpected {q(args.words[1])}: stop one job at a time.")
    return StopJob(job=job, force=bool(args.get("force", False)))
