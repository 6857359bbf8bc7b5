"""`/schedule list [--mine] [-e ENV]`, `/schedule show <id>`, `/schedule cancel <id>` → intents."""

from __future__ import annotations

from collections.abc import Sequence

from commands.flags import SCHEDULE
from commands.grammar import Form, only, parse_args, q, suggest
from commands.intents import CancelSchedule, Intent, ListSchedules, ShowSchedule
from commands.names import environment, job_id
from commands.usage import form as usage_form

SUBCOMMANDS = ("list", "show", "cancel")


def parse_schedule(tokens: Sequence[str]) -> Intent:
    form = Form("schedule", usage_form("schedule"))
    args = parse_args(tokens, SCHEDULE, form)
    if not args.words:
        raise form.error(
            "Say what to do: /schedule list, /schedule show <id> or /schedule cancel <id>."
        )
    sub = args.words[0].lower()
    if sub not in SUBCOMMANDS:
        raise form.error(
            f"Unknown /schedule {q(args.words[0])}.{suggest(sub, SUBCOMMANDS)} "
            "Use list, show <id> or cancel <id>."
        )
    if sub == "list":
        if len(args.words) > 1:
            raise form.error(f"Unexpected {q(args.words[1])} after /schedule list.")
        env = args.get("environment")
        return ListSchedules(
            mine=bool(args.get("mine")),
            environment=environment(env, form) if env is not None else None,
        )
    only(args, (), SCHEDULE, form, f"/schedule {sub}")
    if len(args.words) < 2:
        raise form.error(f"Name the schedule, e.g. /schedule {sub} 3 (see /schedule list).")
    if len(args.words) > 2:
        raise form.error(f"Unexpected {q(args.words[2])}: one schedule at a time.")
    name = job_id(args.words[1], form, "schedule")
    return ShowSchedule(name=name) if sub == "show" else CancelSchedule(name=name)
