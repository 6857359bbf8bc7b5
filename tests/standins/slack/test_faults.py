"""Injected faults: 429 with Retry-After, 5xx, channel errors and latency."""

from __future__ import annotations

import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from standins.slack import FakeSlack


def test_429_is_retried_by_slack_sdk_after_retry_after(fake: FakeSlack, client: WebClient) -> None:
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    fake.rate_limit("chat.postMessage", every=1, retry_after=1, times=1)

    response = client.chat_postMessage(channel="C0DEPLOYS", text="after a 429")

    assert response["ok"]
    assert [c.status for c in fake.calls("chat.postMessage")] == [429, 200]
    [limited] = fake.rate_limited_calls()
    assert limited.retry_after == 1
    assert limited.waited is not None and limited.waited >= 1.0
    assert [m.text for m in fake.messages("C0DEPLOYS")] == ["after a 429"]


def test_429_without_a_retry_handler_raises_with_retry_after(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.rate_limit("chat.postMessage", retry_after=7)

    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel="C0DEPLOYS", text="x")

    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "7"
    assert info.value.response["error"] == "ratelimited"
    assert fake.messages("C0DEPLOYS") == []
    assert fake.rate_limited_calls()[0].retried_at is None


def test_every_third_call_of_any_method_is_rate_limited(fake: FakeSlack, client: WebClient) -> None:
    fake.rate_limit(None, every=3, retry_after=1)

    statuses = []
    for _ in range(6):
        try:
            client.auth_test()
            statuses.append(200)
        except SlackApiError as err:
            statuses.append(err.response.status_code)

    assert statuses == [200, 200, 429, 200, 200, 429]


def test_rate_limit_lapses_after_its_duration(fake: FakeSlack, client: WebClient) -> None:
    fake.rate_limit("auth.test", duration=0.2)
    with pytest.raises(SlackApiError):
        client.auth_test()

    time.sleep(0.3)

    assert client.auth_test()["ok"]


def test_server_error_answers_http_500_on_schedule(fake: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C0DEPLOYS", text="v1")["ts"]
    fake.server_error("chat.update", every=2)

    client.chat_update(channel="C0DEPLOYS", ts=ts, text="v2")
    with pytest.raises(SlackApiError) as info:
        client.chat_update(channel="C0DEPLOYS", ts=ts, text="v3")

    assert info.value.response.status_code == 500
    assert fake.message("C0DEPLOYS", ts).text == "v2"


@pytest.mark.parametrize("error", ["not_in_channel", "is_archived", "channel_not_found"])
def test_failed_channel_answers_its_error_until_cleared(
    fake: FakeSlack, client: WebClient, error: str
) -> None:
    fake.fail_channel("C0DEPLOYS", error)

    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel="C0DEPLOYS", text="x")
    assert info.value.response["error"] == error

    fake.clear_faults()
    assert client.chat_postMessage(channel="C0DEPLOYS", text="x")["ok"]


def test_fail_channel_rejects_errors_slack_would_not_give(fake: FakeSlack) -> None:
    with pytest.raises(ValueError, match="error must be one of"):
        fake.fail_channel("C0DEPLOYS", "on_fire")


def test_latency_delays_each_answer(fake: FakeSlack, client: WebClient) -> None:
    fake.latency(0.2)

    started = time.monotonic()
    client.auth_test()

    assert time.monotonic() - started >= 0.2


def test_rate_limit_stops_after_the_given_number_of_429s(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.rate_limit("auth.test", times=2)

    outcomes = []
    for _ in range(4):
        try:
            outcomes.append(client.auth_test().status_code)
        except SlackApiError as err:
            outcomes.append(err.response.status_code)

    assert outcomes == [429, 429, 200, 200]
