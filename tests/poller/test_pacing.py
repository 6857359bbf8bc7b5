"""Poll pacing: each interval, or slower while Slack is behind (it could not show news sooner)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import wait
from dataclasses import replace
from pathlib import Path

import pytest

from delivery.budget import POST_MESSAGE
from model.snapshot import Snapshot
from poller.pacing import Pacing, lead_time, next_poll
from store import jobs, posts
from store.jobs import JobRow
from tests.support.harness import Harness, close_harness, make_harness

NOW = 1_800_000_000.0
PACING = Pacing(interval=2.0)


def row(*, age: float) -> JobRow:
    return JobRow(
        id="job:1",
        kind="job",
        name="1",
        command="deploy",
        request_id=None,
        channel_id="C0DEPLOYS",
        card_ts=None,
        requester="U0ALICE",
        endpoint="deploy",
        body={},
        state="running",
        done=False,
        cursor=0,
        snapshot=Snapshot(),
        card_version=0,
        card_sent_version=0,
        card_sent_at=None,
        created_at=NOW - age,
        next_poll_at=NOW,
        finished_at=None,
        contact="ok",
        poll_errors=0,
        failures_pending=(),
        last_failure_post_at=None,
        failure_posts=0,
    )


@pytest.mark.parametrize(
    ("behind", "wait"),
    [
        (0.0, 2.0),  # Slack keeps up: every interval
        (1.5, 2.0),  # behind by less than an interval: still every interval
        (6.0, 6.0),  # behind by 6 s: news found sooner could not be shown sooner
        (120.0, 10.0),  # however far behind, at least every stretch_max
    ],
)
def test_a_running_job_is_polled_each_interval_or_as_slowly_as_slack_is_behind(
    behind: float, wait: float
) -> None:
    assert next_poll(row(age=60), NOW, PACING, started=True, behind=behind) == NOW + wait


def test_a_young_job_is_polled_fast_whatever_slack_is_behind() -> None:
    # Its first sign of life is what people watch for.
    assert next_poll(row(age=3), NOW, PACING, started=False, behind=120.0) == NOW + 1.0


def test_a_long_interval_is_never_shortened_by_the_cap() -> None:
    slow = replace(PACING, interval=30.0)
    assert next_poll(row(age=60), NOW, slow, started=True, behind=120.0) == NOW + 30.0
    assert next_poll(row(age=60), NOW, slow, started=True) == NOW + 30.0


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    # One node at a time, a minute a node: the job runs for minutes.
    h = make_harness(tmp_path, node_seconds=60.0, env={"POLL_INTERVAL": "2"})
    try:
        yield h
    finally:
        close_harness(h)


def flood(h: Harness, count: int) -> None:
    """`count` thread-less replies queued in the job's channel, as a busy hour leaves them."""
    with h.store.write() as db:
        for i in range(count):
            posts.enqueue(
                db,
                key=f"flood/{i}",
                channel_id="C0DEPLOYS",
                kind="reply",
                template="contact_lost",
                data={"kind_word": "job", "name": str(i), "reason": "test"},
                now=h.clock(),
            )


def event_polls(h: Harness, seconds: int) -> int:
    """Event reads of job 1 while `seconds` pass in 1-second ticks."""
    before = len([r for r in h.sim_requests if r["path"].endswith("/jobs/1/events")])
    for _ in range(seconds):
        h.tick(1.0)
    return len([r for r in h.sim_requests if r["path"].endswith("/jobs/1/events")]) - before


def test_behind_is_the_waiting_posts_at_the_workspace_rate_the_budget_assumes(
    harness: Harness,
) -> None:
    sender = harness.bot.sender
    assert sender.behind() == 0.0
    flood(harness, 25)
    with harness.store.write() as db:  # background work is not waited for
        posts.enqueue(
            db,
            key="announce/1",
            channel_id="C0DEPLOYS",
            kind="announcement",
            template="job_card",
            ref="job:99",
            now=harness.clock(),
        )
    # 300 posts a minute: 0.2 s each.
    assert sender.behind() == pytest.approx(25 * 0.2)
    # A 429 lowers the rate the budget assumes, and with it how fast the queue drains.
    sender.budget.refused(POST_MESSAGE, None, 5.0)
    assert sender.behind() == pytest.approx(25 * 0.2 / 0.7)


def test_a_job_is_polled_less_often_while_slack_is_behind_and_at_its_interval_after(
    harness: Harness,
) -> None:
    harness.command(
        "/deploy production --nodes web01.example.com,web02.example.com,web04.example.com "
        "--concurrency 1 --noop"
    )
    for _ in range(20):  # past the fast window
        harness.tick(1.0)
    assert event_polls(harness, 20) == 10  # every 2 s
    # 60 posts wait in one channel (Slack takes one a second there): 12 s of the workspace's
    # rate, so what a poll finds could not reach Slack sooner. The job is polled every 10 s.
    flood(harness, 60)
    polls = event_polls(harness, 30)
    assert 3 <= polls <= 4, polls
    # Its card is still edited with fresh news: the edit lane has it polled before its turn.
    job = jobs.get(harness.store.db, "job:1")
    assert job is not None and not job.done
    # Once Slack has caught up, every interval again.
    for _ in range(60):
        harness.tick(1.0)
    assert harness.bot.sender.behind() == 0.0
    assert event_polls(harness, 20) == 10


@pytest.mark.parametrize(
    ("durations", "lead"),
    [
        ((), 0.3),  # nothing timed yet: enough for a PE answering in a few hundred ms
        ((0.0, 0.0), 0.1),  # never closer than 0.1 s
        (tuple([0.06] * 45 + [0.9] * 5), 0.14),  # twice the 90th percentile, plus 20 ms
        (tuple([0.2] * 50), 0.42),  # a PE taking 200 ms to answer
        ((9.0,), 2.0),  # never further ahead than 2 s
    ],
)
def test_a_card_s_job_is_polled_as_long_before_its_edit_as_polls_take(
    durations: tuple[float, ...], lead: float
) -> None:
    assert lead_time(durations) == pytest.approx(lead)


def test_the_job_whose_card_is_next_is_polled_just_before_its_turn(harness: Harness) -> None:
    harness.command(
        "/deploy production --nodes web01.example.com,web02.example.com --concurrency 1 --noop"
    )
    for _ in range(5):
        harness.tick(1.0)
    db, poller = harness.store.db, harness.bot.poller
    budget, editor = harness.bot.sender.budget, harness.bot.sender.editor
    # The next edit is 1.2 s away (chat.update: 50 a minute), and the card has news to show; its
    # job's regular poll is far off.
    budget.done(budget.take("chat.update"))
    job = jobs.get(db, "job:1")
    assert job is not None and job.card_ts
    with harness.store.write() as w:
        jobs.update(w, job.id, card_version=job.card_sent_version + 1, next_poll_at=1e12)
    assert editor.edit() == pytest.approx(1.2)
    # Polls take no time on the harness's clock: the poll is asked for 0.1 s before the edit.
    assert poller.lead() == pytest.approx(0.1)
    start = harness.clock()
    assert poller.next_wake(start) == pytest.approx(start + 1.2 - 0.1)

    def polls_at(at: float) -> int:
        harness.clock.advance(at - harness.clock())
        before = len(harness.sim_requests)
        wait(poller.poll_due(harness.clock()))
        return len([r for r in harness.sim_requests[before:] if "/jobs/1/" in r["path"]])

    assert polls_at(start + 1.09) == 0
    assert polls_at(start + 1.1001) == 1
    assert polls_at(start + 1.15) == 0  # asked once, polled once


def test_the_poller_knows_when_the_next_job_falls_due(harness: Harness) -> None:
    db = harness.store.db
    assert jobs.next_due(db, harness.clock()) is None
    harness.command("/deploy production --nodes web01.example.com --noop")
    harness.tick(1.0)
    now = harness.clock()
    # Polled fast while young: due again in a second.
    assert jobs.next_due(db, now) == pytest.approx(now + 1.0)
    harness.run_until_quiet()
    assert jobs.next_due(db, harness.clock()) is None
