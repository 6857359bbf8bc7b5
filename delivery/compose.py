"""What each post and card says, rendered when it is sent: the one place channel posts are rendered.

A reply is its template with the data queued beside it; a status card or an approval card is
rendered from its job's or approval's state at this moment, so a post or an edit that waited
its turn shows the newest. A post that cannot be rendered raises RenderFailed, whose reason
names the template and what failed, never the data (it could hold anything a job printed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from render import Message, Renderer
from render.approval import approval_card_data
from render.cards import Approved, job_card_data
from render.renderer import failure
from store import Store, approvals, jobs, requests
from store.approvals import ApprovalRow
from store.jobs import JobRow
from store.posts import PostRow

ORIGINS_KEPT = 10_000


class RenderFailed(Exception):
    """A post or card could not be rendered; `reason` is safe to log and to store."""

    def __init__(self, template: str, reason: str) -> None:
        super().__init__(f"{template}: {reason}")
        self.template = template
        self.reason = reason


class Composer:
    """Renders posts and cards from the store; the sender calls it for each post and edit."""

    def __init__(
        self,
        renderer: Renderer,
        store: Store,
        *,
        clock: Callable[[], float],
        console_url: str | None,
    ) -> None:
        self.renderer = renderer
        self.store = store
        self.clock = clock
        self.console_url = console_url
        # The workspace's address (auth.test's `url`), for links to messages; set at start.
        self.workspace_url: str | None = None
        self._origins: dict[str, tuple[str | None, Approved | None]] = {}

    def post(self, row: PostRow) -> tuple[Message, int]:
        """The message for a queued post, and the version of the card it shows (1 for a
        reply)."""
        db = self.store.db
        if row.kind in ("card", "announcement") and row.ref:
            job = jobs.get(db, row.ref)
            if job is not None:
                return self.job_card(job), job.card_version
        elif row.kind == "approval_card" and row.ref:
            approval = approvals.get(db, row.ref)
            if approval is not None:
                return self.approval_card(approval), approval.card_version
        elif row.template and row.rendered is None:
            return self._render(row.template, self._linked(row.data, row.channel_id)), 1
        rendered = row.rendered
        if rendered is None:  # a card whose job or approval is gone: nothing left to show
            raise RenderFailed(row.template or row.kind, f"{row.kind} {row.ref} is not known")
        return Message(rendered["text"], tuple(rendered.get("blocks") or ())), 1

    def _linked(self, data: Mapping[str, Any], channel: str) -> Mapping[str, Any]:
        """A post that points at a job's card (`card_of`) gets the card's link, as it is when
        sent: the card is usually posted by then (cards go first); if not, no link."""
        key = data.get("card_of")
        ts = jobs.card_ts(self.store.db, str(key)) if key else None
        if not ts or not self.workspace_url:
            return data
        return {**data, "url": permalink(self.workspace_url, channel, ts)}

    def job_card(self, job: JobRow) -> Message:
        via, approved = self._origin(job)
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
            approval=approved,
        )
        return self._render("job_card", data)

    def approval_card(self, approval: ApprovalRow) -> Message:
        db = self.store.db
        request = requests.get(db, approval.request_id)
        if request is None:
            raise RenderFailed("approval_card", f"request {approval.request_id} is not known")
        data = approval_card_data(
            approval, request, votes=approvals.votes(db, approval.id), now=self.clock()
        )
        return self._render("approval_card", data)

    def _render(self, template: str, data: Mapping[str, Any]) -> Message:
        try:
            return self.renderer.render(template, **data)
        except Exception as exc:
            raise RenderFailed(template, failure(exc)) from None

    def _origin(self, job: JobRow) -> tuple[str | None, Approved | None]:
        """The job's connection profile and approval: fixed once it runs, so read once (a busy
        card is edited every poll)."""
        cached = self._origins.get(job.id)
        if cached is not None:
            return cached
        db = self.store.db
        approval = approvals.for_request(db, job.request_id) if job.request_id else None
        row = requests.get(db, job.request_id) if job.request_id else None
        approved = None
        if approval and approval.state == "approved":
            approved = Approved(
                by=tuple(approvals.votes(db, approval.id) or [approval.decided_by or "?"]),
                at=approval.decided_at,
                fingerprint=row.fingerprint if row else "",
            )
        origin = (row.via if row else None, approved)
        if len(self._origins) >= ORIGINS_KEPT:
            self._origins.clear()
        self._origins[job.id] = origin
        return origin


def permalink(workspace_url: str, channel: str, ts: str) -> str:
    """A message's link, as chat.getPermalink gives it: the workspace's address, the channel,
    and the ts without its dot (docs.slack.dev/reference/methods/chat.getPermalink)."""
    return f"{workspace_url.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"
