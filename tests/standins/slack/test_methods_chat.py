"""chat.* through a real WebClient: posts, threads, edits, ephemerals, deletes."""

from __future__ import annotations

import re

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from standins.slack import FakeSlack

CARD = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Deploy* production"}}]
META = {"event_type": "pe_job", "event_payload": {"job_id": "42", "state": "running"}}


def test_post_message_returns_real_looking_increasing_ts(
    fake: FakeSlack, client: WebClient
) -> None:
    first = client.chat_postMessage(channel="C0DEPLOYS", text="one")
    second = client.chat_postMessage(channel="C0DEPLOYS", text="two")

    assert first["ts"] == "1700000000.000100"
    assert re.fullmatch(r"\d{10}\.\d{6}", second["ts"])
    assert float(second["ts"]) > float(first["ts"])
    assert first["channel"] == "C0DEPLOYS"
    assert [m.text for m in fake.messages("C0DEPLOYS")] == ["one", "two"]


def test_post_message_records_blocks_and_metadata(fake: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C0DEPLOYS", text="Deploy", blocks=CARD, metadata=META)[
        "ts"
    ]

    message = fake.message("C0DEPLOYS", ts)
    assert message.blocks == CARD
    assert message.metadata == META
    assert message.user == "U0BOT"
    assert message.thread_ts is None


def test_post_message_accepts_a_channel_name(fake: FakeSlack, client: WebClient) -> None:
    response = client.chat_postMessage(channel="#deploys", text="by name")

    assert response["channel"] == "C0DEPLOYS"


@pytest.mark.parametrize(
    ("channel", "error"),
    [
        ("C0OUTSIDE", "not_in_channel"),
        ("C0ARCHIVE", "is_archived"),
        ("C0NOSUCH", "channel_not_found"),
    ],
)
def test_post_message_refuses_channels_like_slack(
    fake: FakeSlack, client: WebClient, channel: str, error: str
) -> None:
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel=channel, text="hello")

    assert info.value.response["error"] == error
    assert fake.messages(channel) == []
    assert fake.calls("chat.postMessage")[-1].error == error


def test_thread_replies_follow_their_parent_in_order(fake: FakeSlack, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C0DEPLOYS", text="parent")["ts"]
    first = client.chat_postMessage(channel="C0DEPLOYS", text="first", thread_ts=parent)["ts"]
    # Replying to a reply lands in the same thread, as in Slack.
    client.chat_postMessage(channel="C0DEPLOYS", text="second", thread_ts=first)

    thread = fake.thread("C0DEPLOYS", parent)
    assert [m.text for m in thread] == ["parent", "first", "second"]
    assert all(m.thread_ts == parent for m in thread)
    assert [m.is_reply for m in thread] == [False, True, True]
    assert [m.text for m in fake.messages("C0DEPLOYS")] == ["parent"]


def test_broadcast_reply_also_shows_in_the_channel(fake: FakeSlack, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C0DEPLOYS", text="parent")["ts"]
    client.chat_postMessage(
        channel="C0DEPLOYS", text="done", thread_ts=parent, reply_broadcast=True
    )

    channel_view = fake.messages("C0DEPLOYS")
    assert [m.text for m in channel_view] == ["parent", "done"]
    assert channel_view[1].reply_broadcast is True


def test_reply_to_unknown_thread_is_accepted_but_warned(fake: FakeSlack, client: WebClient) -> None:
    client.chat_postMessage(channel="C0DEPLOYS", text="orphan", thread_ts="1600000000.000100")

    assert fake.messages("C0DEPLOYS") == []
    assert any("matches no message" in w for w in fake.warnings())


def test_update_keeps_every_version_of_a_status_card(fake: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C0DEPLOYS", text="queued", blocks=CARD, metadata=META)[
        "ts"
    ]
    client.chat_update(channel="C0DEPLOYS", ts=ts, text="running")
    done = [{"type": "section", "text": {"type": "mrkdwn", "text": ":white_check_mark: done"}}]
    client.chat_update(channel="C0DEPLOYS", ts=ts, text="finished", blocks=done)

    message = fake.message("C0DEPLOYS", ts)
    assert [v.text for v in message.versions] == ["queued", "running", "finished"]
    assert [v.source for v in message.versions] == [
        "chat.postMessage",
        "chat.update",
        "chat.update",
    ]
    # Slack keeps blocks and metadata an update leaves out.
    assert message.versions[1].blocks == CARD
    assert message.blocks == done
    assert message.metadata == META


def test_update_with_empty_blocks_removes_them(fake: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C0DEPLOYS", text="card", blocks=CARD)["ts"]
    client.chat_update(channel="C0DEPLOYS", ts=ts, text="plain", blocks=[])

    assert not fake.message("C0DEPLOYS", ts).blocks


def test_update_of_unknown_ts_is_message_not_found(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        client.chat_update(channel="C0DEPLOYS", ts="1700000000.999999", text="x")

    assert info.value.response["error"] == "message_not_found"


def test_update_of_a_persons_message_is_refused(fake: FakeSlack, client: WebClient) -> None:
    ts = fake.add_message("C0DEPLOYS", "hello bot", user="U0ALICE")

    with pytest.raises(SlackApiError) as info:
        client.chat_update(channel="C0DEPLOYS", ts=ts, text="edited")

    assert info.value.response["error"] == "cant_update_message"
    assert fake.message("C0DEPLOYS", ts).text == "hello bot"


def test_delete_hides_the_message_but_keeps_its_record(fake: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C0DEPLOYS", text="oops")["ts"]
    client.chat_delete(channel="C0DEPLOYS", ts=ts)

    assert fake.messages("C0DEPLOYS") == []
    assert fake.message("C0DEPLOYS", ts).deleted is True
    with pytest.raises(SlackApiError) as info:
        client.chat_delete(channel="C0DEPLOYS", ts=ts)
    assert info.value.response["error"] == "message_not_found"


def test_ephemeral_is_recorded_for_its_user_only(fake: FakeSlack, client: WebClient) -> None:
    response = client.chat_postEphemeral(channel="C0DEPLOYS", user="U0BOB", text="only you")

    assert response["message_ts"]
    assert [e.text for e in fake.ephemerals("U0BOB")] == ["only you"]
    assert fake.ephemerals("U0ALICE") == []
    assert fake.messages("C0DEPLOYS") == []


def test_ephemeral_to_unknown_user_is_user_not_found(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        client.chat_postEphemeral(channel="C0DEPLOYS", user="U0NOBODY", text="hi")

    assert info.value.response["error"] == "user_not_found"


def test_malformed_metadata_is_invalid_metadata_format(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel="C0DEPLOYS", text="x", metadata={"event_type": "e"})

    assert info.value.response["error"] == "invalid_metadata_format"
