"""`/task target create "<name>" ...` → a checked POST /command/task_target request."""

from __future__ import annotations

from collections.abc import Sequence

from commands.flags import TASK
from commands.grammar import Form, only, parse_args, q
from commands.intents import CreateTaskTarget
from commands.names import certname, node_group_id, task_name
from commands.scope import query
from commands.usage import form as usage_form
from orchestrator.requests import TaskTargetRequest

_ALLOWED = ("tasks", "all_tasks", "nodes", "node_groups", "query")


def parse_task_target(tokens: Sequence[str]) -> CreateTaskTarget:
    """The task-target request, following the endpoint's documented validation."""
    form = Form("task", usage_form("task target"))
    args = parse_args(tokens, TASK, form)
    only(args, _ALLOWED, TASK, form, "/task target create")
    rest = args.words[2:]
    if not rest or not rest[0].strip():
        raise form.error('Give the task-target a name, e.g. /task target create "web restarts" ...')
    if len(rest) > 1:
        raise form.error(
            f"Unexpected {q(rest[1])} after the name {q(rest[0])}: put a name with spaces in "
            'quotes, e.g. "web restarts".'
        )
    if args.has("tasks") == args.has("all_tasks"):
        raise form.error("Use exactly one of --tasks a,b (those tasks) or --all-tasks (any task).")
    tasks = tuple(task_name(name, form) for name in args.get("tasks") or ())
    if args.has("tasks") and not tasks:
        raise form.error("--tasks needs at least one task name, or use --all-tasks.")
    nodes = tuple(certname(name, form) for name in args.get("nodes") or ())
    groups = tuple(node_group_id(group, form) for group in args.get("node_groups") or ())
    pql = None
    if args.has("query"):
        pql = query(args.get("query"), args.flag("query"), form, json_allowed=False)
    if not (nodes or groups or pql):
        raise form.error(
            "Say which nodes the task-target covers: --nodes a,b, --node-groups id,id "
            "and/or --query '<PQL>'."
        )
    return CreateTaskTarget(
        TaskTargetRequest(
            display_name=rest[0],
            tasks=None if args.has("all_tasks") else tasks,
            all_tasks=True if args.has("all_tasks") else None,
            nodes=nodes,
            node_groups=groups,
            pql_query=pql if isinstance(pql, str) else None,
        )
    )
