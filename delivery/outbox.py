"""The outbox's records: where a thread's first message is, and a post settled as sent or not."""

from __future__ import annotations

from sqlite_utils import Database

from store import Store, approvals, jobs, posts
from store.posts import PostRow

METADATA_TYPE = "chatops_post"


def thread_ts(db: Database, thread_of: str | None) -> str | None:
    """The ts of the card a thread hangs off (None until it is posted): a job's card, or a
    schedule's (`schedule:<n>`, posted from the outbox as `schedule:<n>/card`)."""
    if not thread_of:
        return None
    if thread_of.startswith("schedule:"):
        parent = posts.get(db, f"{thread_of}/card")
        return parent.ts if parent is not None and parent.state == "sent" else None
    return jobs.card_ts(db, thread_of)


def record_sent(store: Store, row: PostRow, ts: str, version: int, now: float) -> None:
    """Slack has the post: settle it, and remember where a card went and the version it
    showed (a crash's orphan found in Slack passes 1: an edit then brings it up to date)."""
    with store.write() as db:
        posts.settle(db, row.seq, state="sent", now=now, ts=ts)
        if row.kind in ("card", "announcement") and row.ref:
            jobs.update(db, row.ref, card_ts=ts)
            jobs.card_sent(db, row.ref, version, now)
        elif row.kind == "approval_card" and row.ref:
            approvals.set_card(db, row.ref, ts)
            approvals.card_sent(db, row.ref, version, now)


def record_state(
    store: Store, row: PostRow, state: str, now: float, *, error: str | None = None
) -> None:
    with store.write() as db:
        posts.settle(db, row.seq, state=state, now=now, error=error)
