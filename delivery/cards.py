"""Rendering the current version of a card from the store: status cards and approval cards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from render import Message, Renderer
from render.cards import job_card_data
from store import Store, approvals, requests
from store.approvals import ApprovalRow
from store.jobs import JobRow

ORIGINS_KEPT = 10_000


class Cards:
    """What a card says now; the sender calls this each time a card's version moves."""

    def __init__(
        self,
        renderer: Renderer,
        store: Store,
        *,
        clock: Callable[[], float],
        console_url: str | None,
        approval_view: Callable[..., dict[str, Any]] | None = None,
    ) -> None:
        self.renderer = renderer
        self.store = store
        self.clock = clock
        self.console_url = console_url
        self.approval_view = approval_view
        self._origins: dict[str, tuple[str | None, dict[str, Any] | None]] = {}

    def job_card(self, job: JobRow) -> Message:
        via, decided = self._origin(job)
        data = job_card_data(
            key=job.id,
            kind=job.kind,
            name=job.name,
            endpoint=job.endpoint,
            body=job.body,
            requester=job.requester,
            snapshot=job.snapshot,
            now=self.clock(),
            console_url=self.console_url,
            via=via,
            approval=decided,
        )
        return self.renderer.render("job_card", **data)

    def _origin(self, job: JobRow) -> tuple[str | None, dict[str, Any] | None]:
        """The job's connection profile and approval: fixed once it runs, so read once (a busy
        card is edited every poll)."""
        cached = self._origins.get(job.id)
        if cached is not None:
            return cached
        db = self.store.db
        approval = approvals.for_request(db, job.request_id) if job.request_id else None
        row = requests.get(db, job.request_id) if job.request_id else None
        decided = None
        if approval and approval.state == "approved":
            decided = {
                "by": approvals.votes(db, approval.id) or [approval.decided_by],
                "at": approval.decided_at,
                "fingerprint": row.fingerprint if row else "",
            }
        origin = (row.via if row else None, decided)
        if len(self._origins) >= ORIGINS_KEPT:
            self._origins.clear()
        self._origins[job.id] = origin
        return origin

    def approval_card(self, approval: ApprovalRow) -> Message:
        if self.approval_view is None:
            raise RuntimeError("approval cards need an approval view")
        db = self.store.db
        row = requests.get(db, approval.request_id)
        assert row is not None
        data = self.approval_view(
            approval=approval, request=row, votes=approvals.votes(db, approval.id), now=self.clock()
        )
        return self.renderer.render("approval_card", **data)
