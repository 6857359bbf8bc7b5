"""The HTTP layer: auth, body encodings, lifecycle."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from standins.slack import FakeSlack
from standins.slack.dispatch import METHODS


def _get(url: str, token: str | None = "xoxb-test") -> dict:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def test_missing_token_is_not_authed(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as info:
        WebClient(base_url=fake.api_url, retry_handlers=[]).auth_test()

    assert info.value.response["error"] == "not_authed"


def test_wrong_token_is_invalid_auth(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as info:
        WebClient(token="xoxb-other", base_url=fake.api_url, retry_handlers=[]).auth_test()

    assert info.value.response["error"] == "invalid_auth"


def test_unknown_method_is_unknown_method(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        client.api_call("chat.sendCarrierPigeon")

    assert info.value.response["error"] == "unknown_method"


def test_get_with_query_params_is_served(fake: FakeSlack) -> None:
    answer = _get(f"{fake.api_url}users.info?user=U0BOB")

    assert answer["user"]["name"] == "bob"
    assert fake.calls("users.info")[0].params == {"user": "U0BOB"}


def test_legacy_token_argument_is_accepted(fake: FakeSlack) -> None:
    assert _get(f"{fake.api_url}auth.test?token=xoxb-test", token=None)["ok"] is True


def test_form_body_with_json_string_blocks_is_decoded(fake: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*form*"}}]

    ts = client.api_call(
        "chat.postMessage",
        params={"channel": "C0DEPLOYS", "text": "form", "blocks": json.dumps(blocks)},
    )["ts"]

    assert fake.message("C0DEPLOYS", ts).blocks == blocks


def test_form_flags_are_read_as_booleans(fake: FakeSlack, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C0DEPLOYS", text="p")["ts"]

    client.api_call(
        "chat.postMessage",
        params={"channel": "C0DEPLOYS", "text": "r", "thread_ts": parent, "reply_broadcast": "1"},
    )

    assert [m.text for m in fake.messages("C0DEPLOYS")] == ["p", "r"]


def test_calls_record_method_params_time_and_status(fake: FakeSlack, client: WebClient) -> None:
    client.chat_postMessage(channel="C0DEPLOYS", text="hello")

    [call] = fake.calls("chat.postMessage")
    assert call.params == {"channel": "C0DEPLOYS", "text": "hello"}
    assert (call.status, call.error) == (200, None)
    assert call.time > 0


def test_context_manager_stops_the_server() -> None:
    with FakeSlack() as fake:
        url = fake.api_url
        assert _get(url + "auth.test")["ok"]

    with pytest.raises(urllib.error.URLError):
        _get(url + "auth.test")


def test_url_before_start_says_to_start_first() -> None:
    with pytest.raises(RuntimeError, match="call start"):
        _ = FakeSlack().api_url


def test_keep_alive_connection_serves_several_calls(fake: FakeSlack) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", fake.port)
    headers = {"Authorization": "Bearer xoxb-test", "Content-Type": "application/json"}
    sockets = []
    try:
        answers = []
        for text in ("one", "two"):
            connection.request(
                "POST",
                "/api/chat.postMessage",
                json.dumps({"channel": "C0DEPLOYS", "text": text}),
                headers,
            )
            answers.append(json.loads(connection.getresponse().read()))
            sockets.append(connection.sock)
    finally:
        connection.close()

    assert [a["ok"] for a in answers] == [True, True]
    assert sockets[0] is not None and sockets[0] is sockets[1]
    assert [m.text for m in fake.messages("C0DEPLOYS")] == ["one", "two"]


def test_concurrent_posts_get_distinct_increasing_ts(fake: FakeSlack, client: WebClient) -> None:
    def post_many(worker: int) -> list[str]:
        return [
            client.chat_postMessage(channel="C0DEPLOYS", text=f"{worker}-{i}")["ts"]
            for i in range(15)
        ]

    with ThreadPoolExecutor(max_workers=8) as pool:
        stamps = [ts for batch in pool.map(post_many, range(8)) for ts in batch]

    assert len(set(stamps)) == 120
    channel_order = [m.ts for m in fake.messages("C0DEPLOYS")]
    assert channel_order == sorted(stamps, key=float)


def test_a_bug_in_the_fake_is_a_loud_500(
    fake: FakeSlack,
    client: WebClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def explode(state: object, params: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setitem(METHODS, "auth.test", explode)

    with pytest.raises(SlackApiError) as info:
        client.auth_test()

    assert info.value.response.status_code == 500
    assert info.value.response["error"] == "fake_slack_bug"
    assert "ZeroDivisionError" in caplog.text
