"""Slack's published rate limits, enforced: per method and workspace at the tier's floor,
chat.postMessage per channel, 429 with Retry-After, and the switch that turns them off."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from standins.slack import FakeSlack
from standins.slack.dispatch import METHODS
from standins.slack.ratelimits import METHOD_LIMITS, POST_MESSAGE
from tests.support.harness import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def limited(clock: Clock) -> Iterator[FakeSlack]:
    with FakeSlack("xoxb-test", clock=clock) as slack:
        slack.add_channel("C0OTHER", "other")
        yield slack


@pytest.fixture
def api(limited: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=limited.api_url, retry_handlers=[])


def status(call: object) -> tuple[int, str | None]:
    """(HTTP status, Retry-After) of one call made through slack_sdk."""
    try:
        call()  # type: ignore[operator]
    except SlackApiError as err:
        return err.response.status_code, err.response.headers.get("Retry-After")
    return 200, None


def test_every_method_the_fake_serves_has_a_documented_limit() -> None:
    unlimited = set(METHODS) - set(METHOD_LIMITS) - {POST_MESSAGE}
    assert not unlimited


def test_chat_update_is_held_to_tier_3_with_no_burst(
    limited: FakeSlack, api: WebClient, clock: Clock
) -> None:
    ts = api.chat_postMessage(channel="C0DEPLOYS", text="card")["ts"]

    def edit() -> tuple[int, str | None]:
        return status(lambda: api.chat_update(channel="C0DEPLOYS", ts=ts, text="edit"))

    assert edit() == (200, None)
    # Tier 3 is "50+ per minute": one every 1.2 s at the floor, and nothing banked.
    assert edit() == (429, "2")
    clock.advance(1.19)
    assert edit()[0] == 429
    clock.advance(0.01)
    assert edit() == (200, None)
    accepted = 0
    for _ in range(50):
        clock.advance(1.2)
        accepted += edit()[0] == 200
    assert accepted == 50
    assert limited.rate_limited_count == {"chat.update": 2}


def test_a_refused_call_uses_no_budget(limited: FakeSlack, api: WebClient, clock: Clock) -> None:
    assert status(lambda: api.conversations_info(channel="C0DEPLOYS"))[0] == 200
    for _ in range(5):
        assert status(lambda: api.conversations_info(channel="C0DEPLOYS"))[0] == 429
    clock.advance(1.2)
    assert status(lambda: api.conversations_info(channel="C0DEPLOYS"))[0] == 200


def test_limits_are_per_method(limited: FakeSlack, api: WebClient) -> None:
    assert status(lambda: api.usergroups_list())[0] == 200
    assert status(lambda: api.usergroups_list()) == (429, "3")  # Tier 2: one every 3 s
    assert status(lambda: api.users_info(user="U0ALICE"))[0] == 200


def test_post_message_allows_a_burst_of_three_then_one_a_second_per_channel(
    limited: FakeSlack, api: WebClient, clock: Clock
) -> None:
    def post(channel: str) -> int:
        return status(lambda: api.chat_postMessage(channel=channel, text="x"))[0]

    assert [post("C0DEPLOYS") for _ in range(4)] == [200, 200, 200, 429]
    assert post("C0OTHER") == 200  # another channel has its own second
    clock.advance(1.0)
    assert [post("C0DEPLOYS") for _ in range(2)] == [200, 429]
    assert post("#deploys") == 429  # by name it is the same channel


def test_post_message_has_a_workspace_ceiling(
    limited: FakeSlack, api: WebClient, clock: Clock
) -> None:
    channels = [f"C0WIDE{i:02d}" for i in range(12)]
    for channel in channels:
        limited.add_channel(channel, channel.lower())
    results = [status(lambda c=c: api.chat_postMessage(channel=c, text="x"))[0] for c in channels]
    # 300 a minute with a burst of 10: the eleventh at the same moment waits 0.2 s.
    assert results == [200] * 10 + [429, 429]
    clock.advance(0.2)
    assert status(lambda: api.chat_postMessage(channel=channels[10], text="x"))[0] == 200


def test_a_smaller_limit_can_be_set_for_one_method(
    limited: FakeSlack, api: WebClient, clock: Clock
) -> None:
    limited.set_rate_limit("views.open", 10)  # as if other apps used most of it
    assert status(lambda: api.auth_test())[0] == 200
    limited.set_rate_limit(POST_MESSAGE, 60, burst=1)
    assert [
        status(lambda c=c: api.chat_postMessage(channel=c, text="x"))[0]
        for c in ("C0DEPLOYS", "C0OTHER")
    ] == [200, 429]
    clock.advance(1.0)
    assert status(lambda: api.chat_postMessage(channel="C0OTHER", text="x"))[0] == 200


def test_limits_can_be_switched_off_for_tests_that_need_it(clock: Clock) -> None:
    with FakeSlack("xoxb-test", clock=clock, rate_limits=False) as slack:
        api = WebClient(token="xoxb-test", base_url=slack.api_url, retry_handlers=[])
        ts = api.chat_postMessage(channel="C0DEPLOYS", text="card")["ts"]
        for _ in range(100):
            api.chat_update(channel="C0DEPLOYS", ts=ts, text="edit")
        slack.rate_limits(True)
        assert status(lambda: api.chat_update(channel="C0DEPLOYS", ts=ts, text="x"))[0] == 200
        assert status(lambda: api.chat_update(channel="C0DEPLOYS", ts=ts, text="x"))[0] == 429


def test_a_429_from_the_limits_is_recorded_as_one(limited: FakeSlack, api: WebClient) -> None:
    ts = api.chat_postMessage(channel="C0DEPLOYS", text="card")["ts"]
    api.chat_update(channel="C0DEPLOYS", ts=ts, text="1")
    status(lambda: api.chat_update(channel="C0DEPLOYS", ts=ts, text="2"))
    [refused] = limited.rate_limited_calls()
    assert (refused.method, refused.retry_after, refused.by_limit) == ("chat.update", 2, True)
    assert [c.status for c in limited.calls("chat.update")] == [200, 429]


def test_a_post_to_a_user_id_lands_in_their_direct_messages(
    limited: FakeSlack, api: WebClient
) -> None:
    response = api.chat_postMessage(channel="U0ALICE", text="your approval expired")
    assert response["channel"] == "D0ALICE"
    assert [m.text for m in limited.direct_messages("U0ALICE")] == ["your approval expired"]
    assert limited.messages("C0DEPLOYS") == []


def test_a_spent_response_url_stays_refused(limited: FakeSlack, clock: Clock) -> None:
    url = limited.new_response_url(channel="C0DEPLOYS", user="U0ALICE")
    hook = WebhookClient(url)
    assert [hook.send(text=f"{i}").status_code for i in range(6)] == [200] * 5 + [404]
    clock.advance(3600)
    assert hook.send(text="an hour later").status_code == 404
    stale = WebhookClient(limited.new_response_url(channel="C0DEPLOYS", user="U0ALICE"))
    clock.advance(30 * 60 + 1)
    assert stale.send(text="too late").status_code == 404


def test_the_admin_api_reports_429s_and_switches_the_limits(
    limited: FakeSlack, api: WebClient
) -> None:
    base = limited.url
    ts = api.chat_postMessage(channel="C0DEPLOYS", text="card", blocks=[])["ts"]
    for _ in range(2):
        status(lambda: api.chat_update(channel="C0DEPLOYS", ts=ts, text="x"))
    assert httpx.get(base + "_fake/rate_limits").json()["refused"] == {"chat.update": 1}
    httpx.post(base + "_fake/rate_limits", json={"enabled": False})
    assert status(lambda: api.chat_update(channel="C0DEPLOYS", ts=ts, text="y"))[0] == 200
    calls = httpx.get(base + "_fake/calls", params={"method": "chat.update", "blocks": "1"})
    assert [c["status"] for c in calls.json()["calls"]] == [200, 429, 200]
