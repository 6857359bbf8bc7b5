"""What a node run reports: puppet-run results, task output, errors and event messages (pure)."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from .state import Event, Job, NodeRun
from .world import World

log = logging.getLogger(__name__)

_METRIC_KEYS = (
    "corrective_change",
    "out_of_sync",
    "restarted",
    "skipped",
    "total",
    "changed",
    "scheduled",
    "failed_to_restart",
    "failed",
)


def _digest(job: Job, run: NodeRun) -> str:
    # Deterministic per job and node, so every read of the same run returns the same report.
    return hashlib.sha1(f"{job.id}/{run.name}".encode()).hexdigest()


def report_url(world: World, job: Job, run: NodeRun) -> str:
    return f"{world.settings.console_url}/#/cm/report/{_digest(job, run)}"


def puppet_result(world: World, job: Job, run: NodeRun) -> dict[str, Any]:
    digest = _digest(job, run)
    spec = job.spec
    metrics = dict.fromkeys(_METRIC_KEYS, 0)
    metrics["total"] = 150 + int(digest[:4], 16) % 400
    changes = 1 + int(digest[4:6], 16) % 9
    status = "unchanged"
    if run.outcome == "changed":
        metrics["out_of_sync"] = changes
        if not spec.noop:  # a no-op run reports what would change but changes nothing
            metrics["changed"], status = changes, "changed"
    elif run.outcome == "failed":
        metrics["failed"], metrics["out_of_sync"], status = 1, 1, "failed"
    node = world.node(run.name)
    environment = spec.environment or (node.environment if node else "production")
    return {
        "hash": digest,
        "noop": {"noop": spec.noop, "no_noop": bool(spec.options.get("no_noop", False))},
        "status": status,
        "metrics": metrics,
        "environment": environment,
        "configuration_version": str(int(job.created)),
    }


def task_result(world: World, job: Job, run: NodeRun) -> Any:
    from .plans import substitute

    if run.outcome == "failed":
        return {
            "_error": {
                "kind": "puppetlabs.tasks/task-error",
                "msg": "The task errored with a code 1",
                "details": {"exitcode": 1},
            }
        }
    task = job.spec.task
    if run.outcome == "error_result":
        error = (task.error if task else None) or {
            "kind": "puppetlabs.tasks/task-error",
            "msg": "The task reported an error on $node",
            "details": {},
        }
        return {"_error": substitute(error, {**job.spec.params, "node": run.name})}
    template = task.result if task else None
    node = world.node(run.name)
    if template == "$facts":
        return dict(node.facts) if node else {}
    if template is None:
        return {"output": f"{task.name if task else 'task'} ran on {run.name}\n"}
    return substitute(template, {**job.spec.params, "node": run.name})


def node_result(world: World, job: Job, run: NodeRun) -> Any:
    """The node's `result`: None until it ends (and for skipped nodes)."""
    if run.state in ("new", "running", "skipped"):
        return None
    if run.state == "errored" or run.forced:
        return {
            "msg": message(job, run, run.state),
            "kind": "puppetlabs.orchestrator/execution-failure",
            "details": {"node": run.name},
        }
    if job.kind == "deploy":
        return puppet_result(world, job, run)
    return task_result(world, job, run)


def _what(job: Job) -> str:
    task = job.spec.task
    return "puppet run" if job.kind == "deploy" else f"task {task.name if task else ''}"


def message(job: Job, run: NodeRun, state: str) -> str:
    """The message PE attaches to a node in `state` (event messages and `details.message`)."""
    what, name = _what(job), run.name
    if state == "running":
        return f"Started {what} on {name} ..."
    if state == "finished":
        return f"Finished {what} on {name} - Success! "
    if state == "failed":
        return "Run was forcibly stopped" if run.forced else f"Finished {what} on {name} - Failed! "
    if state == "errored":
        verb = "puppet" if job.kind == "deploy" else what
        if run.transport != "pcp":
            return (
                f"Error running {verb} on {name}: could not connect to {name} over {run.transport}"
            )
        return f"Error running {verb} on {name}: {name} is not connected to the PCP broker"
    if state == "skipped":
        return f"Skipped {what} on {name}: the job was stopped"
    return ""


_NODE_EVENT_STATE = {
    "node_running": "running",
    "node_finished": "finished",
    "node_failed": "failed",
    "node_errored": "errored",
    "node_skipped": "skipped",
}


def event_message(job: Job, event: Event) -> str:
    if event.run is not None:
        return message(job, event.run, _NODE_EVENT_STATE[event.type])
    if event.type == "job_stopping":
        return f"Stopping job {job.id}: no new runs will start"
    return f"Job {job.id} {job.state}" if event.type == "job_finished" else ""


def event_detail(world: World, job: Job, event: Event) -> dict[str, Any]:
    run = event.run
    if run is None:
        return {}
    if event.type == "node_running":
        return {"noop": job.spec.noop}
    if event.type in ("node_finished", "node_failed") and not run.forced:
        result = node_result(world, job, run)
        if job.kind == "deploy":
            return {**result, "report-url": report_url(world, job, run)}
        return result if isinstance(result, dict) else {"output": result}
    if event.type in ("node_errored", "node_failed"):
        return node_result(world, job, run) or {}
    return {}


def node_details(world: World, job: Job, run: NodeRun, now: float) -> dict[str, Any]:
    """A node's `details`: the latest message, plus report-url or run-time where PE gives them."""
    if run.state == "new":
        return {}
    details: dict[str, Any] = {"message": message(job, run, run.state)}
    if run.state == "running" and run.start is not None:
        details["run-time"] = round(now - run.start, 3)
    if job.kind == "deploy" and run.state in ("finished", "failed") and not run.forced:
        details["report-url"] = report_url(world, job, run)
    return details
