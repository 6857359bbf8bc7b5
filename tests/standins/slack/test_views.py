"""views.open/push/update/publish through a real WebClient: triggers, stack, hash, Home tabs.

Errors and limits as the methods' reference pages list them (standins/slack/VIEW_RULES.md).
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from standins.slack import FakeSlack
from standins.slack.triggers import new_trigger_id


def text_input(block_id: str, action_id: str = "text", **element: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": block_id},
        "element": {"type": "plain_text_input", "action_id": action_id, **element},
    }


def modal(*blocks: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "form",
        "title": {"type": "plain_text", "text": "Run a task"},
        "submit": {"type": "plain_text", "text": "Run"},
        "blocks": list(blocks) or [text_input("reason")],
        **fields,
    }


def home(text: str = "Nothing waits for you") -> dict[str, Any]:
    return {
        "type": "home",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }


def error_of(call: Any) -> str:
    with pytest.raises(SlackApiError) as info:
        call()
    return str(info.value.response["error"])


def test_views_open_records_whose_modal_it_is(fake: FakeSlack, client: WebClient) -> None:
    trigger = fake.new_trigger_id(user="U0ALICE", channel="C0DEPLOYS")

    opened = client.views_open(trigger_id=trigger, view=modal())["view"]

    [view] = fake.views()
    assert (view.id, view.user, view.channel, view.callback_id) == (
        opened["id"],
        "U0ALICE",
        "C0DEPLOYS",
        "form",
    )
    assert opened["root_view_id"] == opened["id"] and opened["previous_view_id"] is None
    assert opened["state"] == {"values": {}}


def test_a_trigger_opens_one_view_only(client: WebClient) -> None:
    trigger = new_trigger_id()
    client.views_open(trigger_id=trigger, view=modal())

    assert error_of(lambda: client.views_open(trigger_id=trigger, view=modal())) == (
        "exchanged_trigger_id"
    )


def test_a_trigger_older_than_three_seconds_has_expired(client: WebClient) -> None:
    stale = new_trigger_id(issued_at=time.time() - 3.5)
    fresh = new_trigger_id(issued_at=time.time() - 2.0)

    assert error_of(lambda: client.views_open(trigger_id=stale, view=modal())) == (
        "expired_trigger_id"
    )
    assert client.views_open(trigger_id=fresh, view=modal())["ok"]


def test_expiry_follows_the_wall_clock_the_fake_is_given() -> None:
    now = [1_900_000_000.0]
    with FakeSlack(rate_limits=False, wall_clock=lambda: now[0]) as fake:
        client = WebClient(token="xoxb-test", base_url=fake.api_url)
        trigger = fake.new_trigger_id(user="U0ALICE")
        now[0] += 3.01

        assert error_of(lambda: client.views_open(trigger_id=trigger, view=modal())) == (
            "expired_trigger_id"
        )


def test_a_trigger_not_shaped_like_slacks_is_invalid(client: WebClient) -> None:
    assert error_of(lambda: client.views_open(trigger_id="t-1", view=modal())) == (
        "invalid_trigger_id"
    )


def test_an_invalid_view_spends_no_trigger(client: WebClient) -> None:
    trigger = new_trigger_id()
    long_title = modal(title={"type": "plain_text", "text": "x" * 25})

    with pytest.raises(SlackApiError) as info:
        client.views_open(trigger_id=trigger, view=long_title)

    assert info.value.response["error"] == "invalid_arguments"
    assert (
        "must be less than 25 characters [json-pointer:/view/title/text]"
        in (info.value.response["response_metadata"]["messages"])
    )
    assert client.views_open(trigger_id=trigger, view=modal())["ok"]


def test_update_checks_the_hash_and_keeps_every_version(fake: FakeSlack, client: WebClient) -> None:
    opened = client.views_open(trigger_id=new_trigger_id(), view=modal())["view"]
    changed = modal(title={"type": "plain_text", "text": "Rejected"})

    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=changed)["view"]

    assert updated["hash"] != opened["hash"]
    assert error_of(
        lambda: client.views_update(view_id=opened["id"], hash=opened["hash"], view=changed)
    ) == ("hash_conflict")
    assert [v["title"]["text"] for v in fake.view(opened["id"]).versions] == [
        "Run a task",
        "Rejected",
    ]


def test_update_by_external_id(fake: FakeSlack, client: WebClient) -> None:
    opened = client.views_open(trigger_id=new_trigger_id(), view=modal(external_id="run-42"))
    client.views_update(external_id="run-42", view=modal(text_input("why"), external_id="run-42"))

    assert fake.view(opened["view"]["id"]).blocks[0]["block_id"] == "why"
    assert error_of(lambda: client.views_update(external_id="nope", view=modal())) == "not_found"


def test_external_ids_are_unique_across_views(client: WebClient) -> None:
    client.views_open(trigger_id=new_trigger_id(), view=modal(external_id="run-42"))

    assert error_of(
        lambda: client.views_open(trigger_id=new_trigger_id(), view=modal(external_id="run-42"))
    ) == ("duplicate_external_id")


def test_update_keeps_what_was_entered_where_block_and_action_ids_stay(
    fake: FakeSlack, client: WebClient
) -> None:
    """Modal views reference: "Preserving input entry in views"."""
    first = modal(text_input("kept", initial_value="a"), text_input("renamed", initial_value="b"))
    view_id = client.views_open(trigger_id=fake.new_trigger_id(user="U0ALICE"), view=first)["view"][
        "id"
    ]
    fake.fill(view_id, "kept", "text", "typed")
    fake.fill(view_id, "renamed", "text", "typed too")
    second = modal(
        text_input("kept", initial_value="new default"),
        text_input("renamed", "other_action", initial_value="fresh"),
    )

    client.views_update(view_id=view_id, view=second)

    values = fake.view(view_id).values
    assert values["kept"]["text"]["value"] == "typed"
    assert values["renamed"]["other_action"]["value"] == "fresh"


def test_blocks_without_ids_get_generated_ones_that_change_each_version(
    fake: FakeSlack, client: WebClient
) -> None:
    anonymous = {
        "type": "input",
        "label": {"type": "plain_text", "text": "Why?"},
        "element": {"type": "plain_text_input"},
    }
    view_id = client.views_open(trigger_id=new_trigger_id(), view=modal(anonymous))["view"]["id"]
    client.views_update(view_id=view_id, view=modal(anonymous))

    first, second = (v["blocks"][0] for v in fake.view(view_id).versions)
    assert first["block_id"] and first["element"]["action_id"]
    assert first["block_id"] != second["block_id"]


def test_push_stacks_at_most_three_views(fake: FakeSlack, client: WebClient) -> None:
    root = client.views_open(trigger_id=fake.new_trigger_id(user="U0ALICE"), view=modal())["view"]
    second = client.views_push(
        trigger_id=fake.new_trigger_id(user="U0ALICE", view_id=root["id"]), view=modal()
    )["view"]
    third = client.views_push(
        trigger_id=fake.new_trigger_id(user="U0ALICE", view_id=second["id"]), view=modal()
    )["view"]

    assert (third["root_view_id"], third["previous_view_id"]) == (root["id"], second["id"])
    assert error_of(
        lambda: client.views_push(
            trigger_id=fake.new_trigger_id(user="U0ALICE", view_id=third["id"]), view=modal()
        )
    ) == ("push_limit_reached")
    assert fake.open_modal("U0ALICE").id == third["id"]  # type: ignore[union-attr]


def test_push_needs_a_trigger_from_inside_an_open_modal(client: WebClient) -> None:
    assert error_of(lambda: client.views_push(trigger_id=new_trigger_id(), view=modal())) == (
        "not_found"
    )


def test_closed_views_cannot_be_updated(fake: FakeSlack, client: WebClient) -> None:
    opened = client.views_open(trigger_id=fake.new_trigger_id(user="U0BOB"), view=modal())["view"]
    fake.close(opened["id"])

    assert error_of(lambda: client.views_update(view_id=opened["id"], view=modal())) == (
        "not_found"
    )


def test_publish_keeps_one_home_view_per_user(fake: FakeSlack, client: WebClient) -> None:
    first = client.views_publish(user_id="U0ALICE", view=home("one"))["view"]
    again = client.views_publish(user_id="U0ALICE", view=home("two"), hash=first["hash"])["view"]
    bob = client.views_publish(user_id="U0BOB", view=home("bob's"))["view"]

    assert again["id"] == first["id"] != bob["id"]
    alice = fake.home("U0ALICE")
    assert alice is not None and alice.kind == "home"
    assert [v["blocks"][0]["text"]["text"] for v in alice.versions] == ["one", "two"]
    assert fake.home("U0CAROL") is None
    assert fake.views() == []  # Home tabs are not modals


def test_publish_checks_the_hash_the_user_and_the_view_type(client: WebClient) -> None:
    first = client.views_publish(user_id="U0ALICE", view=home())["view"]
    client.views_publish(user_id="U0ALICE", view=home("newer"))

    assert error_of(
        lambda: client.views_publish(user_id="U0ALICE", view=home(), hash=first["hash"])
    ) == ("hash_conflict")
    assert error_of(lambda: client.views_publish(user_id="U0GHOST", view=home())) == (
        "invalid_arguments"
    )
    assert error_of(lambda: client.views_publish(user_id="U0ALICE", view=modal())) == (
        "invalid_arguments"
    )


def test_views_update_reaches_a_home_view_too(fake: FakeSlack, client: WebClient) -> None:
    published = client.views_publish(user_id="U0ALICE", view=home("one"))["view"]

    client.views_update(view_id=published["id"], view=home("two"))

    assert fake.home("U0ALICE").view["blocks"][0]["text"]["text"] == "two"  # type: ignore[union-attr]


def test_observers_hear_views_open_update_and_publish(fake: FakeSlack, client: WebClient) -> None:
    heard: list[tuple[str, str | None]] = []
    fake.subscribe(lambda event: heard.append((event.kind, event.view_id)))
    view_id = client.views_open(trigger_id=new_trigger_id(), view=modal())["view"]["id"]
    client.views_update(view_id=view_id, view=modal())
    home_id = client.views_publish(user_id="U0ALICE", view=home())["view"]["id"]

    assert heard == [
        ("view_opened", view_id),
        ("view_updated", view_id),
        ("home_published", home_id),
    ]


def test_a_view_over_250_kb_is_view_too_large(client: WebClient) -> None:
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3000}}
    big = modal(*[section] * 90)  # 90 × 3,000 characters: valid block by block, too big in all

    assert error_of(lambda: client.views_open(trigger_id=new_trigger_id(), view=big)) == (
        "view_too_large"
    )
