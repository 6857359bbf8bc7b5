"""Reading methods and auth.test through a real WebClient (views.*: test_views.py)."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from standins.slack import FakeSlack

META = {"event_type": "pe_job", "event_payload": {"job_id": "7"}}


def test_auth_test_names_the_bot(client: WebClient) -> None:
    response = client.auth_test()

    assert (response["user_id"], response["bot_id"], response["team_id"]) == (
        "U0BOT",
        "B0BOT",
        "T0TEAM",
    )


def test_replies_return_parent_then_replies_with_metadata(
    fake: FakeSlack, client: WebClient
) -> None:
    parent = client.chat_postMessage(channel="C0DEPLOYS", text="job 7", metadata=META)["ts"]
    client.chat_postMessage(channel="C0DEPLOYS", text="step 1", thread_ts=parent)
    client.chat_postMessage(channel="C0DEPLOYS", text="step 2", thread_ts=parent)

    with_meta = client.conversations_replies(
        channel="C0DEPLOYS", ts=parent, include_all_metadata=True
    )
    without = client.conversations_replies(channel="C0DEPLOYS", ts=parent)

    assert [m["text"] for m in with_meta["messages"]] == ["job 7", "step 1", "step 2"]
    assert with_meta["messages"][0]["metadata"] == META
    assert with_meta["messages"][0]["reply_count"] == 2
    assert "metadata" not in without["messages"][0]


def test_replies_of_unknown_ts_is_thread_not_found(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        client.conversations_replies(channel="C0DEPLOYS", ts="1700000000.555555")

    assert info.value.response["error"] == "thread_not_found"


def test_history_is_newest_first_and_honours_oldest_and_limit(client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel="C0DEPLOYS", text=f"m{i}")["ts"] for i in range(4)]
    client.chat_postMessage(channel="C0DEPLOYS", text="in thread", thread_ts=stamps[0])

    everything = client.conversations_history(channel="C0DEPLOYS")
    newer = client.conversations_history(channel="C0DEPLOYS", oldest=stamps[1], limit=1)

    assert [m["text"] for m in everything["messages"]] == ["m3", "m2", "m1", "m0"]
    assert [m["text"] for m in newer["messages"]] == ["m3"]
    assert newer["has_more"] is True
    assert newer["response_metadata"]["next_cursor"]


def test_history_pages_with_the_cursor(client: WebClient) -> None:
    for i in range(3):
        client.chat_postMessage(channel="C0DEPLOYS", text=f"m{i}")

    first = client.conversations_history(channel="C0DEPLOYS", limit=2)
    cursor = first["response_metadata"]["next_cursor"]
    rest = client.conversations_history(channel="C0DEPLOYS", limit=2, cursor=cursor)

    assert [m["text"] for m in first["messages"] + rest["messages"]] == ["m2", "m1", "m0"]
    assert rest["has_more"] is False


def test_history_includes_metadata_only_when_asked(client: WebClient) -> None:
    client.chat_postMessage(channel="C0DEPLOYS", text="card", metadata=META)

    asked = client.conversations_history(channel="C0DEPLOYS", include_all_metadata=True)
    plain = client.conversations_history(channel="C0DEPLOYS")

    assert asked["messages"][0]["metadata"] == META
    assert "metadata" not in plain["messages"][0]


def test_history_of_channel_without_the_bot_is_not_in_channel(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        client.conversations_history(channel="C0OUTSIDE")

    assert info.value.response["error"] == "not_in_channel"


def test_conversations_info_describes_the_channel(client: WebClient) -> None:
    info = client.conversations_info(channel="C0ARCHIVE")["channel"]

    assert info["name"] == "old-deploys"
    assert info["is_archived"] is True
    assert info["is_member"] is True


def test_usergroup_members_are_listed(fake: FakeSlack, client: WebClient) -> None:
    fake.add_usergroup("S0OPS", "ops", ["U0CAROL"])

    assert client.usergroups_users_list(usergroup="S0APPROVERS")["users"] == ["U0ALICE", "U0BOB"]
    assert client.usergroups_users_list(usergroup="S0OPS")["users"] == ["U0CAROL"]
    with pytest.raises(SlackApiError) as info:
        client.usergroups_users_list(usergroup="S0NONE")
    assert info.value.response["error"] == "no_such_subteam"


def test_users_info_knows_people_and_the_bot(client: WebClient) -> None:
    alice = client.users_info(user="U0ALICE")["user"]
    bot = client.users_info(user="U0BOT")["user"]

    assert (alice["name"], alice["real_name"], alice["is_bot"]) == ("alice", "Alice Admin", False)
    assert bot["is_bot"] is True
    with pytest.raises(SlackApiError) as info:
        client.users_info(user="U0GHOST")
    assert info.value.response["error"] == "user_not_found"
