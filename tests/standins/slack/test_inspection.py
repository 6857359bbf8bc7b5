"""Test-facing helpers: wait_for, subscribe, reset."""

from __future__ import annotations

import logging
import threading

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from standins.slack import FakeSlack, SlackEvent


def test_wait_for_returns_once_another_thread_has_posted(
    fake: FakeSlack, client: WebClient
) -> None:
    timer = threading.Timer(0.1, lambda: client.chat_postMessage(channel="C0DEPLOYS", text="late"))
    timer.start()
    try:
        found = fake.wait_for(lambda f: f.messages("C0DEPLOYS")[0].text, timeout=5)
    finally:
        timer.join()

    assert found == "late"


def test_wait_for_timeout_explains_what_the_fake_saw(fake: FakeSlack, client: WebClient) -> None:
    client.chat_postMessage(channel="C0GENERAL", text="wrong channel")

    with pytest.raises(AssertionError) as info:
        fake.wait_for(lambda f: f.messages("C0DEPLOYS")[0], timeout=0.2)

    report = str(info.value)
    assert "condition not met after 0.2s" in report
    assert 'f.messages("C0DEPLOYS")[0]' in report  # the predicate's own source
    assert "IndexError" in report
    assert "{'C0GENERAL': 1}" in report
    assert "chat.postMessage -> 200 ok channel='C0GENERAL'" in report


def test_wait_for_uses_the_description_when_given(fake: FakeSlack) -> None:
    with pytest.raises(AssertionError, match="the approval card"):
        fake.wait_for(lambda f: False, timeout=0.05, description="the approval card")


def test_subscribers_hear_each_change_in_order(fake: FakeSlack, client: WebClient) -> None:
    events: list[SlackEvent] = []
    unsubscribe = fake.subscribe(events.append)

    ts = client.chat_postMessage(channel="C0DEPLOYS", text="posted")["ts"]
    client.chat_update(channel="C0DEPLOYS", ts=ts, text="updated")
    client.chat_postMessage(channel="C0DEPLOYS", text="reply", thread_ts=ts)
    client.chat_postEphemeral(channel="C0DEPLOYS", user="U0BOB", text="psst")
    client.chat_delete(channel="C0DEPLOYS", ts=ts)
    unsubscribe()
    client.chat_postMessage(channel="C0DEPLOYS", text="unheard")

    assert [(e.kind, e.text) for e in events] == [
        ("posted", "posted"),
        ("updated", "updated"),
        ("posted", "reply"),
        ("ephemeral", "psst"),
        ("deleted", "updated"),
    ]
    assert events[2].thread_ts == ts
    assert events[3].user == "U0BOB"


def test_failing_subscriber_is_logged_and_the_call_still_succeeds(
    fake: FakeSlack, client: WebClient, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(event: SlackEvent) -> None:
        raise RuntimeError("terminal went away")

    fake.subscribe(broken)

    with caplog.at_level(logging.ERROR, logger="standins.slack"):
        assert client.chat_postMessage(channel="C0DEPLOYS", text="x")["ok"]

    assert "subscriber" in caplog.text


def test_subscriber_may_read_the_fake_without_deadlock(fake: FakeSlack, client: WebClient) -> None:
    seen: list[int] = []
    fake.subscribe(lambda event: seen.append(len(fake.messages("C0DEPLOYS"))))

    client.chat_postMessage(channel="C0DEPLOYS", text="x")

    assert seen == [1]


def test_reset_forgets_messages_calls_and_faults(fake: FakeSlack, client: WebClient) -> None:
    client.chat_postMessage(channel="C0DEPLOYS", text="x")
    fake.fail_channel("C0DEPLOYS", "is_archived")
    fake.add_channel("C0EXTRA", "extra")

    fake.reset()

    assert fake.messages("C0DEPLOYS") == []
    assert fake.calls() == []
    assert client.chat_postMessage(channel="C0DEPLOYS", text="y")["ts"] == "1700000000.000100"
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel="C0EXTRA", text="z")
    assert info.value.response["error"] == "channel_not_found"
