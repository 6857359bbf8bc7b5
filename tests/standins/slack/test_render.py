"""render_blocks: Block Kit as the terminal demo prints it."""

from __future__ import annotations

from standins.slack.render import DIVIDER, render_blocks, render_mrkdwn

APPROVAL_CARD = [
    {"type": "header", "text": {"type": "plain_text", "text": "Deploy production?"}},
    {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "*<@U0ALICE>* wants to deploy `production`"},
        "fields": [
            {"type": "mrkdwn", "text": "*Environment*\nproduction"},
            {"type": "mrkdwn", "text": "*Nodes*\n12"},
        ],
    },
    {"type": "divider"},
    {
        "type": "context",
        "elements": [
            {"type": "mrkdwn", "text": "Job <https://pe.example/jobs/42|#42>"},
            {"type": "mrkdwn", "text": "expires in 30 min"},
        ],
    },
    {
        "type": "actions",
        "block_id": "approval",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Approve"},
                "style": "primary",
            },
            {"type": "button", "text": {"type": "plain_text", "text": "Reject"}, "style": "danger"},
        ],
    },
]


def test_sample_approval_card_renders_as_readable_text() -> None:
    rendered = render_blocks("fallback", APPROVAL_CARD, users={"U0ALICE": "alice"})

    assert rendered.splitlines() == [
        "== Deploy production? ==",
        "*@alice* wants to deploy `production`",
        "*Environment*",
        "production",
        "*Nodes*",
        "12",
        DIVIDER,
        "  Job #42 (https://pe.example/jobs/42) · expires in 30 min",
        "[ Approve ] [ Reject ]",
    ]


def test_text_alone_is_rendered_when_there_are_no_blocks() -> None:
    assert render_blocks("plain *fallback*", None) == "plain *fallback*"
    assert render_blocks("also this", []) == "also this"


def test_user_mentions_fall_back_to_the_id_when_the_name_is_unknown() -> None:
    assert render_mrkdwn("hi <@U123> and <@U0BOB>", {"U0BOB": "bob"}) == "hi @U123 and @bob"


def test_links_channels_groups_and_specials_are_resolved() -> None:
    text = (
        "<https://x.example> <#C1|deploys> <!subteam^S1|@pe-approvers> <!here>"
        " <!date^1^{date}|Jan 1>"
    )

    assert render_mrkdwn(text) == "https://x.example #deploys @pe-approvers @here Jan 1"


def test_html_escapes_are_undone_outside_and_inside_links() -> None:
    text = "a &amp; b &lt;tag&gt; <https://x.example/?a=1&amp;b=2|q &amp; a>"

    assert render_mrkdwn(text) == "a & b <tag> q & a (https://x.example/?a=1&b=2)"


def test_minimal_rich_text_is_rendered() -> None:
    blocks = [
        {
            "type": "rich_text",
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [
                        {"type": "text", "text": "Ran by "},
                        {"type": "user", "user_id": "U0BOB"},
                        {"type": "emoji", "name": "rocket"},
                    ],
                },
                {
                    "type": "rich_text_list",
                    "elements": [
                        {
                            "type": "rich_text_section",
                            "elements": [{"type": "text", "text": "web01"}],
                        },
                        {
                            "type": "rich_text_section",
                            "elements": [{"type": "text", "text": "db01"}],
                        },
                    ],
                },
                {
                    "type": "rich_text_preformatted",
                    "elements": [{"type": "text", "text": "exit 0"}],
                },
            ],
        }
    ]

    assert render_blocks("", blocks, {"U0BOB": "bob"}).splitlines() == [
        "Ran by @bob:rocket:",
        "- web01",
        "- db01",
        "```",
        "exit 0",
        "```",
    ]


def test_section_accessory_and_selects_render_as_controls() -> None:
    blocks = [
        {
            "type": "section",
            "text": {"type": "plain_text", "text": "Pick an environment"},
            "accessory": {
                "type": "static_select",
                "action_id": "env",
                "placeholder": {"type": "plain_text", "text": "environment"},
            },
        }
    ]

    assert render_blocks("", blocks) == "Pick an environment\n[ environment v ]"


def test_a_form_renders_with_its_values_hints_and_errors() -> None:
    from standins.slack import render_view

    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Run a task"},
        "submit": {"type": "plain_text", "text": "Run"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {"type": "input", "block_id": "param:name",
             "label": {"type": "plain_text", "text": "name"},
             "hint": {"type": "plain_text", "text": "The package"},
             "element": {"type": "plain_text_input", "action_id": "v"}},
            {"type": "input", "block_id": "param:action", "optional": True,
             "label": {"type": "plain_text", "text": "action"},
             "element": {"type": "static_select", "action_id": "v",
                         "placeholder": {"type": "plain_text", "text": "Choose…"},
                         "options": [{"text": {"type": "plain_text", "text": "install"},
                                      "value": "install"}]}},
        ],
    }  # fmt: skip
    values = {"param:name": {"v": {"type": "plain_text_input", "value": "httpd"}}}

    shown = render_view(view, values, {"param:name": "Not that one."})

    assert shown.splitlines() == [
        "== Run a task ==",
        "[param:name] name *: httpd",
        "    (The package)",
        "    ! Not that one.",
        "[param:action] action: _Choose…_",
        "[ Run ]  [ Cancel ]",
    ]
