"""`/task <task> k=v <scope>`, `/task list`, `/task show <task>` → intents."""

from __future__ import annotations

from collections.abc import Sequence

from commands.flags import TASK, TASK_RUN
from commands.grammar import Args, Form, only, parse_args, q, words
from commands.intents import Intent, ListTasks, RunTask, ShowTask
from commands.later import later_of
from commands.names import environment, profile, task_name
from commands.params import json_params, split_params
from commands.scope import scope
from commands.task_target import parse_task_target
from commands.usage import form as usage_form

DEFAULT_ENVIRONMENT = "production"


def _environment(args: Args, form: Form) -> str:
    if not args.has("environment"):
        return DEFAULT_ENVIRONMENT
    return environment(args.get("environment"), form)


def _no_more(extra: Sequence[str], what: str, form: Form) -> None:
    if extra:
        raise form.error(f"Unexpected {q(extra[0])} after {what}; see /task help.")


def _list(tokens: Sequence[str]) -> ListTasks:
    form = Form("task", usage_form("task list"))
    args = parse_args(tokens, TASK, form)
    only(args, ("environment",), TASK, form, "/task list")
    _no_more(args.words[1:], "/task list", form)
    return ListTasks(environment=_environment(args, form))


def _show(tokens: Sequence[str]) -> ShowTask:
    form = Form("task", usage_form("task show"))
    args = parse_args(tokens, TASK, form)
    only(args, ("environment",), TASK, form, "/task show")
    if len(args.words) < 2:
        raise form.error("Name the task to show, e.g. /task show package.")
    _no_more(args.words[2:], f"/task show {args.words[1]}", form)
    return ShowTask(task=task_name(args.words[1], form), environment=_environment(args, form))


def _run(tokens: Sequence[str]) -> RunTask:
    form = Form("task", usage_form("task"))
    args = parse_args(tokens, TASK, form)
    only(args, tuple(flag.key for flag in TASK_RUN), TASK, form, "running a task")
    if not args.words or "=" in args.words[0]:
        raise form.error(
            "Name the task first, then its parameters: "
            "e.g. /task package action=install name=httpd --nodes web01.example.com."
        )
    task = task_name(args.words[0], form)
    raw, _ = split_params(args.words[1:], form)
    target = scope(args, form)
    via = args.get("via")
    if via is not None:
        profile(via, form)
        # The SSH/WinRM targets' hostnames must be the scope's nodes, so only a node list works.
        if target.kind != "nodes":
            raise form.error(
                f"--via needs the nodes listed with --nodes (their hostnames), "
                f"not {args.flag(target.kind)}."
            )
    return RunTask(
        task=task,
        scope=target,
        environment=_environment(args, form),
        raw_params=raw,
        json_params=json_params(args, form, raw),
        noop=True if args.has("noop") else None,
        timeout=args.get("timeout"),
        description=args.get("description"),
        userdata=args.get("userdata"),
        via=via,
        later=later_of(args, form),
    )


def parse_task(tokens: Sequence[str]) -> Intent:
    """A sub-command word wins over a task of that name (run that one as `list::init`)."""
    bare = [word.lower() for word in words(tokens, TASK)[:2]]
    if bare[:1] == ["list"]:
        return _list(tokens)
    if bare[:1] == ["show"]:
        return _show(tokens)
    if bare == ["target", "create"]:
        return parse_task_target(tokens)
    return _run(tokens)
