"""Slack's view and input rules (standins/slack/VIEW_RULES.md), each broken once and kept once."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from standins.slack.limits import block_errors
from standins.slack.triggers import new_trigger_id
from standins.slack.view_limits import options_answer_errors, view_errors


def plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def option(value: str, text: str | None = None) -> dict[str, Any]:
    return {"text": plain(text or value), "value": value}


def field(element: dict[str, Any], **block: Any) -> dict[str, Any]:
    return {"type": "input", "block_id": "f", "label": plain("Field"), "element": element, **block}


def modal(*blocks: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": plain("Form"),
        "submit": plain("Go"),
        "blocks": list(blocks),
        **fields,
    }


TEXT = {"type": "plain_text_input", "action_id": "t"}
SELECT = {"type": "static_select", "action_id": "s", "options": [option("a"), option("b")]}

BROKEN: dict[str, tuple[dict[str, Any], str]] = {
    "101 blocks": (modal(*[{"type": "divider"}] * 101), "no more than 100 items allowed"),
    "title over 24": (modal(title=plain("x" * 25)), "/view/title/text"),
    "submit over 24": (modal(submit=plain("x" * 25)), "/view/submit/text"),
    "close over 24": (modal(close=plain("x" * 25)), "/view/close/text"),
    "mrkdwn title": (modal(title={"type": "mrkdwn", "text": "x"}), "/view/title/type"),
    "private_metadata over 3000": (modal(private_metadata="x" * 3001), "private_metadata"),
    "callback_id over 255": (modal(callback_id="x" * 256), "/view/callback_id"),
    "external_id over 255": (modal(external_id="x" * 256), "/view/external_id"),
    "inputs without submit": (
        {"type": "modal", "title": plain("Form"), "blocks": [field(TEXT)]},
        "submit is required",
    ),
    "input without label": (
        modal({"type": "input", "block_id": "f", "element": TEXT}),
        "/view/blocks/0/label",
    ),
    "input without element": (
        modal({"type": "input", "block_id": "f", "label": plain("x")}),
        "missing required field: element",
    ),
    "button in an input": (
        modal(field({"type": "button", "text": plain("x"), "action_id": "b"})),
        "unsupported type: button",
    ),
    "label over 2000": (modal({**field(TEXT), "label": plain("x" * 2001)}), "/label/text"),
    "hint over 2000": (modal(field(TEXT, hint=plain("x" * 2001))), "/hint/text"),
    "dispatch_action on a section": (
        modal({"type": "section", "text": plain("x"), "dispatch_action": True}),
        "unsupported field: dispatch_action",
    ),
    "dispatch_action on a file input": (
        modal(field({"type": "file_input", "action_id": "f"}, dispatch_action=True)),
        "file_input with dispatch_action",
    ),
    "duplicate block_id": (modal(field(TEXT), field(TEXT)), "duplicate block_id"),
    "duplicate action_id in a block": (
        modal(
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "text": plain("a"), "action_id": "x"},
                    {"type": "button", "text": plain("b"), "action_id": "x"},
                ],
            }
        ),
        "duplicate action_id",
    ),
    "101 select options": (
        modal(field({**SELECT, "options": [option(str(i)) for i in range(101)]})),
        "/element/options",
    ),
    "option text over 75": (
        modal(field({**SELECT, "options": [option("a", "x" * 76)]})),
        "/options/0/text/text",
    ),
    "option value over 150": (
        modal(field({**SELECT, "options": [option("x" * 151, "a")]})),
        "/options/0/value",
    ),
    "options and option_groups": (
        modal(
            field({**SELECT, "option_groups": [{"label": plain("g"), "options": [option("c")]}]})
        ),
        "either options or option_groups",
    ),
    "duplicate option values": (
        modal(field({**SELECT, "options": [option("a"), option("a", "other")]})),
        "duplicate option value",
    ),
    "initial option not among options": (
        modal(field({**SELECT, "initial_option": option("z")})),
        "initial option must match",
    ),
    "11 checkboxes": (
        modal(
            field(
                {
                    "type": "checkboxes",
                    "action_id": "c",
                    "options": [option(str(i)) for i in range(11)],
                }
            )
        ),
        "no more than 10 items",
    ),
    "11 radio buttons": (
        modal(
            field(
                {
                    "type": "radio_buttons",
                    "action_id": "r",
                    "options": [option(str(i)) for i in range(11)],
                }
            )
        ),
        "no more than 10 items",
    ),
    "negative min_query_length": (
        modal(field({"type": "external_select", "action_id": "e", "min_query_length": -1})),
        "min_query_length",
    ),
    "max_length over 3000": (modal(field({**TEXT, "max_length": 3001})), "/element/max_length"),
    "min_length above max_length": (
        modal(field({**TEXT, "min_length": 5, "max_length": 4})),
        "min_length cannot be more than max_length",
    ),
    "number input without is_decimal_allowed": (
        modal(field({"type": "number_input", "action_id": "n"})),
        "is_decimal_allowed",
    ),
    "decimal bound on a whole-number input": (
        modal(
            field(
                {
                    "type": "number_input",
                    "action_id": "n",
                    "is_decimal_allowed": False,
                    "min_value": "0.5",
                }
            )
        ),
        "must be a whole number",
    ),
    "min_value above max_value": (
        modal(
            field(
                {
                    "type": "number_input",
                    "action_id": "n",
                    "is_decimal_allowed": True,
                    "min_value": "5",
                    "max_value": "1",
                }
            )  # fmt: skip
        ),
        "min_value cannot be greater than max_value",
    ),
    "bad dispatch config": (
        modal(field({**TEXT, "dispatch_action_config": {"trigger_actions_on": ["on_blur"]}})),
        "trigger_actions_on",
    ),
    "empty conversation filter": (
        modal(field({"type": "conversations_select", "action_id": "c", "filter": {"include": []}})),
        "/filter/include",
    ),
    "response_url_enabled outside an input": (
        modal(
            {
                "type": "section",
                "text": plain("x"),
                "accessory": {
                    "type": "conversations_select",
                    "action_id": "c",
                    "response_url_enabled": True,
                },
            }
        ),
        "response_url_enabled works only in input blocks",
    ),
    "two focus_on_load": (
        modal(
            {**field({**TEXT, "focus_on_load": True}), "block_id": "a"},
            {**field({**TEXT, "focus_on_load": True}), "block_id": "b"},
        ),
        "only one element can set focus_on_load",
    ),
    "datepicker initial_date": (
        modal(field({"type": "datepicker", "action_id": "d", "initial_date": "02/06/2025"})),
        "YYYY-MM-DD",
    ),
    "zero max_selected_items": (
        modal(field({**SELECT, "type": "multi_static_select", "max_selected_items": 0})),
        "max_selected_items",
    ),
}


@pytest.mark.parametrize("view, expected", BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_rule_is_named(view: dict[str, Any], expected: str) -> None:
    errors = view_errors(view)

    assert any(expected in e for e in errors), errors


KEPT: dict[str, dict[str, Any]] = {
    "100 blocks": modal(*[{"type": "divider"}] * 100),
    "24-character titles": modal(
        title=plain("x" * 24), submit=plain("y" * 24), close=plain("z" * 24)
    ),
    "3000 characters of metadata": modal(private_metadata="x" * 3000),
    "100 options": modal(field({**SELECT, "options": [option(str(i)) for i in range(100)]})),
    "option groups": modal(
        field(
            {
                "type": "static_select",
                "action_id": "s",
                "option_groups": [{"label": plain("g"), "options": [option("a")]}],
            }
        )  # fmt: skip
    ),
    "10 checkboxes with mrkdwn": modal(
        field(
            {
                "type": "checkboxes",
                "action_id": "c",
                "options": [
                    {"text": {"type": "mrkdwn", "text": f"*{i}*"}, "value": str(i)}
                    for i in range(10)
                ],
            }
        )
    ),
    "an initial option among the options": modal(field({**SELECT, "initial_option": option("b")})),
    "number input with bounds": modal(
        field(
            {
                "type": "number_input",
                "action_id": "n",
                "is_decimal_allowed": False,
                "min_value": "1",
                "max_value": "10",
                "initial_value": "3",
            }
        )  # fmt: skip
    ),
    "dispatching input": modal(field(TEXT, dispatch_action=True, optional=True, hint=plain("h"))),
    "a conversation select for the response URL": modal(
        field(
            {
                "type": "conversations_select",
                "action_id": "c",
                "response_url_enabled": True,
                "default_to_current_conversation": True,
                "filter": {"include": ["public", "private"], "exclude_bot_users": True},
            }
        )  # fmt: skip
    ),
    "a home tab with input and buttons": {
        "type": "home",
        "blocks": [
            field(TEXT),
            {
                "type": "actions",
                "elements": [{"type": "button", "text": plain("a"), "action_id": "a"}],
            },
        ],
    },
}


@pytest.mark.parametrize("view", KEPT.values(), ids=KEPT.keys())
def test_a_view_within_the_rules_is_valid(view: dict[str, Any]) -> None:
    assert view_errors(view) == []


def test_messages_get_the_element_rules_too() -> None:
    crowded = {
        "type": "actions",
        "elements": [{**SELECT, "options": [option(str(i)) for i in range(101)]}],
    }

    assert any("no more than 100 items" in e for e in block_errors([crowded]))


def test_the_fake_answers_a_broken_view_with_invalid_arguments(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        client.views_open(trigger_id=new_trigger_id(), view=BROKEN["101 select options"][0])

    assert info.value.response["error"] == "invalid_arguments"
    assert any("options" in m for m in info.value.response["response_metadata"]["messages"])


def test_a_type_ahead_answer_is_at_most_100_options_or_groups() -> None:
    hundred = {"options": [option(str(i)) for i in range(100)]}
    groups = {"option_groups": [{"label": plain("g"), "options": [option("a")]}]}

    assert options_answer_errors(hundred) == []
    assert options_answer_errors(groups) == []
    assert options_answer_errors({"options": []}) == []
    assert options_answer_errors({"options": hundred["options"] + [option("x")]})
    assert options_answer_errors({"nothing": 1})
