"""The outbox stores what to say and delivery renders it when it sends: a late card shows the
newest, a post that cannot be rendered is dropped alone (logged without its data), an approval
card that cannot be posted fails its request, and rows queued by an older version still go."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from model.snapshot import Snapshot
from store import Store, approvals, jobs, posts, requests
from store.db import dumps
from store.migrations import MIGRATIONS
from tests.support.harness import Harness, block_text, close_harness, make_harness

CHANNEL = "C0DEPLOYS"
DEPLOY = "/deploy production --nodes web01.example.com --noop"
MIXED = "/deploy production --nodes web09.example.com,web01.example.com"


@pytest.fixture
def make(tmp_path: Path) -> Iterator:
    made: list[Harness] = []

    def build(**kwargs) -> Harness:
        h = make_harness(tmp_path, **kwargs)
        made.append(h)
        return h

    yield build
    for h in made:
        close_harness(h)


def test_a_card_posted_late_shows_its_job_as_it_is_then(make) -> None:
    h = make()
    h.command(DEPLOY)
    # Before the card's turn comes, the job moves on (as a poll would record it).
    with h.store.write() as db:
        snapshot = Snapshot(state="running", node_count=7, counts={"finished": 3})
        jobs.update(db, "job:1", snapshot=snapshot)
    h.bot.deps.sender.flush()
    [card] = h.slack.messages(CHANNEL)
    assert "3/7 nodes done" in block_text(card.blocks)


def test_a_post_that_cannot_be_rendered_is_dropped_alone_and_logged_without_its_data(
    make, caplog: pytest.LogCaptureFixture
) -> None:
    h = make()
    h.command(DEPLOY)
    h.run_until_quiet()
    [card] = h.slack.messages(CHANNEL)
    with h.store.write() as db:
        for key, data in (
            ("job:1/bad", {"kind_word": "hunter2-in-the-data"}),  # no `name`: cannot render
            ("job:1/good", {"kind_word": "job", "name": "1"}),
        ):
            posts.enqueue(db, key=key, channel_id=CHANNEL, kind="reply", template="contact_back",
                          data=data, thread_of="job:1", now=h.clock())  # fmt: skip
    with caplog.at_level(logging.ERROR, logger="delivery"):
        h.tick()
    bad, good = posts.get(h.store.db, "job:1/bad"), posts.get(h.store.db, "job:1/good")
    assert bad is not None and good is not None
    assert bad.state == "dead" and "'name' is undefined" in (bad.error or "")
    assert good.state == "sent"
    assert len(h.slack.thread(CHANNEL, card.ts)) == 3  # the card, the summary, the good one
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "job:1/bad" in logged and "contact_back" in logged and "is undefined" in logged
    assert "hunter2" not in logged


def test_an_approval_card_slack_refuses_fails_its_request_and_tells_the_requester(make) -> None:
    h = make(policy=None)
    h.command(MIXED)
    [row] = requests.in_states(h.store.db, ("awaiting_approval",), older_than=h.clock() + 1)
    approval = approvals.for_request(h.store.db, row.id)
    assert approval is not None
    card = posts.get(h.store.db, f"approval:{approval.id}/card")
    assert card is not None
    with h.store.write() as db:  # as a refusal for good (channel_not_found) leaves it
        posts.settle(db, card.seq, state="dead", now=h.clock(), error="channel_not_found")
    h.tick()
    failed = requests.get(h.store.db, row.id)
    assert failed is not None and failed.state == "failed"
    assert "approval card failed: channel_not_found" in (failed.error or "")
    assert "could not be posted, so the request was not sent" in h.last_response_text()
    decided = approvals.get(h.store.db, approval.id)
    assert decided is not None and decided.state == "rejected"
    h.click("approval_approve", approval.id, user="U0BOB")
    assert h.requests_seen("/command/deploy") == []


def test_posts_and_snapshots_saved_by_an_older_version_still_go_out(tmp_path: Path) -> None:
    old = Store(tmp_path / "bot.db")
    MIGRATIONS.apply(old.db, stop_before="0007_posts_say_what")
    legacy_snapshot = {"state": "finished", "node_count": 2, "counts": {"finished": 2},
                       "running": [], "resources": {"changed": 1}, "quiet_polls": 3,
                       "duration": 12.5, "started_at": 1_799_999_000.0}  # fmt: skip
    with old.db.conn:
        old.db.execute(
            """INSERT INTO jobs (id, kind, name, command, channel_id, requester, endpoint, body,
               state, done, snapshot, created_at, next_poll_at)
               VALUES ('job:41', 'job', '41', 'deploy', ?, 'U0ALICE', 'deploy', ?, 'finished',
               1, ?, 0, 0)""",
            [CHANNEL, dumps({"environment": "production"}), dumps(legacy_snapshot)],
        )
        for key, kind, ref, text in (
            ("job:41/card", "card", "job:41", "placeholder"),
            ("note/1", "reply", None, "rendered by the old version"),
        ):
            old.db.execute(
                "INSERT INTO posts (key, channel_id, kind, ref, payload, created_at) "
                "VALUES (?, ?, ?, ?, ?, 0)",
                [key, CHANNEL, kind, ref, dumps({"text": text, "blocks": []})],
            )
    old.close()

    h = make_harness(tmp_path)
    try:
        job = jobs.get(h.store.db, "job:41")
        assert job is not None and job.snapshot == Snapshot(
            state="finished", node_count=2, counts={"finished": 2}, resources={"changed": 1},
            quiet_polls=3, duration=12.5, started_at=1_799_999_000.0,
        )  # fmt: skip
        h.bot.deps.sender.flush()
        card, note = h.slack.messages(CHANNEL)
        assert "2/2 nodes done" in block_text(card.blocks)  # rendered from the job, not kept
        assert note.text == "rendered by the old version"
        with h.store.write() as db:  # and new posts are numbered after the old ones
            posts.enqueue(db, key="new", channel_id=CHANNEL, kind="reply",
                          template="contact_back", data={"kind_word": "job", "name": "41"},
                          now=h.clock())  # fmt: skip
        assert [p.key for p in posts.queued(h.store.db)] == ["new"]
        new = posts.get(h.store.db, "new")
        assert new is not None and new.seq == 3
    finally:
        close_harness(h)


def test_a_post_must_say_something(tmp_path: Path) -> None:
    store = Store(tmp_path / "bot.db")
    store.migrate()
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute(
            "INSERT INTO posts (key, channel_id, kind, created_at) VALUES ('k', 'C', 'reply', 0)"
        )
    store.close()
