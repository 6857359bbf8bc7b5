"""Recording a poll: node outcomes, thread posts, the new cursor and snapshot, in one transaction.

Because the cursor moves in the same transaction that queues the posts, a crash either loses
the whole poll (it is read again, and the posts' unique keys make the repeat harmless) or keeps
all of it. Nothing is lost and nothing is posted twice.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from sqlite_utils import Database

from model.failures import NodeFailure
from model.snapshot import Shape, Snapshot
from orchestrator.errors import UnexpectedShape
from orchestrator.models import Job, PlanJob
from poller.follow import node_outcome
from poller.observe import JobObservation, PlanObservation
from poller.pacing import Pacing, next_poll
from poller.settle import (
    clipped_body,
    final_counts,
    merge_details,
    outputs_of,
    record_outcomes,
    with_child,
)
from render.cards import RERUNNABLE, failures_data, kind_word, plan_output_data, summary_data
from store import audit, jobs, posts
from store.jobs import JobRow

log = logging.getLogger(__name__)

OUTPUT_LINES = 20
# Polls in a row answered in a shape the bot does not understand before the card says so: one
# odd answer may be a proxy's hiccup, three are PE speaking a dialect this bot does not know.
SHAPE_POLLS = 3


class Recorder:
    """Turns observations into store rows and queued posts (what to say: a template and its
    data, rendered by delivery when it sends them)."""

    def __init__(self, *, pacing: Pacing, console_url: str | None) -> None:
        self.pacing = pacing
        self.console_url = console_url

    def _post(
        self, db: Database, job: JobRow, suffix: str, template: str, now: float, /, **data: Any
    ) -> None:
        posts.enqueue(
            db,
            key=f"{job.id}/{suffix}",
            channel_id=job.channel_id,
            kind="reply",
            template=template,
            data=data,
            now=now,
            thread_of=job.id,
        )

    def _contact_back(self, db: Database, job: JobRow, now: float) -> dict[str, Any]:
        if job.contact != "lost":
            return {}
        self._post(
            db,
            job,
            f"contact/back/{job.poll_errors}-{int(now)}",
            "contact_back",
            now,
            kind_word=kind_word(job.kind),
            name=job.name,
        )
        return {"contact": "ok"}

    def job(
        self, db: Database, job: JobRow, seen: JobObservation, now: float, *, behind: float = 0.0
    ) -> None:
        snapshot = merge_details(seen.progress.snapshot, seen.details)
        # Node records read at the end are the orchestrator's final word on each node.
        noop = bool(job.body.get("noop"))
        settled = tuple(node_outcome(n, noop=noop) for n in seen.nodes)
        record_outcomes(db, job.id, (*seen.progress.outcomes, *settled), now)
        pending: list[NodeFailure] = [*job.failures_pending, *seen.progress.failures]
        fields: dict[str, Any] = self._contact_back(db, job, now)
        if seen.progress.stopping:
            self._post(
                db,
                job,
                "stopping",
                "job_stopping",
                now,
                kind_word=kind_word(job.kind),
                name=job.name,
                running=len(snapshot.running),
            )
        if seen.final:
            snapshot = self._finish(
                db,
                job,
                snapshot,
                now,
                outputs=() if job.withheld else outputs_of(job, settled),
                details=seen.details,
            )
            pending = []
            fields.update(done=True, finished_at=now)
        elif pending and self._failures_due(job, len(pending), now):
            number = job.failure_posts + 1
            self._post(
                db,
                job,
                f"failures/{number}",
                "job_failures",
                now,
                **failures_data(job.name, pending),
            )
            fields.update(failure_posts=number, last_failure_post_at=now)
            pending = []
        fields.update(cursor=seen.next_cursor, failures_pending=pending)
        self._save(db, job, snapshot, now, behind, **fields)

    def _failures_due(self, job: JobRow, count: int, now: float) -> bool:
        # The first failure is news at once; after that, full batches or a quiet gap, so that a
        # thousand failing nodes make a handful of messages.
        if job.failure_posts == 0 or count >= self.pacing.failure_batch:
            return True
        last = job.last_failure_post_at or 0.0
        return now - last >= self.pacing.failure_gap

    def plan(
        self, db: Database, job: JobRow, seen: PlanObservation, now: float, *, behind: float = 0.0
    ) -> None:
        snapshot = merge_details(seen.progress.snapshot, seen.details)
        steps = tuple(with_child(step, seen.children.get(step.job)) for step in snapshot.steps)
        snapshot = replace(snapshot, steps=steps)
        fields: dict[str, Any] = self._contact_back(db, job, now)
        for number, step in enumerate(steps, start=1):
            if step.job in seen.progress.new_steps:
                label = f"{step.kind or 'task'} {step.name}".strip()
                self._post(
                    db,
                    job,
                    f"step/{step.job}",
                    "plan_step",
                    now,
                    number=number,
                    label=label,
                    job=step.job,
                    nodes=step.nodes,
                )
        if seen.progress.messages and not job.withheld:
            self._post(
                db,
                job,
                f"output/{job.cursor}",
                "plan_output",
                now,
                **plan_output_data(seen.progress.messages, limit=OUTPUT_LINES),
            )
        if seen.final:
            snapshot = self._finish(db, job, snapshot, now, outputs=(), details=seen.details)
            fields.update(done=True, finished_at=now)
        self._save(db, job, snapshot, now, behind, cursor=seen.next_cursor, **fields)

    def _finish(
        self,
        db: Database,
        job: JobRow,
        snapshot: Snapshot,
        now: float,
        outputs: Any,
        details: Job | PlanJob | None,
    ) -> Snapshot:
        """Post the summary; returns the final snapshot (what the card shows from now on)."""
        listed = self.pacing.failures_listed
        failed = jobs.nodes(db, job.id, ("failed", "errored"), limit=listed)
        totals = jobs.node_totals(db, job.id)
        failed_total = sum(totals["counts"].get(s, 0) for s in ("failed", "errored"))
        if job.kind == "job":
            snapshot = final_counts(db, job, snapshot, totals, details)
            if snapshot.state == "finished" and failed_total:
                # PE may call a job `finished` whose nodes failed (a task's `_error` result).
                snapshot = replace(snapshot, state="failed")
        data = summary_data(
            kind=job.kind,
            name=job.name,
            endpoint=job.endpoint,
            body=job.body,
            snapshot=snapshot,
            failed=failed,
            failed_total=failed_total,
            outputs=list(outputs),
            changed_nodes=totals["changed_nodes"],
            console_url=self.console_url,
            now=now,
        )
        offers = {
            "enforce": bool(data["noop"] and data["changed_nodes"] and job.command == "deploy"),
            "rerun": bool(failed_total and job.kind == "job"),
            "again": job.endpoint in RERUNNABLE,
        }
        self._post(db, job, "finished", "job_finished", now, key=job.id, offers=offers, **data)
        audit.record(
            db,
            now=now,
            actor=job.requester,
            action="finished",
            channel_id=job.channel_id,
            request_id=job.request_id,
            job_id=job.id,
            result=snapshot.state,
            detail={"counts": dict(snapshot.counts), "duration": snapshot.duration},
        )
        return snapshot

    def _save(
        self, db: Database, job: JobRow, snap: Snapshot, now: float, behind: float, **fields: Any
    ) -> None:
        snapshot = replace(snap, shape=None)  # PE answered in a shape the bot understands
        if snapshot.visible() != job.snapshot.visible():
            fields["card_version"] = job.card_version + 1
        jobs.update(
            db,
            job.id,
            snapshot=snapshot,
            state=snapshot.state,
            poll_errors=0,
            next_poll_at=next_poll(
                job, now, self.pacing, started=fields.get("cursor", 0) > 0, behind=behind
            ),
            **fields,
        )

    def lost(
        self, db: Database, job: JobRow, reason: str, now: float, *, errors: int, delay: float
    ) -> None:
        fields: dict[str, Any] = {"poll_errors": errors, "next_poll_at": now + delay}
        if job.contact == "ok" and errors >= 2:
            self._post(
                db,
                job,
                f"contact/lost/{errors}-{int(now)}",
                "contact_lost",
                now,
                kind_word=kind_word(job.kind),
                name=job.name,
                reason=reason,
            )
            fields["contact"] = "lost"
        jobs.update(db, job.id, **fields)

    def misunderstood(
        self,
        db: Database,
        job: JobRow,
        exc: UnexpectedShape,
        now: float,
        *,
        errors: int,
        delay: float,
    ) -> None:
        """PE answered in a shape this bot does not understand: keep trying (it never shows the
        job as finished), and after a few polls like that say so on the card, logging the body
        once."""
        fields: dict[str, Any] = {"poll_errors": errors, "next_poll_at": now + delay}
        if errors >= SHAPE_POLLS and job.snapshot.shape is None:
            log.error(
                "%s: the orchestrator answered %s in a shape this bot does not understand (%s); "
                "body: %s",
                job.id,
                exc.path or "?",
                exc.reason,
                clipped_body(exc.body),
            )
            shape = Shape(path=exc.path, reason=exc.reason, since=now)
            fields.update(snapshot=replace(job.snapshot, shape=shape))
            fields["card_version"] = job.card_version + 1
        jobs.update(db, job.id, **fields)

    def forget(self, db: Database, job: JobRow, reason: str, now: float) -> None:
        self._post(
            db,
            job,
            "forgotten",
            "job_forgotten",
            now,
            kind_word=kind_word(job.kind),
            name=job.name,
            reason=reason,
        )
        snapshot = replace(job.snapshot, state="forgotten")
        jobs.update(
            db,
            job.id,
            done=True,
            finished_at=now,
            state="forgotten",
            snapshot=snapshot,
            card_version=job.card_version + 1,
        )
