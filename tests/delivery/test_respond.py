"""Answers to a person: the response_url while it has uses left and is fresh, then an ephemeral
message, then a direct message when the bot cannot post in the channel."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_sdk.webhook import WebhookClient

from delivery.budget import Budget
from delivery.respond import Responder
from delivery.slack import web_client
from render.blocks import Message
from standins.slack import FakeSlack
from store import Store, requests
from tests.flows.test_approvals import approve
from tests.support.harness import Clock, Harness, block_text, close_harness, make_harness

SLOW_APPROVAL = """
[[rule]]
name = "production needs a colleague"
commands = ["deploy"]
environments = ["production*"]
noop = false
action = "approve"
expiry = "2h"
"""


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def slack(clock: Clock) -> Iterator[FakeSlack]:
    with FakeSlack("xoxb-test", clock=clock) as fake:
        yield fake


def responder(slack: FakeSlack, clock: Clock, **kwargs: object) -> Responder:
    client = web_client("xoxb-test", slack.api_url, budget=Budget(clock))
    return Responder(client, clock=clock, **kwargs)  # type: ignore[arg-type]


def said(text: str) -> Message:
    return Message(text=text)


def test_a_response_url_is_used_five_times_then_the_answer_is_ephemeral(
    slack: FakeSlack, clock: Clock
) -> None:
    answers = responder(slack, clock)
    url = slack.new_response_url(channel="C0DEPLOYS", user="U0ALICE")
    answers.note(url, "C0DEPLOYS", "U0ALICE")
    for i in range(6):
        assert answers.send(url, said(f"answer {i}"))
        clock.advance(1)
    assert [r.text for r in slack.responses()] == [f"answer {i}" for i in range(5)]
    assert [(e.text, e.channel, e.source) for e in slack.ephemerals("U0ALICE")][-1] == (
        "answer 5",
        "C0DEPLOYS",
        "chat.postEphemeral",
    )
    assert answers.uses(url) == 5
    assert not [c for c in slack.calls("response_url") if c.status != 200]  # never a 6th try


def test_a_stale_url_is_not_tried(slack: FakeSlack, clock: Clock) -> None:
    answers = responder(slack, clock)
    url = slack.new_response_url(channel="C0DEPLOYS", user="U0ALICE")
    answers.note(url, "C0DEPLOYS", "U0ALICE")
    clock.advance(29 * 60 + 30)  # within the last minute: too close to risk
    assert answers.send(url, said("late"))
    assert slack.responses() == []
    assert [e.text for e in slack.ephemerals("U0ALICE")] == ["late"]


def test_a_url_slack_refuses_falls_back_and_is_not_tried_again(
    slack: FakeSlack, clock: Clock
) -> None:
    answers = responder(slack, clock)
    url = slack.new_response_url(channel="C0DEPLOYS", user="U0ALICE")
    answers.note(url, "C0DEPLOYS", "U0ALICE")
    for i in range(5):  # spent by someone else: the bot's count cannot know
        WebhookClient(url).send(text=f"elsewhere {i}")
    assert answers.send(url, said("first"))
    clock.advance(1)  # chat.postEphemeral is Tier 4: one every 0.6 s
    assert answers.send(url, said("second"))
    assert [c.status for c in slack.calls("response_url")][-1] == 404
    assert len(slack.calls("response_url")) == 6
    fallback = [e.text for e in slack.ephemerals("U0ALICE") if e.source == "chat.postEphemeral"]
    assert fallback == ["first", "second"]


def test_where_the_bot_cannot_post_the_answer_is_a_direct_message(
    slack: FakeSlack, clock: Clock
) -> None:
    answers = responder(slack, clock)
    url = slack.new_response_url(channel="C0OUTSIDE", user="U0BOB")
    answers.note(url, "C0OUTSIDE", "U0BOB")
    clock.advance(3600)
    assert answers.send(url, said("your request ran"))
    assert slack.ephemerals("U0BOB") == []
    assert [m.text for m in slack.direct_messages("U0BOB")] == ["your request ran"]


def test_after_a_restart_the_owner_comes_from_the_stored_request(
    slack: FakeSlack, clock: Clock, tmp_path: Path
) -> None:
    store = Store(tmp_path / "bot.db")
    store.migrate()
    url = slack.new_response_url(channel="C0DEPLOYS", user="U0CAROL")
    with store.write() as db:
        db.execute(
            "INSERT INTO requests (id, created_at, updated_at, channel_id, user_id, command, "
            "text, endpoint, body, fingerprint, state, response_url) VALUES ('r1', ?, ?, "
            "'C0DEPLOYS', 'U0CAROL', 'deploy', '/deploy x', 'deploy', '{}', 'f', 'launched', ?)",
            [clock() - 3600, clock() - 3600, url],
        )
    assert requests.owner_of_response_url(store.db, url) == ("C0DEPLOYS", "U0CAROL", clock() - 3600)
    answers = responder(
        slack, clock, lookup=lambda u: requests.owner_of_response_url(store.db, u)
    )  # a new process: it never saw the URL arrive
    assert answers.send(url, said("the job you asked for an hour ago finished"))
    assert slack.responses() == []
    assert [e.user for e in slack.ephemerals()] == ["U0CAROL"]
    store.close()


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    h = make_harness(tmp_path, policy=SLOW_APPROVAL)
    try:
        yield h
    finally:
        close_harness(h)


def test_an_approval_that_waited_an_hour_is_answered_without_the_stale_url(
    harness: Harness,
) -> None:
    h = harness
    h.command("/deploy production --nodes web01.example.com")
    assert "needs approval" in h.last_response_text()
    h.clock.advance(3600)
    approve(h, "U0BOB")
    told = [f"{e.text}\n{block_text(e.blocks or [])}" for e in h.slack.ephemerals("U0ALICE")]
    assert any("started as job" in t for t in told), told
    assert len(h.responses()) == 1  # only the answer made while the URL was fresh
    assert not [c for c in h.slack.calls("response_url") if c.status != 200]
