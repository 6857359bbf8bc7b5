"""Keeping Home tabs up to date: for each person who opened theirs within `recent` seconds, the
view is built from the store and published when it differs from what they last got.

Run each second by the poller's housekeeping. Changes are coalesced by construction: a tab is
rebuilt from the state at that moment, so any number of changes since the last publish go out in
one views.publish, and a tab that did not change is not published at all. Each call asks the one
Slack budget at Priority.BACKGROUND and waits for a later pass when the budget says no.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from delivery.budget import Budget, Priority
from delivery.slack import error_of, retry_after
from orchestrator.requests import ScheduleRequest
from policy import GroupResolver
from render.home import (
    HomeData,
    RecentRequest,
    RunningJob,
    ScheduleLine,
    WaitingApproval,
    digest,
    home_view,
    offered,
)
from render.views import ended, subject
from store import Store, approvals, home, jobs, requests
from store.approvals import ApprovalRow

log = logging.getLogger(__name__)

METHOD = "views.publish"
RECENT = 1800.0  # HOME_RECENT_MINUTES' default: 30 minutes
Schedules = Callable[[str], Sequence[ScheduleLine]]


def waiting_for(
    approval: ApprovalRow, user: str, votes: Sequence[str], groups: GroupResolver
) -> bool:
    """Whether this approval waits for `user`: as policy.may_approve judges the card's clicks."""
    if user in votes or (user == approval.requester and not approval.self_approval):
        return False
    users = approval.approvers.get("users") or []
    group_refs = approval.approvers.get("groups") or []
    if not users and not group_refs:
        return True
    return user in users or any(user in groups.members(g) for g in group_refs)


class HomeTabs:
    """Thread-safe through the store; one per bot."""

    def __init__(
        self,
        store: Store,
        client: WebClient,
        budget: Budget,
        groups: GroupResolver,
        *,
        clock: Callable[[], float],
        recent: float = RECENT,
        schedules: Schedules | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.budget = budget
        self.groups = groups
        self.clock = clock
        self.recent = recent
        # The scheduler's store, when the bot has one: a person's schedules for their tab.
        self.schedules = schedules
        self.published = 0

    def data(self, user: str, now: float) -> HomeData:
        db = self.store.db
        waiting = []
        for a in approvals.pending(db, now):
            votes = approvals.votes(db, a.id)
            if not waiting_for(a, user, votes, self.groups):
                continue
            row = requests.get(db, a.request_id)
            what = subject(row.endpoint, row.body) if row else a.request_id
            waiting.append(
                WaitingApproval(a.id, what, a.requester, a.channel_id, len(votes), a.required,
                                a.expires_at)
            )  # fmt: skip
        running = [
            RunningJob(j.id, j.name, subject(j.endpoint, j.body), j.state, ended(j.snapshot),
                       j.snapshot.nodes, j.channel_id)
            for j in jobs.running_for(db, user)
        ]  # fmt: skip
        recent = []
        for r in requests.recent_for(db, user):
            if r.endpoint == ScheduleRequest.ENDPOINT:  # what it made is a schedule, not a job
                state = "scheduled" if r.state == "launched" else r.state
                recent.append(
                    RecentRequest(r.id, r.text, state, r.created_at, None, r.channel_id, None)
                )
                continue
            job = jobs.get(db, r.job_id) if r.job_id else None
            outcome = job.state if job is not None else None
            recent.append(
                RecentRequest(r.id, r.text, r.state, r.created_at, r.job_id, r.channel_id, outcome)
            )
        schedules = tuple(self.schedules(user)) if self.schedules is not None else None
        return HomeData(user, waiting, running, recent, schedules)

    def refresh(self, now: float | None = None) -> int:
        """Publish every recent tab whose content changed; returns how many were published."""
        now = self.clock() if now is None else now
        sent = 0
        for tab in home.recent(self.store.db, now - self.recent):
            data = self.data(tab.user_id, now)
            view = home_view(data)
            fresh = digest(view)
            if fresh == tab.digest:
                continue
            ticket = self.budget.try_take(METHOD, None, Priority.BACKGROUND)
            if ticket is None:
                break  # the budget is spent for now: the next pass carries on
            try:
                response = self.client.views_publish(user_id=tab.user_id, view=view)
            except SlackApiError as exc:
                self.budget.done(ticket, retry_after=retry_after(exc))
                log.warning("views.publish for %s: %s", tab.user_id, error_of(exc))
                continue
            except OSError as exc:
                self.budget.done(ticket)
                log.warning("Slack unreachable publishing a Home tab: %s", exc)
                break
            self.budget.done(ticket)
            view_id = str((response.get("view") or {}).get("id") or "")
            with self.store.write() as db:
                home.published(db, tab.user_id, view_id=view_id, digest=fresh,
                               approvals=offered(data), now=now)  # fmt: skip
            sent += 1
        self.published += sent
        return sent
