"""Operator commands: `policy check` and `audit` export, without starting the bot."""

from __future__ import annotations

import csv
import json
import re
import sys
import time
from typing import Any, TextIO

DURATION = re.compile(r"^(\d+)\s*([smhd])$")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
AUDIT_COLUMNS = (
    "id",
    "at",
    "time",
    "actor",
    "action",
    "channel_id",
    "request_id",
    "job_id",
    "rule",
    "approvers",
    "request",
    "result",
    "detail",
)


def parse_since(text: str) -> float:
    """`90m`, `36h`, `7d` → seconds."""
    match = DURATION.match(text.strip())
    if not match:
        raise ValueError(f"--since {text!r}: write a number and a unit, like 90m, 36h or 7d")
    return int(match[1]) * UNITS[match[2]]


def policy_check(text: str, *, user: str, channel: str, out: TextIO | None = None) -> int:
    """Which rule matches `/deploy ...` for `user`, and what would happen; runs nothing."""
    out = out or sys.stdout  # looked up now: a default bound at import would go stale
    import config
    from commands import intents, parse
    from commands.intents import UsageError
    from flows.asker import Asker
    from flows.pipeline import subject_of
    from orchestrator.requests import StopPlanRequest, StopRequest, TaskRequest
    from policy import PolicyError, explain, policy_from_settings

    env = config.environment()
    path = env.get("POLICY_FILE") or "policy.toml"
    try:
        policy = policy_from_settings(path, explicit=bool(env.get("POLICY_FILE")))
    except PolicyError as exc:
        print(f"policy error: {exc}", file=sys.stderr)
        return 2
    command, _, rest = text.strip().partition(" ")
    try:
        intent = parse(command, rest)
    except UsageError as exc:
        print(f"cannot read that command: {exc.message}", file=sys.stderr)
        return 2
    request: Any
    match intent:
        case intents.RunDeploy(request=request) | intents.CreateTaskTarget(request=request):
            pass
        case intents.RunTask():
            request = TaskRequest(
                environment=intent.environment,
                task=intent.task,
                params={},
                scope=intent.scope,
                noop=intent.noop,
            )
        case intents.RunPlan():
            from orchestrator.requests import PlanRunRequest

            request = PlanRunRequest(plan_name=intent.plan, environment=intent.environment)
        case intents.StopJob():
            request = StopRequest(job=intent.job, force=intent.force or None)
        case intents.StopPlan():
            request = StopPlanRequest(plan_job=intent.plan_job)
        case _:
            print("read-only commands are not policy-checked: anyone may run them", file=out)
            return 0
    subject = subject_of(request, Asker(user_id=user, channel_id=channel))
    print(explain(policy, subject, _offline_groups(env)), file=out)
    return 0


def _offline_groups(env: dict[str, str]) -> Any:
    """Group membership from Slack when a bot token is configured, else no members known."""
    from policy import SlackGroups

    token = env.get("SLACK_BOT_TOKEN")
    if not token:

        class NoGroups:
            def members(self, group: str) -> frozenset[str]:
                return frozenset()

        return NoGroups()
    from delivery.slack import web_client

    return SlackGroups(web_client(token, env.get("SLACK_API_URL") or "https://slack.com/api/"))


def audit_export(
    *, since: str, fmt: str, out: TextIO | None = None, now: float | None = None
) -> int:
    """Audit records from the last `since` as JSON lines or CSV."""
    out = out or sys.stdout
    import config
    from store import Store, audit

    try:
        seconds = parse_since(since)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    env = config.environment()
    store = Store(env.get("DATABASE_PATH") or "./chatops.db")
    store.migrate()
    start = (time.time() if now is None else now) - seconds
    rows = [_readable(r) for r in audit.since(store.db, start)]
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=AUDIT_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in row.items()}
            )
    else:
        for row in rows:
            out.write(json.dumps(row, sort_keys=True) + "\n")
    store.close()
    return 0


def _readable(row: dict[str, Any]) -> dict[str, Any]:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(row["at"]))
    return {**row, "time": stamp}
