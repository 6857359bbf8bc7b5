"""Follow-ups offered on a finished job: enforce what a noop run found, re-run what failed."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from commands.intents import UsageError
from flows.asker import Asker
from flows.deps import Deps
from flows.pipeline import submit
from flows.subject import MARKED
from orchestrator.requests import (
    CommandRequest,
    DeployRequest,
    Scope,
    TaskRequest,
    request_from_body,
)
from render.views import user_data
from store import jobs, requests
from store.jobs import JobRow

EVIDENCE_NODES = 25


def _job(deps: Deps, key: str, asker: Asker) -> JobRow:
    job = jobs.get(deps.store.db, key)
    if job is None or not job.done:
        raise UsageError(
            "that job is not finished here, so there is nothing to follow up", command="/deploy"
        )
    if asker.channel_id != job.channel_id:
        # The offer is on the job's summary in its own channel; a click from elsewhere is not.
        raise UsageError("that click did not come from this job's summary", command="/deploy")
    return job


def _base(job: JobRow) -> CommandRequest:
    """The job's own request, without the bot's marker of the old request."""
    request = request_from_body(job.endpoint, job.body)
    if isinstance(request, MARKED):
        request = replace(request, userdata=user_data(job.body) or None)
    return request


def enforce(deps: Deps, asker: Asker, key: str, *, only_changed: bool) -> str:
    """The noop deploy again without noop, on the nodes that would change (or all of them)."""
    job = _job(deps, key, asker)
    base = _base(job)
    if not isinstance(base, DeployRequest) or not base.noop:
        raise UsageError("only a noop Puppet run can be enforced", command="/deploy")
    changed = [n["node"] for n in jobs.nodes(deps.store.db, job.id) if n["changes"] > 0]
    if only_changed and not changed:
        raise UsageError(
            "no node reported changes, so there is nothing to enforce", command="/deploy"
        )
    scope = Scope.nodes(changed) if only_changed else base.scope
    request = replace(base, noop=None, scope=scope)
    return submit(deps, asker, request, evidence=noop_evidence(deps, job, changed))


def noop_evidence(deps: Deps, job: JobRow, changed: list[str]) -> dict[str, Any]:
    """What the noop run found, shown on the approval card of the enforcing run."""
    failed = jobs.nodes(deps.store.db, job.id, ("failed", "errored"))
    return {
        "job": job.name,
        "changed_nodes": changed[:EVIDENCE_NODES],
        "changed_count": len(changed),
        "resources": dict(job.snapshot.resources),
        "failed": [f"{n['node']} ({n['state']})" for n in failed[:EVIDENCE_NODES]],
        "failed_count": len(failed),
    }


def rerun_failed(deps: Deps, asker: Asker, key: str) -> str:
    """The same request again, limited to the nodes that failed or errored."""
    job = _job(deps, key, asker)
    failed = [n["node"] for n in jobs.nodes(deps.store.db, job.id, ("failed", "errored"))]
    if not failed:
        raise UsageError("no node failed, so there is nothing to re-run", command="/deploy")
    base = _base(job)
    if not isinstance(base, (DeployRequest, TaskRequest)):
        raise UsageError("only Puppet runs and tasks can be re-run on nodes", command="/deploy")
    origin = requests.get(deps.store.db, job.request_id) if job.request_id else None
    return submit(
        deps, asker, replace(base, scope=Scope.nodes(failed)), via=origin.via if origin else None
    )
