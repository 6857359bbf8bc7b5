"""What `/<command> help` shows: the forms, a summary, the flags and worked examples."""

from __future__ import annotations

from dataclasses import dataclass

from commands.flags import TABLES

SCOPE_FORMS = "--nodes a,b | --query '<PQL>' | --node-group <id>"

FORMS: dict[str, str] = {
    "deploy": f"/deploy <environment> {SCOPE_FORMS} [--noop | --no-noop] [options]",
    "task": f"/task <task> [name=value ...] {SCOPE_FORMS} [-e ENV] [--noop] [--timeout N] "
    "[--params '<json>'] [--via <profile>] [options]",
    "task list": "/task list [-e ENV]",
    "task show": "/task show <task> [-e ENV]",
    "task target": '/task target create "<display name>" --tasks a,b | --all-tasks '
    "[--nodes a,b] [--node-groups id,id] [--query '<PQL>']",
    "plan": '/plan <plan> [name=value ...] [-e ENV] [--timeout N] [--description "..."] '
    "[--params '<json>'] [--userdata key=value]",
    "plan list": "/plan list [-e ENV]",
    "plan show": "/plan show <plan> [-e ENV]",
    "stop": "/stop <job-id> [--force]",
    "stop plan": "/stop plan <plan-job-id>",
    "schedule": "/schedule list [--mine] [-e ENV] | show <id> | cancel <id>",
    "watch": "/watch <job-id> | plan <plan-job-id> | environment <ENV|*> | list",
    "unwatch": "/unwatch environment <ENV|*>",
    "jobs": "/jobs [--running] [-e ENV] [--mine] [--limit N]",
}


@dataclass(frozen=True)
class Usage:
    """The help of one command."""

    command: str
    synopsis: str
    summary: str
    options: tuple[tuple[str, str], ...]
    examples: tuple[str, ...]


_SUMMARIES = {
    "deploy": "Run Puppet on some nodes of an environment (POST /command/deploy). Name the nodes "
    "in exactly one way. Use '' as the environment with --no-enforce-environment to let each "
    "node keep its own.",
    "task": "Run a task on some nodes (POST /command/task). Parameters are name=value and are "
    "typed from the task's metadata. `/task list` and `/task show <task>` describe tasks; "
    "`/task target create` makes a task-target for RBAC.",
    "plan": "Run a plan (POST /command/plan_run). Parameters are name=value; write "
    "name=query:'<PQL>' or name=node_group:<id> to let the orchestrator find the nodes. "
    "`/plan list` and `/plan show <plan>` describe plans.",
    "stop": "Stop a job: no new runs start, runs in progress finish. --force ends those too. "
    "`/stop plan <id>` interrupts a plan; its running task job still finishes unless you "
    "`/stop <that job's id> --force`.",
    "schedule": "See, show and cancel PE's scheduled jobs (make one with --at, --in or --every "
    "on /deploy, /task or /plan). Cancelling is PE's soft delete: it never runs again.",
    "watch": "Follow a job started anywhere (the PE console, puppet job run, a schedule) with a "
    "status card here, or have every new job in an environment announced in this channel.",
    "unwatch": "Stop announcing an environment's jobs in this channel.",
    "jobs": "List recent jobs, newest first, each with a Watch button.",
}

_EXAMPLES = {
    "deploy": (
        "/deploy production --nodes web01.example.com,web02.example.com --noop",
        "/deploy production --query 'inventory[certname] { facts.os.family = \"RedHat\" }' "
        '--concurrency 5 --description "weekly run"',
        "/deploy '' --no-enforce-environment --nodes node1.example.com --noop "
        "--userdata servicenow_ticket=INC0011211",
        "/deploy production --node-group 00000000-0000-4000-8000-000000000000 --tags ntp,ssh",
    ),
    "task": (
        "/task package action=install name=httpd --nodes web01.example.com",
        "/task service action=restart name=nginx --query 'nodes[certname] { }' -e staging --noop",
        "/task list -e production",
        "/task show package",
        '/task target create "web restarts" --tasks service '
        "--node-groups 00000000-0000-4000-8000-000000000000",
    ),
    "plan": (
        "/plan canary nodes=web01.example.com,web02.example.com command=whoami canary=1",
        "/plan example_plan message=hello targets=query:'nodes[certname] { }'",
        "/plan profile::rolling_update targets=node_group:00000000-0000-4000-8000-000000000000 "
        "-e staging --timeout 3600",
        "/plan show canary::random",
    ),
    "stop": ("/stop 1234", "/stop 1234 --force", "/stop plan 77"),
    "schedule": (
        "/schedule list --mine",
        "/schedule list -e production",
        "/schedule show 3",
        "/schedule cancel 3",
    ),
    "watch": ("/watch 1234", "/watch plan 77", "/watch environment production", "/watch list"),
    "unwatch": ("/unwatch environment production",),
    "jobs": ("/jobs --running", "/jobs -e production --limit 20", "/jobs --mine"),
}


def form(key: str) -> str:
    """The usage line of one form: `deploy`, `task`, `task list`, `stop plan` and so on."""
    return FORMS[key]


def usage(command: str) -> Usage:
    """The help of `deploy`, `task`, `plan` or `stop` (a leading slash is allowed)."""
    name = command.strip().lstrip("/").lower()
    if name not in TABLES:
        raise KeyError(command)
    return Usage(
        command=name,
        synopsis="\n".join(line for key, line in FORMS.items() if key.split()[0] == name),
        summary=_SUMMARIES[name],
        options=tuple((flag.display, flag.help) for flag in TABLES[name]),
        examples=_EXAMPLES[name],
    )
