"""Operator commands: `policy check` and `audit` export, without starting the bot.

Both take the `OfflineSettings` that `bot.py` read; a configuration problem (a malformed setting,
a bad policy file) is raised as a ConfigError for `bot.py` to print.
"""

from __future__ import annotations

import csv
import json
import re
import sys
import time
from typing import Any, TextIO

from commands import intents, parse
from commands.intents import UsageError
from config import OfflineSettings
from delivery.slack import web_client
from flows import build
from flows.asker import Asker
from flows.subject import subject_of
from flows.targets import Resolver
from orchestrator.client import OrchestratorClient
from orchestrator.connection import (
    ConnectionSettingsError,
    connect,
    connect_classifier,
    connect_puppetdb,
    read_token,
)
from orchestrator.errors import OrchestratorError
from orchestrator.requests import (
    CommandRequest,
    PlanRunRequest,
    StopPlanRequest,
    StopRequest,
    TaskRequest,
)
from policy import GroupResolver, SlackGroups, explain, policy_from_settings
from policy.reach import Reach
from store import Store, audit

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


def policy_check(
    text: str,
    *,
    user: str,
    channel: str,
    settings: OfflineSettings,
    out: TextIO | None = None,
    pe_user: str | None = None,
) -> int:
    """Which rule matches `/deploy ...` for `user`, with the targets resolved in PuppetDB (when
    PE is configured) and each node's environment, and what would happen; runs nothing."""
    out = out or sys.stdout  # looked up now: a default bound at import would go stale
    policy = policy_from_settings(settings.policy_file, explicit=settings.policy_file_explicit)
    command, _, rest = text.strip().partition(" ")
    try:
        intent = parse(command, rest)
    except UsageError as exc:
        print(f"cannot read that command: {exc.message}", file=sys.stderr)
        return 2
    clients, note = _pe_clients(settings)
    request, via, targets = _request_of(intent, clients[0] if clients else None, out)
    if request is None:
        print("read-only commands are not policy-checked: anyone may run them", file=out)
        return 0
    if clients is None:
        print(f"Targets not resolved: {note}; every node counts as production.", file=out)
        reach: Reach | None = Reach(unknown=note)
    else:
        try:
            resolved = clients[1].resolve(request, via=via, target_params=targets, command=command)
        except UsageError as exc:
            print(f"cannot resolve the targets: {exc.message}", file=sys.stderr)
            return 2
        finally:
            clients[1].close()
        request, reach = resolved.request, resolved.reach
    subject = subject_of(request, Asker(user_id=user, channel_id=channel), reach, via, pe_user)
    print(explain(policy, subject, _offline_groups(settings)), file=out)
    return 0


def _pe_clients(
    settings: OfflineSettings,
) -> tuple[tuple[OrchestratorClient, Resolver] | None, str]:
    """(orchestrator client, resolver) from the PE settings, or None and why not: PE not
    configured, or its token or CA not usable (then every node counts as production)."""
    url = settings.pe_orchestrator_url
    if url is None:
        return None, "PE_ORCHESTRATOR_URL is not set"
    try:
        token = read_token(settings.pe_rbac_token, settings.pe_rbac_token_file)
        ca, timeout = settings.pe_ca_cert, settings.pe_timeout
        resolver = Resolver(
            connect_puppetdb(settings.puppetdb_url, token=token, ca_cert=ca, timeout=timeout),
            connect_classifier(
                settings.pe_classifier_url, token=token, ca_cert=ca, timeout=timeout
            ),
        )
        return (connect(url, token=token, ca_cert=ca, timeout=timeout), resolver), ""
    except ConnectionSettingsError as exc:
        return None, str(exc)


def _request_of(
    intent: intents.Intent, orchestrator: OrchestratorClient | None, out: TextIO
) -> tuple[CommandRequest | None, str | None, tuple[str, ...]]:
    """The request a command would send (task and plan parameters typed when PE answers)."""
    match intent:
        case intents.RunDeploy(request=request) | intents.CreateTaskTarget(request=request):
            return request, None, ()
        case intents.RunTask():
            task = TaskRequest(
                environment=intent.environment,
                task=intent.task,
                params={},
                scope=intent.scope,
                noop=intent.noop,
            )
            return task, intent.via, ()
        case intents.RunPlan():
            if orchestrator is not None:
                try:
                    plan, targets = build.plan(orchestrator, intent)
                    return plan, None, targets
                except (OrchestratorError, intents.UsageError) as exc:
                    print(f"(plan metadata not read: {exc}; targets judged as typed)", file=out)
            params = {**intent.raw_params, **{k: v for k, (_, v) in intent.scoped_params.items()}}
            plan = PlanRunRequest(
                plan_name=intent.plan, environment=intent.environment, params=params
            )
            return plan, None, tuple(intent.scoped_params)
        case intents.StopJob():
            return StopRequest(job=intent.job, force=intent.force or None), None, ()
        case intents.StopPlan():
            return StopPlanRequest(plan_job=intent.plan_job), None, ()
    return None, None, ()


class _NoGroups:
    """No Slack token: no group has members."""

    def members(self, group: str) -> frozenset[str]:
        return frozenset()


def _offline_groups(settings: OfflineSettings) -> GroupResolver:
    """Group membership from Slack when a bot token is configured, else no members known."""
    token = settings.slack_bot_token
    if not token:
        return _NoGroups()
    return SlackGroups(web_client(token, settings.slack_api_url))


def audit_export(
    *,
    since: str,
    fmt: str,
    settings: OfflineSettings,
    out: TextIO | None = None,
    now: float | None = None,
) -> int:
    """Audit records from the last `since` as JSON lines or CSV."""
    out = out or sys.stdout
    try:
        seconds = parse_since(since)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    store = Store(settings.database_path)
    store.migrate()
    start = (time.time() if now is None else now) - seconds
    rows = [_readable(r) for r in audit.since(store.db, start)]
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=AUDIT_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: csv_cell(v) for k, v in row.items()})
    else:
        for row in rows:
            out.write(json.dumps(row, sort_keys=True) + "\n")
    store.close()
    return 0


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell that a spreadsheet shows as text: objects as JSON, and text
    that would start a formula behind a leading apostrophe."""
    text = json.dumps(value) if isinstance(value, (dict, list)) else value
    if isinstance(text, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _readable(row: dict[str, Any]) -> dict[str, Any]:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(row["at"]))
    return {**row, "time": stamp}
