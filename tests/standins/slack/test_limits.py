"""Slack's Block Kit and text limits, enforced by the fake as Slack would."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from standins.slack import FakeSlack
from standins.slack.limits import block_errors


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def actions(**button: Any) -> dict[str, Any]:
    base = {"type": "button", "text": {"type": "plain_text", "text": "Approve"}, "action_id": "a"}
    return {"type": "actions", "elements": [{**base, **button}]}


def test_fifty_one_blocks_surface_as_invalid_blocks(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel="C0DEPLOYS", text="big", blocks=[section("x")] * 51)

    assert info.value.response["error"] == "invalid_blocks"
    assert "no more than 50 items allowed [json-pointer:/blocks]" in info.value.response["errors"]
    assert fake.messages("C0DEPLOYS") == []


def test_fifty_blocks_are_fine(client: WebClient) -> None:
    blocks = [{"type": "divider"}] * 49 + [section("x")]

    assert client.chat_postMessage(channel="C0DEPLOYS", text="ok", blocks=blocks)["ok"]


OVER_LIMIT = {
    "section text over 3000": section("x" * 3001),
    "header over 150": {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}},
    "button text over 75": actions(text={"type": "plain_text", "text": "b" * 76}),
    "button value over 2000": actions(value="v" * 2001),
    "action_id over 255": actions(action_id="a" * 256),
    "block_id over 255": {**section("x"), "block_id": "b" * 256},
    "header in mrkdwn": {"type": "header", "text": {"type": "mrkdwn", "text": "*h*"}},
    "empty section": {"type": "section"},
    "unknown block type": {"type": "carousel"},
}


@pytest.mark.parametrize("block", OVER_LIMIT.values(), ids=OVER_LIMIT.keys())
def test_block_over_a_limit_is_invalid_blocks(client: WebClient, block: dict[str, Any]) -> None:
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel="C0DEPLOYS", text="t", blocks=[block])

    assert info.value.response["error"] == "invalid_blocks"
    assert "json-pointer:/blocks/0" in info.value.response["errors"][0]


AT_LIMIT = {
    "section text of 3000": section("x" * 3000),
    "header of 150": {"type": "header", "text": {"type": "plain_text", "text": "h" * 150}},
    "button text of 75": actions(text={"type": "plain_text", "text": "b" * 75}),
    "button value of 2000": actions(value="v" * 2000),
    "ids of 255": {**actions(action_id="a" * 255), "block_id": "b" * 255},
}


@pytest.mark.parametrize("block", AT_LIMIT.values(), ids=AT_LIMIT.keys())
def test_block_at_a_limit_is_accepted(block: dict[str, Any]) -> None:
    assert block_errors([block]) == []


def test_duplicate_block_ids_are_rejected() -> None:
    errors = block_errors([{**section("a"), "block_id": "s"}, {**section("b"), "block_id": "s"}])

    assert errors == ["duplicate block_id [json-pointer:/blocks/1/block_id]"]


def test_invalid_update_leaves_the_message_unchanged(fake: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C0DEPLOYS", text="card", blocks=[section("ok")])["ts"]

    with pytest.raises(SlackApiError):
        client.chat_update(channel="C0DEPLOYS", ts=ts, text="card", blocks=[section("x" * 3001)])

    assert len(fake.message("C0DEPLOYS", ts).versions) == 1


def test_text_over_40000_chars_is_truncated_and_noted(fake: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C0DEPLOYS", text="y" * 40_001)["ts"]

    message = fake.message("C0DEPLOYS", ts)
    assert len(message.text) == 40_000
    assert message.truncated is True
    assert fake.truncated_texts == 1


def test_neither_text_nor_blocks_is_no_text(client: WebClient) -> None:
    with pytest.warns(UserWarning, match="top-level `text`"), pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel="C0DEPLOYS")

    assert info.value.response["error"] == "no_text"


def test_blocks_without_fallback_text_are_accepted_but_counted(
    fake: FakeSlack, client: WebClient
) -> None:
    with pytest.warns(UserWarning, match="top-level `text`"):
        client.chat_postMessage(channel="C0DEPLOYS", blocks=[section("no fallback")])

    assert fake.missing_fallback_text == 1
    assert len(fake.messages("C0DEPLOYS")) == 1
