"""Block Kit pieces for forms, kept within Slack's limits (standins/slack/VIEW_RULES.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

LABEL = 2000  # input labels and hints
OPTION_TEXT = 75
OPTION_VALUE = 150
PLACEHOLDER = 150
MAX_OPTIONS = 100
MAX_TEXT = 3000  # plain_text_input's longest input, and a section's text
MAX_BLOCKS = 100  # modals and Home tabs

Block = dict[str, Any]


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, an ellipsis marking a cut."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str, limit: int = LABEL) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit) or " "}


def mrkdwn_escape(text: str) -> str:
    """Text that Slack shows as typed: &, < and > escaped (Slack's formatting reference)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def option(value: str, text: str | None = None) -> dict[str, Any]:
    return {"text": plain(text if text is not None else value, OPTION_TEXT), "value": value}


def fits_option(value: str) -> bool:
    return 0 < len(value) <= OPTION_VALUE


def input_block(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str = "",
    dispatch: bool = False,
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": element,
        "optional": optional,
    }
    if hint.strip():
        block["hint"] = plain(hint)
    if dispatch:
        block["dispatch_action"] = True
    return block


def text_input(
    action_id: str,
    *,
    initial: str | None = None,
    placeholder: str = "",
    multiline: bool = False,
    min_length: int | None = None,
    max_length: int | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": action_id}
    if multiline:
        element["multiline"] = True
    if placeholder:
        element["placeholder"] = plain(placeholder, PLACEHOLDER)
    if min_length is not None and 0 <= min_length <= MAX_TEXT:
        element["min_length"] = min_length
    if max_length is not None and 1 <= max_length <= MAX_TEXT:
        element["max_length"] = max(max_length, element.get("min_length", 0))
    if initial is not None and initial != "":
        element["initial_value"] = initial
    return element


def number_input(
    action_id: str,
    *,
    decimal: bool,
    low: float | None = None,
    high: float | None = None,
    initial: str | None = None,
    placeholder: str = "",
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "number_input",
        "action_id": action_id,
        "is_decimal_allowed": decimal,
    }
    if low is not None:
        element["min_value"] = _number(low)
    if high is not None:
        element["max_value"] = _number(high)
    if initial is not None:
        element["initial_value"] = initial
    if placeholder:
        element["placeholder"] = plain(placeholder, PLACEHOLDER)
    return element


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def static_select(
    action_id: str,
    options: Sequence[dict[str, Any]],
    *,
    initial: str | None = None,
    placeholder: str = "Choose…",
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": action_id,
        "placeholder": plain(placeholder, PLACEHOLDER),
        "options": list(options)[:MAX_OPTIONS],
    }
    chosen = next((o for o in element["options"] if o["value"] == initial), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return element


def external_select(
    action_id: str,
    *,
    initial: dict[str, Any] | None = None,
    placeholder: str = "Type to search…",
    min_query_length: int = 0,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "external_select",
        "action_id": action_id,
        "placeholder": plain(placeholder, PLACEHOLDER),
        "min_query_length": min_query_length,
    }
    if initial is not None:
        element["initial_option"] = initial
    return element


def checkboxes(
    action_id: str, options: Sequence[dict[str, Any]], *, initial: Sequence[str] = ()
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "checkboxes",
        "action_id": action_id,
        "options": list(options),
    }
    chosen = [o for o in options if o["value"] in initial]
    if chosen:
        element["initial_options"] = chosen
    return element


def radio_buttons(
    action_id: str, options: Sequence[dict[str, Any]], *, initial: str | None = None
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "radio_buttons",
        "action_id": action_id,
        "options": list(options),
    }
    chosen = next((o for o in options if o["value"] == initial), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return element


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, MAX_TEXT)}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, MAX_TEXT)}]}


def modal(
    title: str,
    blocks: Sequence[Block],
    *,
    callback_id: str,
    private_metadata: str,
    submit: str = "Run",
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": private_metadata,
        "title": plain(title, 24),
        "submit": plain(submit, 24),
        "close": plain("Cancel", 24),
        "blocks": list(blocks),
    }
