"""Following jobs through faults: an orchestrator outage, a forgotten job, Slack 429s and errors."""

from __future__ import annotations

from collections import Counter

from render import Renderer
from store import jobs, posts
from tests.support.harness import Harness, block_text

CHANNEL = "C0DEPLOYS"


def replies(h: Harness, channel: str = CHANNEL) -> list[str]:
    out = []
    for card in h.slack.messages(channel):
        out += [block_text(r.blocks or []) for r in h.slack.thread(channel, card.ts)[1:]]
    return out


def test_an_outage_gives_one_lost_and_one_back_note_and_no_update_lost(harness: Harness) -> None:
    harness.command(
        "/deploy production --nodes web01.example.com,web02.example.com,"
        "web07.example.com --concurrency 1 --noop"
    )
    harness.tick(0.5)
    harness.sim.set_faults(unavailable=True)
    for _ in range(12):
        harness.tick(5)
    harness.sim.clear_faults()
    harness.run_until_quiet(step=5)
    texts = replies(harness)
    assert sum("Lost contact" in t for t in texts) == 1
    assert sum("Back in contact" in t for t in texts) == 1
    assert sum("nodes succeeded" in t for t in texts) == 1
    assert "2/3 nodes succeeded" in texts[-1] and "web07.example.com" in texts[-1]


def test_one_failing_job_does_not_hold_up_the_others(harness: Harness) -> None:
    harness.command("/deploy production --nodes web01.example.com --noop")
    harness.command("/deploy development --nodes web02.example.com --noop")
    harness.tick()
    with harness.store.write() as db:  # the orchestrator will answer 404 for this one
        jobs.update(db, "job:1", name="4040")
    harness.run_until_quiet()
    texts = replies(harness)
    assert any("no longer knows job `4040`" in t for t in texts)
    assert any("1/1 nodes succeeded" in t for t in texts)


def test_slack_429s_lose_and_double_nothing(harness: Harness) -> None:
    harness.slack.rate_limit("chat.postMessage", every=2, retry_after=1)
    for env in ("production", "development"):
        harness.command(
            f"/deploy {env} --nodes web01.example.com,web07.example.com,db03.example.com --noop"
        )
    harness.run_until_quiet(step=0.5)
    keys = [
        c.params.get("metadata", {}).get("event_payload", {}).get("key")
        for c in harness.slack.calls("chat.postMessage")
        if c.status == 200
    ]
    assert len(keys) == len(set(keys)), "a post was sent twice"
    assert len(harness.slack.messages(CHANNEL)) == 2
    summaries = [t for t in replies(harness) if "nodes succeeded" in t]
    assert len(summaries) == 2
    assert harness.slack.rate_limited_calls()
    assert all(c.waited is None or c.waited >= 1.0 for c in harness.slack.rate_limited_calls())
    assert not posts.queued(harness.store.db)


def test_a_broken_channel_does_not_stop_the_others(harness: Harness) -> None:
    harness.slack.fail_channel("C0GENERAL", "is_archived")
    harness.command("/deploy production --nodes web01.example.com --noop", channel="C0GENERAL")
    harness.command("/deploy development --nodes web02.example.com --noop")
    harness.run_until_quiet()
    assert any("1/1 nodes succeeded" in t for t in replies(harness))
    dead = harness.store.db.execute(
        "SELECT count(*) FROM posts WHERE state = 'dead' AND error = 'is_archived'"
    ).fetchone()[0]
    assert dead >= 1


def test_a_crash_mid_post_is_reconciled_from_slack_metadata(harness: Harness) -> None:
    harness.command("/deploy production --nodes web01.example.com --noop")
    harness.run_until_quiet()
    card = harness.slack.messages(CHANNEL)[0]
    data = {"kind_word": "job", "name": "1"}
    text = Renderer().render("contact_back", **data).text
    with harness.store.write() as db:
        posts.enqueue(
            db,
            key="job:1/extra",
            channel_id=CHANNEL,
            kind="reply",
            template="contact_back",
            data=data,
            thread_of="job:1",
            now=harness.clock(),
        )
    row = posts.get(harness.store.db, "job:1/extra")
    # Sent to Slack, then the process died before recording it:
    posts.claim(harness.store.db, row.seq)
    harness.bot.deps.sender.slack.chat_postMessage(
        channel=CHANNEL,
        thread_ts=card.ts,
        text=text,
        metadata={"event_type": "chatops_post", "event_payload": {"key": "job:1/extra"}},
    )
    assert harness.bot.deps.sender.reconcile() == 1
    harness.tick()
    texts = Counter(m.text for m in harness.slack.thread(CHANNEL, card.ts))
    assert texts[text] == 1
