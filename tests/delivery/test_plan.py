"""What goes first: answers to people, then final summaries and states, then thread news, then
progress; a thread is never read out of order."""

from __future__ import annotations

from delivery.budget import Priority
from delivery.plan import CardDue, order_edits, order_posts, post_priority
from store.posts import Queued


def queued(seq: int, key: str, kind: str = "reply") -> Queued:
    thread = None if kind in ("card", "approval_card") else key.split("/", 1)[0]
    return Queued(seq, key, "C0DEPLOYS", thread, kind, None, float(seq))


def test_each_post_has_the_priority_of_what_it_says() -> None:
    assert post_priority(queued(1, "job:1/card", "card")) == Priority.PERSON
    assert post_priority(queued(2, "approval:ab/card", "approval_card")) == Priority.PERSON
    assert post_priority(queued(3, "job:1/stop/r9")) == Priority.PERSON
    assert post_priority(queued(4, "job:1/finished")) == Priority.FINAL
    assert post_priority(queued(5, "job:1/forgotten")) == Priority.FINAL
    assert post_priority(queued(6, "job:1/failures/1")) == Priority.FAILURES
    assert post_priority(queued(7, "plan:2/step/9")) == Priority.FAILURES


def test_a_summary_goes_before_older_thread_news_of_other_jobs() -> None:
    plan = order_posts(
        [
            queued(1, "job:1/failures/1"),
            queued(2, "job:2/failures/1"),
            queued(3, "job:3/card", "card"),
            queued(4, "job:2/finished"),
        ]
    )
    assert [r.key for _, r in plan] == [
        "job:3/card",
        # job 2's thread is read in order: its failure batch first, at the summary's priority
        "job:2/failures/1",
        "job:2/finished",
        "job:1/failures/1",
    ]
    assert [p for p, _ in plan] == [
        Priority.PERSON,
        Priority.FINAL,
        Priority.FINAL,
        Priority.FAILURES,
    ]


def test_the_most_urgent_card_is_edited_first_and_busy_cards_take_turns() -> None:
    due = [
        CardDue("job", "job:1", "C1", False, 100.0, 0.0),
        CardDue("job", "job:2", "C1", False, 90.0, 0.0),
        CardDue("job", "job:3", "C1", True, 95.0, 0.0),
        CardDue("approval", "ab", "C1", False, 99.0, 0.0),
        CardDue("job", "job:4", "C2", False, None, 80.0),
    ]
    assert [c.id for c in order_edits(due)] == ["ab", "job:3", "job:4", "job:2", "job:1"]
