"""The flags of each slash command, named as in the PE command-line tools."""

from __future__ import annotations

from commands.grammar import Flag

NODES = Flag(("--nodes", "-n"), "list", "the nodes to run on, by certname", "a,b")
QUERY = Flag(
    ("--query", "-q"), "text", "a PQL query, or a PuppetDB JSON query starting with [", "'<PQL>'"
)
NODE_GROUP = Flag(("--node-group",), "text", "a node group (with rules) by its id", "<id>")
ENVIRONMENT = Flag(("--environment", "-e"), "text", "the environment to load code from", "ENV")
DESCRIPTION = Flag(("--description",), "text", "a description of the job", '"..."')
USERDATA = Flag(
    ("--userdata",),
    "pairs",
    "key=value data kept with the job (repeatable), or a JSON object",
    "key=value",
)
PARAMS = Flag(("--params",), "text", "parameters as a JSON object", "'<json>'")
# Scheduling (POST /scheduled_jobs/environment_jobs): any one of them makes the run a schedule.
WHEN: tuple[Flag, ...] = (
    Flag(("--at",), "text", "schedule it: start at 09:00, tomorrow 09:00 or an ISO time", "<time>"),
    Flag(("--in",), "text", "schedule it: start after 90s, 30m, 2h or 1d", "<duration>"),
    Flag(("--every",), "text", "schedule it: repeat every 1h, 1d or daily", "<interval>"),
)

DEPLOY: tuple[Flag, ...] = (
    NODES,
    QUERY,
    NODE_GROUP,
    Flag(("--environment", "-e"), "text", "the environment, instead of the first word", "ENV"),
    Flag(("--noop",), "switch", "simulate: report what would change, change nothing"),
    Flag(("--no-noop",), "switch", "enforce, overriding noop = true in the agents' puppet.conf"),
    Flag(("--concurrency",), "int", "the most nodes to run at once", "N"),
    Flag(("--tags",), "list", "apply only resources with these tags", "a,b"),
    Flag(("--skip-tags",), "list", "skip resources with these tags", "a,b"),
    DESCRIPTION,
    Flag(
        ("--no-enforce-environment",),
        "switch",
        "let each node use its own environment (needed when the environment is '')",
    ),
    Flag(("--enforce-environment",), "switch", "force the agents into the named environment"),
    Flag(("--debug",), "switch", "run the agents with --debug"),
    Flag(("--trace",), "switch", "run the agents with --trace"),
    Flag(("--evaltrace",), "switch", "run the agents with --evaltrace"),
    Flag(("--filetimeout",), "int", "the agents' --filetimeout, in seconds", "N"),
    Flag(("--http-connect-timeout",), "int", "the agents' --http_connect_timeout (s)", "N"),
    Flag(("--http-keepalive-timeout",), "int", "the agents' --http_keepalive_timeout (s)", "N"),
    Flag(("--http-read-timeout",), "int", "the agents' --http_read_timeout (s)", "N"),
    Flag(("--ordering",), "text", "the agents' --ordering: manifest, title-hash or random", "X"),
    Flag(("--use-cached-catalog",), "switch", "run the agents with --use_cached_catalog"),
    Flag(("--usecacheonfailure",), "switch", "run the agents with --usecacheonfailure"),
    USERDATA,
    *WHEN,
)

TASK_RUN: tuple[Flag, ...] = (
    NODES,
    QUERY,
    NODE_GROUP,
    ENVIRONMENT,
    Flag(("--noop",), "switch", "run the task in no-op mode (if the task supports it)"),
    Flag(("--timeout",), "int", "seconds the task may run on each node", "N"),
    DESCRIPTION,
    PARAMS,
    USERDATA,
    Flag(("--via",), "text", "reach --nodes over SSH/WinRM with a configured profile", "<profile>"),
    *WHEN,
)
TASK_TARGET: tuple[Flag, ...] = (
    Flag(("--tasks",), "list", "task-target: the tasks it grants", "a,b"),
    Flag(("--all-tasks",), "switch", "task-target: grant every task"),
    Flag(("--node-groups",), "list", "task-target: node groups by id", "id,id"),
)
TASK = TASK_RUN + TASK_TARGET

PLAN: tuple[Flag, ...] = (
    ENVIRONMENT,
    Flag(("--timeout",), "int", "seconds the whole plan may run", "N"),
    DESCRIPTION,
    PARAMS,
    USERDATA,
    *WHEN,
)
# Plans take their targets as parameters, so the scope flags of /task mislead here.
PLAN_HINTS = {
    name: "a plan takes its targets as a parameter, e.g. targets=web01.example.com or "
    "targets=query:'nodes[certname] { }'."
    for name in ("--nodes", "-n", "--query", "-q", "--node-group")
}

STOP: tuple[Flag, ...] = (
    Flag(("--force",), "switch", "also end the runs already in progress (asks to confirm)"),
)

SCHEDULE: tuple[Flag, ...] = (
    Flag(("--mine",), "switch", "list: only the schedules you asked for through the bot"),
    Flag(("--environment", "-e"), "text", "list: only the schedules in this environment", "ENV"),
)

TABLES: dict[str, tuple[Flag, ...]] = {"deploy": DEPLOY, "task": TASK, "plan": PLAN, "stop": STOP}
TABLES["schedule"] = SCHEDULE
WATCH: tuple[Flag, ...] = ()
JOBS: tuple[Flag, ...] = (
    Flag(("--running",), "switch", "only jobs not yet finished"),
    Flag(("--environment", "-e"), "text", "only jobs in this environment", "ENV"),
    Flag(("--mine",), "switch", "only jobs you started through the bot"),
    Flag(("--limit",), "int", "how many to list (default 10, at most 20)", "N"),
)
TABLES.update(watch=WATCH, unwatch=WATCH, jobs=JOBS)
