"""`/plan <plan> k=v ...`, `/plan list`, `/plan show <plan>` → intents."""

from __future__ import annotations

from collections.abc import Sequence

from commands.flags import PLAN, PLAN_HINTS
from commands.grammar import Args, Form, only, parse_args, q, words
from commands.intents import Intent, ListPlans, RunPlan, ShowPlan
from commands.later import later_of
from commands.names import environment, task_name
from commands.params import json_params, split_params
from commands.usage import form as usage_form


def _environment(args: Args, form: Form) -> str | None:
    # Left None so plan_run's own default (production) applies, as the docs describe.
    if not args.has("environment"):
        return None
    return environment(args.get("environment"), form)


def _about(tokens: Sequence[str], sub: str) -> Intent:
    form = Form("plan", usage_form(f"plan {sub}"))
    args = parse_args(tokens, PLAN, form, PLAN_HINTS)
    only(args, ("environment",), PLAN, form, f"/plan {sub}")
    wanted = 1 if sub == "list" else 2
    if len(args.words) < wanted:
        raise form.error("Name the plan to show, e.g. /plan show canary.")
    if len(args.words) > wanted:
        raise form.error(f"Unexpected {q(args.words[wanted])} after /plan {sub}; see /plan help.")
    env = _environment(args, form) or "production"
    if sub == "list":
        return ListPlans(environment=env)
    return ShowPlan(plan=task_name(args.words[1], form, "plan"), environment=env)


def _run(tokens: Sequence[str]) -> RunPlan:
    form = Form("plan", usage_form("plan"))
    args = parse_args(tokens, PLAN, form, PLAN_HINTS)
    if not args.words or "=" in args.words[0]:
        raise form.error(
            "Name the plan first, then its parameters: e.g. /plan canary "
            "nodes=web01.example.com command=whoami canary=1."
        )
    plan = task_name(args.words[0], form, "plan")
    raw, resolved = split_params(args.words[1:], form, scoped=True)
    return RunPlan(
        plan=plan,
        environment=_environment(args, form),
        raw_params=raw,
        json_params=json_params(args, form, {*raw, *resolved}),
        scoped_params=resolved,
        timeout=args.get("timeout"),
        description=args.get("description"),
        userdata=args.get("userdata"),
        later=later_of(args, form),
    )


def parse_plan(tokens: Sequence[str]) -> Intent:
    """A sub-command word wins over a plan of that name (run that one as `list::init`)."""
    first = [word.lower() for word in words(tokens, PLAN)[:1]]
    if first in (["list"], ["show"]):
        return _about(tokens, first[0])
    return _run(tokens)
