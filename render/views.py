"""Template data from requests and jobs: what a person reads about a request. Pure functions."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from model.snapshot import NODE_END_STATES, Snapshot
from orchestrator.requests import ScheduleRequest
from orchestrator.schedule_input import interval_of, run_now_of, start_of
from render.fmt import duration, every

MARKER_KEYS = ("chatops_request", "chatops_slack_user", "chatops_tz")
SCHEDULE = "scheduled_jobs/environment_jobs"
STATE_EMOJI = {
    "new": "⏳",
    "ready": "⏳",
    "pending": "⏳",
    "running": "🔄",
    "stopping": "⏹️",
    "stopped": "⏹️",
    "finished": "✅",
    "success": "✅",
    "failed": "❌",
    "failure": "❌",
    "forgotten": "❔",
}
STATE_WORDS = {
    "new": "Starting",
    "ready": "Starting",
    "pending": "Pending",
    "running": "Running",
    "stopping": "Stopping",
    "stopped": "Stopped",
    "finished": "Finished",
    "success": "Succeeded",
    "failed": "Finished with failures",
    "failure": "Failed",
    "forgotten": "No longer known",
}
NODE_STATES = ("finished", "failed", "errored", "skipped", "running")
NODE_WORDS = {
    "finished": "succeeded",
    "failed": "failed",
    "errored": "errored",
    "skipped": "skipped",
    "running": "running",
    "pending": "pending",
    "unsettled": "without a final state",
}
ENDED_STATES = NODE_END_STATES
TITLES = {
    "deploy": "Puppet run",
    "task": "Task",
    "plan_run": "Plan",
    "environment_plan_run": "Plan",
    "stop": "Stop",
    "stop_plan": "Stop plan",
    "task_target": "Task-target",
}
DEPLOY_FLAGS = ("debug", "trace", "evaltrace", "use_cached_catalog", "usecacheonfailure")
DEPLOY_VALUES = (
    "concurrency",
    "tags",
    "skip_tags",
    "ordering",
    "filetimeout",
    "http_connect_timeout",
    "http_keepalive_timeout",
    "http_read_timeout",
)
LIST_LIMIT = 10


def console_link(console_url: str | None, kind: str, name: str) -> str | None:
    """The job's page in the PE console, when PE_CONSOLE_URL is set."""
    if not console_url:
        return None
    path = f"plan/{name}" if kind == "plan_job" else name
    return f"{console_url}/#/run/jobs/{path}"


def _names(names: list[str], limit: int = LIST_LIMIT) -> str:
    shown = ", ".join(names[:limit])
    more = len(names) - limit
    return f"{shown} (+{more} more)" if more > 0 else shown


def describe_scope(scope: Mapping[str, Any] | None) -> str:
    if not scope:
        return "no scope"
    kind, value = next(iter(scope.items()))
    if kind == "nodes":
        nodes = list(value)
        return f"{len(nodes)} node{'s' if len(nodes) != 1 else ''}: {_names(nodes)}"
    if kind == "query":
        return f"query {value if isinstance(value, str) else _compact(value)}"
    return f"node group {value}"


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def user_data(body: Mapping[str, Any]) -> dict[str, Any]:
    """The userdata a person set, without the bot's own request marker."""
    data = dict(body.get("userdata") or {})
    for key in MARKER_KEYS:
        data.pop(key, None)
    return data


def describe_options(endpoint: str, body: Mapping[str, Any]) -> list[str]:
    """Everything set on the request besides its target, one short phrase each."""
    opts: list[str] = []
    if body.get("noop"):
        opts.append("noop")
    if body.get("no_noop"):
        opts.append("no-noop (enforce)")
    if endpoint == "deploy":
        opts += [k.replace("_", "-") for k in DEPLOY_FLAGS if body.get(k)]
        opts += [f"{k.replace('_', '-')} {body[k]}" for k in DEPLOY_VALUES if body.get(k)]
        if body.get("enforce_environment") is False:
            opts.append("agents keep their own environment")
    if body.get("timeout"):
        opts.append(f"timeout {body['timeout']}s")
    if body.get("force"):
        opts.append("force")
    return opts


def describe_params(endpoint: str, body: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Task and plan parameters as (name, value as typed); scoped plan parameters show their
    type. Values are user text: templates show them with `literal`."""
    params = body.get("params") or {}
    shown: list[tuple[str, str]] = []
    for key, value in sorted(params.items()):
        if endpoint == "environment_plan_run" and isinstance(value, Mapping):
            kind = value.get("type")
            text = value.get("value")
            shown.append((str(key), f"{kind + ':' if kind else ''}{_plain(text)}"))
        else:
            shown.append((str(key), _plain(value)))
    return shown


def describe_userdata(body: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The userdata a person set, as (key, value) texts for `literal`."""
    return [(str(k), _plain(v)) for k, v in sorted(user_data(body).items())]


def one_line(text: Any) -> str:
    """User text inside the bot's own sentences and headers: newlines and tabs as spaces."""
    return " ".join(str(text).split())


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else _compact(value)


def subject(endpoint: str, body: Mapping[str, Any]) -> str:
    """`Puppet run in production`, `Task package in production`, `Plan canary`."""
    if endpoint == SCHEDULE:
        run = run_now_of(ScheduleRequest.from_body(body))
        return f"{subject(run.ENDPOINT, run.body())}, scheduled"
    title = TITLES.get(endpoint, endpoint)
    if endpoint == "deploy":
        env = body.get("environment")
        return f"{title} in {env}" if env else f"{title} (agents' own environments)"
    if endpoint == "task":
        return f"{title} {body.get('task')} in {body.get('environment') or 'production'}"
    if endpoint in ("plan_run", "environment_plan_run"):
        env = body.get("environment")
        return f"{title} {body.get('plan_name')}" + (f" in {env}" if env else "")
    if endpoint == "stop":
        return f"Stop job {body.get('job')}" + (" (force)" if body.get("force") else "")
    if endpoint == "stop_plan":
        return f"Stop plan job {body.get('plan_job')}"
    if endpoint == "task_target":
        return f"Task-target {one_line(body.get('display_name'))[:80]}"
    return title


def request_view(endpoint: str, body: Mapping[str, Any], via: str | None = None) -> dict[str, Any]:
    """The exact request, as cards show it: subject, target, options, parameters. User text
    (a query, parameters, userdata, the description) is kept apart for `literal`."""
    if endpoint == SCHEDULE:
        return _schedule_view(body, via)
    scope = body.get("scope") or {}
    query = scope.get("query") if isinstance(scope, Mapping) else None
    target = describe_scope(body.get("scope")) if "scope" in body and query is None else None
    if endpoint == "task_target":
        target = _task_target_scope(body)
        query = body.get("pql_query")
    return {
        "subject": subject(endpoint, body),
        "target": target,
        "query": None if query is None else _plain(query),
        "options": describe_options(endpoint, body),
        "params": describe_params(endpoint, body),
        "userdata": describe_userdata(body),
        "description": body.get("description"),
        "via": via,
    }


def _schedule_view(body: Mapping[str, Any], via: str | None) -> dict[str, Any]:
    """A schedule shows the run it stands for, when it starts and how often."""
    request = ScheduleRequest.from_body(body)
    run = run_now_of(request)
    view = request_view(run.ENDPOINT, run.body(), via)
    view.update(
        subject=subject(SCHEDULE, body),
        userdata=describe_userdata(body),
        description=body.get("description"),
        schedule=schedule_times(request),
    )
    return view


def schedule_times(request: ScheduleRequest) -> dict[str, Any]:
    """`start` (epoch seconds, or None), `interval` (seconds, or None) and `every` ("1d")."""
    start = start_of(request)
    interval = interval_of(request)
    return {
        "start": start.timestamp() if start else None,
        "interval": interval,
        "every": every(interval) if interval else None,
    }


def _task_target_scope(body: Mapping[str, Any]) -> str:
    parts = []
    if body.get("all_tasks"):
        parts.append("all tasks")
    elif body.get("tasks"):
        parts.append("tasks " + _names(list(body["tasks"])))
    if body.get("nodes"):
        parts.append("nodes " + _names(list(body["nodes"])))
    if body.get("node_groups"):
        parts.append("node groups " + _names(list(body["node_groups"])))
    return "; ".join(parts)


def node_counts(snapshot: Snapshot) -> list[tuple[str, int]]:
    """Counts by node state in a fixed order, zeros left out. While the job runs, nodes not yet
    heard of are pending; once it is done nothing is pending: a node the orchestrator gave no end
    (or an end this bot does not know) is counted as without a final state."""
    counts = dict(snapshot.counts)
    total = snapshot.nodes
    if snapshot.done:
        ended = {s: counts.get(s, 0) for s in ENDED_STATES}
        ended["unsettled"] = max(0, total - sum(ended.values()))
        if not total:  # no node_count: whatever else PE counted has no end either
            ended["unsettled"] = sum(v for k, v in counts.items() if k not in ENDED_STATES)
        order: tuple[str, ...] = (*ENDED_STATES, "unsettled")
        return [(NODE_WORDS[s], ended[s]) for s in order if ended.get(s)]
    seen = sum(counts.get(s, 0) for s in NODE_STATES)
    if total > seen:
        counts["pending"] = total - seen
    order = ("finished", "failed", "errored", "skipped", "running", "pending")
    return [(NODE_WORDS[s], counts[s]) for s in order if counts.get(s)]


def ended(snapshot: Snapshot) -> int:
    counts = snapshot.counts
    if snapshot.done:
        return sum(counts.get(s, 0) for s in ENDED_STATES)
    return sum(v for k, v in counts.items() if k != "running")


def elapsed(snapshot: Snapshot, now: float) -> str:
    if snapshot.duration is not None:
        return duration(snapshot.duration)
    started = snapshot.started_at
    return duration(now - started) if started else "?"
