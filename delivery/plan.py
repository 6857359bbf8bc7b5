"""What goes to Slack first: the priority of each queued post and card edit (pure).

Answers to a person come first (a new status card, an approval card, a reply saying someone
asked for a stop, decisions on approval cards), then final summaries and a card's final state, then
failure batches and other thread news, then progress edits, background work last. A thread is
read in order, so a post never overtakes an earlier one in its thread: the earlier ones are sent
first, at the priority of the most urgent post waiting behind them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from delivery.budget import Priority
from store.posts import Queued

FINAL_SUFFIXES = ("/finished", "/forgotten")


def post_priority(row: Queued) -> Priority:
    """A queued post's priority, from its kind and its key (`job:7/finished`, …)."""
    if row.kind == "announcement":  # a job started outside the bot: nobody waits for it
        return Priority.BACKGROUND
    if row.kind in ("card", "approval_card"):
        return Priority.PERSON
    if "/stop/" in row.key:
        return Priority.PERSON
    if row.key.endswith(FINAL_SUFFIXES):
        return Priority.FINAL
    return Priority.FAILURES


def order_posts(rows: Iterable[Queued]) -> list[tuple[Priority, Queued]]:
    """Posts in the order to try them: by effective priority, then by age; within a thread
    always oldest first."""
    rows = sorted(rows, key=lambda r: r.seq)
    urgent: dict[str, Priority] = {}
    for row in rows:
        thread = row.thread_of or row.key
        urgent[thread] = min(urgent.get(thread, Priority.BACKGROUND), post_priority(row))
    ordered = [(min(post_priority(r), urgent[r.thread_of or r.key]), r) for r in rows]
    return sorted(ordered, key=lambda pr: (pr[0], pr[1].seq))


@dataclass(frozen=True)
class CardDue:
    """A card whose content moved since its last edit (read without its snapshot: cheap)."""

    kind: str  # "job" or "approval"
    id: str
    channel_id: str
    done: bool
    last_edit: float | None
    since: float

    @property
    def priority(self) -> Priority:
        if self.kind == "approval":
            return Priority.PERSON
        return Priority.FINAL if self.done else Priority.PROGRESS


def order_edits(due: Iterable[CardDue]) -> list[CardDue]:
    """Most urgent first; among equals, the card left longest without an edit, so that with
    many busy cards each is edited in turn, as often as the budget allows."""
    return sorted(
        due, key=lambda c: (c.priority, c.last_edit if c.last_edit is not None else c.since)
    )
