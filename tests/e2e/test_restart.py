"""kill -9 in the middle of jobs, restart: every thread ends with one summary, nothing doubled."""

from __future__ import annotations

import time
from collections import Counter

from standins.orchestrator import RunningSimulator
from standins.slack import FakeSlack
from tests.support.process import BotProcess

CHANNEL = "C0DEPLOYS"


def posted_keys(slack: FakeSlack) -> list[str]:
    """The outbox key of every post Slack accepted."""
    return [
        c.params.get("metadata", {}).get("event_payload", {}).get("key")
        for c in slack.calls("chat.postMessage")
        if c.status == 200 and not c.error
    ]


def summaries(slack: FakeSlack) -> dict[str, int]:
    counts: dict[str, int] = {}
    for card in slack.messages(CHANNEL):
        replies = slack.thread(CHANNEL, card.ts)[1:]
        counts[card.ts] = sum("nodes succeeded" in (r.text or "") for r in replies)
    return counts


def test_killed_mid_job_and_restarted_each_thread_ends_with_one_summary(
    bot: BotProcess, slack: FakeSlack, orchestrator: RunningSimulator
) -> None:
    nodes = ",".join(f"web{i:02d}.example.com" for i in range(1, 13))
    for env in ("production", "development"):
        url = slack.new_response_url(channel=CHANNEL, user="U0ALICE")
        assert (
            bot.command(
                f"/deploy {env} --nodes {nodes} --concurrency 2 --noop", response_url=url
            ).status_code
            == 200
        )
    slack.wait_for(lambda fake: len(fake.messages(CHANNEL)) == 2, timeout=15)
    for _ in range(3):  # kill it three times while the jobs run
        time.sleep(0.7)
        bot.kill()
        time.sleep(0.3)
        bot.start()
    slack.wait_for(
        lambda fake: all(n >= 1 for n in summaries(fake).values()) and len(summaries(fake)) == 2,
        timeout=60,
    )
    time.sleep(1.5)  # anything doubled would arrive now
    assert summaries(slack) == {ts: 1 for ts in summaries(slack)}
    keys = posted_keys(slack)
    assert keys and len(keys) == len(set(keys)), Counter(keys).most_common(3)
    for card in slack.messages(CHANNEL):
        texts = [r.text for r in slack.thread(CHANNEL, card.ts)[1:]]
        assert len(texts) == len(set(texts)), texts
    assert bot.starts == 4
