"""Slash-command text → intents: pure parsing, no I/O."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from commands.deploy import parse_deploy
from commands.flags import TABLES
from commands.grammar import Form, q, suggest, wants_help
from commands.intents import Intent, ShowHelp, UsageError
from commands.plan import parse_plan
from commands.schedule import parse_schedule
from commands.stop import parse_stop
from commands.task import parse_task
from commands.tokens import tokenize
from commands.usage import Usage, usage
from commands.watch import parse_jobs, parse_unwatch, parse_watch

__all__ = ["Intent", "Usage", "UsageError", "parse", "parse_tokens", "usage"]

_PARSERS: dict[str, Callable[[Sequence[str]], Intent]] = {
    "deploy": parse_deploy,
    "task": parse_task,
    "plan": parse_plan,
    "stop": parse_stop,
    "schedule": parse_schedule,
    "watch": parse_watch,
    "unwatch": parse_unwatch,
    "jobs": parse_jobs,
}


def parse(command: str, text: str) -> Intent:
    """`/deploy` (or `deploy`) and the text after it → an intent; anything else is a UsageError."""
    name = command.strip().lstrip("/").lower()
    if name not in _PARSERS:
        raise UsageError(
            f"Unknown command {q(command)}.{suggest(name, list(_PARSERS))} "
            "The commands are /deploy, /task, /plan and /stop.",
            command=command[:40],
            usage="/deploy | /task | /plan | /stop (each takes help)",
        )
    form = Form(name, usage(name).synopsis.splitlines()[0])
    return parse_tokens(name, tokenize(text, form))


def parse_tokens(command: str, tokens: Sequence[str]) -> Intent:
    """The same, from words already split (a form's fields): no quoting or Slack escapes."""
    name = command.strip().lstrip("/").lower()
    if wants_help(tokens, TABLES[name]) and (tokens or name != "jobs"):
        return ShowHelp(name)
    return _PARSERS[name](tokens)
