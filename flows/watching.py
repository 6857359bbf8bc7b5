"""`/watch <job-id>`, `/watch plan <id>`, `/watch environment <ENV|*>`, `/unwatch environment`,
`/watch list` and `/jobs` (with a Watch button on each job), each asked of the policy first."""

from __future__ import annotations

from typing import Any

from flows.asker import Asker
from flows.deps import Deps
from flows.messages import answer
from flows.outside import is_bots_own, output_shown, take_up
from flows.policy_reads import allowed
from orchestrator.listing import JobFilter
from orchestrator.models import Job, PlanJob
from store import jobs, posts, watches


def watch_job(deps: Deps, asker: Asker, name: str, *, plan: bool) -> None:
    if not allowed(deps, asker, "watch", "job"):
        return
    kind = "plan_job" if plan else "job"
    key = jobs.job_key(kind, name)
    known = jobs.get(deps.store.db, key)
    if known is None:
        found: Job | PlanJob = (
            deps.orchestrator.plan_job(name) if plan else deps.orchestrator.job(name)
        )
        shown = is_bots_own(found) or output_shown(deps, asker.channel_id, asker.user_id)
        with deps.store.write() as db:
            known = jobs.get(db, key)
            if known is None:
                take_up(
                    db,
                    found,
                    channel_id=asker.channel_id,
                    withheld=not shown,
                    announced=False,
                    now=deps.clock(),
                )
                deps.sender.wake()
                _tell(deps, asker, "watching", kind=kind, name=name, withheld=not shown)
                return
    card = posts.get(deps.store.db, f"{known.id}/card")
    _tell(
        deps,
        asker,
        "already",
        kind=kind,
        name=name,
        channel=known.channel_id,
        ts=known.card_ts or (card.ts if card else None),
    )


def watch_environment(deps: Deps, asker: Asker, environment: str) -> None:
    if not allowed(deps, asker, "watch", "environment"):
        return
    first = not watches.every(deps.store.db)
    newest = _newest(deps) if first else None
    with deps.store.write() as db:
        if newest is not None:  # jobs before the first subscription are history
            for kind, number in newest.items():
                watches.reset(db, kind, number)
        added = watches.add(db, asker.channel_id, environment, asker.user_id, deps.clock())
    _tell(deps, asker, "subscribed" if added else "subscribed_already", environment=environment)


def unwatch_environment(deps: Deps, asker: Asker, environment: str) -> None:
    if not allowed(deps, asker, "watch", "environment"):
        return
    with deps.store.write() as db:
        removed = watches.remove(db, asker.channel_id, environment)
    _tell(deps, asker, "unsubscribed" if removed else "not_subscribed", environment=environment)


def list_watches(deps: Deps, asker: Asker) -> None:
    if not allowed(deps, asker, "watch", "list"):
        return
    found = watches.of_channel(deps.store.db, asker.channel_id)
    items = [{"environment": w.environment, "user": w.user_id} for w in found]
    _tell(deps, asker, "list", items=items)


def list_jobs(
    deps: Deps, asker: Asker, *, running: bool, environment: str | None, mine: bool, limit: int
) -> None:
    if not allowed(deps, asker, "watch", "jobs"):
        return
    where = JobFilter(environment=environment, running=running)
    wanted = 200 if mine else limit
    found: list[Job | PlanJob] = [
        *deps.orchestrator.recent_jobs(where, limit=wanted),
        *deps.orchestrator.recent_plan_jobs(where, limit=wanted),
    ]
    if mine:
        own = {
            (str(r[0]), str(r[1]))
            for r in deps.store.db.execute(
                "SELECT kind, name FROM jobs WHERE requester = ?", [asker.user_id]
            )
        }
        found = [j for j in found if (_kind(j), j.name) in own]
    found.sort(key=lambda j: j.timestamp.timestamp() if j.timestamp else 0.0, reverse=True)
    answer(
        deps,
        asker.response_url,
        "jobs_list",
        replace=asker.replace,
        items=[_job_item(j, deps.clock()) for j in found[:limit]],
        running=running,
        environment=environment,
        mine=mine,
    )


def _kind(job: Job | PlanJob) -> str:
    return "plan_job" if isinstance(job, PlanJob) else "job"


def _job_item(job: Job | PlanJob, now: float) -> dict[str, Any]:
    age = now - job.timestamp.timestamp() if job.timestamp else None
    if isinstance(job, PlanJob):
        return {
            "name": job.name,
            "plan": True,
            "what": f"plan {job.plan_name}",
            "environment": job.environment,
            "owner": job.owner,
            "state": job.state,
            "counts": [],
            "age": age,
        }
    counts = {k: v for k, v in job.node_states.items() if v} if job.node_states else {}
    return {
        "name": job.name,
        "plan": False,
        "what": f"task {job.options['task']}" if job.options.get("task") else "Puppet run",
        "environment": job.environment,
        "owner": job.owner,
        "state": job.state,
        "counts": sorted(counts.items()),
        "age": now - job.timestamp.timestamp() if job.timestamp else None,
    }


def _newest(deps: Deps) -> dict[str, int]:
    """The highest job and plan job numbers now. PE orders by last state change, not by
    number, so the newest page is read and its highest number taken."""
    jobs_page = deps.orchestrator.jobs(limit=100, order_by="timestamp", order="desc").items
    plans = deps.orchestrator.plan_jobs(
        limit=100, order_by="timestamp", order="desc", results="exclude"
    )
    newest = {"job": 0, "plan_job": 0}
    for item in jobs_page:
        if item.name.isdigit():
            newest["job"] = max(newest["job"], int(item.name))
    for plan in plans:
        if plan.name.isdigit():
            newest["plan_job"] = max(newest["plan_job"], int(plan.name))
    return newest


def _tell(deps: Deps, asker: Asker, event: str, **data: Any) -> None:
    defaults: dict[str, Any] = {
        "kind": "job",
        "name": "",
        "channel": asker.channel_id,
        "ts": None,
        "withheld": False,
        "environment": "",
        "items": [],
    }
    answer(
        deps, asker.response_url, "watch_note", replace=asker.replace, event=event,
        **{**defaults, **data},
    )  # fmt: skip
