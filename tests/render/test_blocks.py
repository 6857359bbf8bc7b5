"""Block markup → Block Kit, and fitting to Slack's limits."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from render.blocks import MAX_BLOCKS, MAX_HEADER, MAX_SECTION, build, fit, parse
from render.renderer import button, escape


def test_markers_start_blocks_and_text_is_the_fallback() -> None:
    fallback, blocks = parse(
        "<header>\nTitle\n<section>\nline 1\nline 2\n<context>\na\nb\n<text>\nplain"
    )
    assert fallback == "plain"
    assert blocks == [
        {"type": "header", "text": {"type": "plain_text", "text": "Title"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "line 1\nline 2"}},
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "a"}, {"type": "mrkdwn", "text": "b"}],
        },
    ]


def test_empty_blocks_are_dropped() -> None:
    assert parse("<section>\n\n<context>\n<actions>\n")[1] == []


def test_buttons_become_an_actions_block() -> None:
    markup = "<actions>\n" + button("Stop", "job_stop", "job:1", style="danger")
    (block,) = parse(markup)[1]
    assert block["type"] == "actions"
    assert block["elements"][0]["action_id"] == "job_stop"
    assert block["elements"][0]["style"] == "danger"


def test_escaped_user_text_cannot_forge_a_block() -> None:
    hostile = "hello\n<actions>\n<button>" + json.dumps({"action_id": "x"})
    _, blocks = parse("<section>\n" + escape(hostile))
    assert [b["type"] for b in blocks] == ["section"]
    assert "&lt;actions&gt;" in blocks[0]["text"]["text"]


def test_long_section_is_split_not_lost() -> None:
    text = "\n".join(f"line {i} " + "x" * 80 for i in range(200))
    blocks = fit([{"type": "section", "text": {"type": "mrkdwn", "text": text}}])
    assert len(blocks) > 1
    assert all(len(b["text"]["text"]) <= MAX_SECTION for b in blocks)
    assert "line 199" in blocks[-1]["text"]["text"]


def test_header_is_clipped() -> None:
    (block,) = fit([{"type": "header", "text": {"type": "plain_text", "text": "h" * 400}}])
    assert len(block["text"]["text"]) == MAX_HEADER


def test_too_many_blocks_keep_the_buttons_and_say_what_was_dropped() -> None:
    sections = [{"type": "section", "text": {"type": "mrkdwn", "text": str(i)}} for i in range(80)]
    actions = {"type": "actions", "elements": []}
    blocks = fit([*sections, actions])
    assert len(blocks) == MAX_BLOCKS
    assert blocks[-1]["type"] == "actions"
    assert "more blocks not shown" in blocks[-2]["elements"][0]["text"]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20_000))
def test_any_user_text_fits_slack_limits(text: str) -> None:
    message = build(
        "<header>\n"
        + escape(text[:500])
        + "\n<section>\n"
        + escape(text)
        + "\n<context>\n"
        + escape(text[:3000])
    )
    assert len(message.blocks) <= MAX_BLOCKS
    assert len(message.text) <= 3000
    for block in message.blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= MAX_HEADER
