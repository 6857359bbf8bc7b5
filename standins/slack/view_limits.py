"""View-level rules (modals and Home tabs), the options an app answers a type-ahead with, and
the answers to a view_submission. Each rule is cited in standins/slack/VIEW_RULES.md."""

from __future__ import annotations

from typing import Any

from standins.slack.elements import MAX_OPTIONS, options_errors, text_errors
from standins.slack.limits import InvalidBlocksFormat, block_errors

MAX_VIEW_BLOCKS = 100
TITLE_LENGTH = 24  # title, submit and close
MAX_METADATA = 3000
MAX_ID = 255  # callback_id and external_id
RESPONSE_ACTIONS = ("errors", "update", "push", "clear")


def view_errors(view: Any, *, surface: str | None = None) -> list[str]:
    """Every rule a view breaks; `surface` ("modal" or "home") is what the method expects.

    Slack answers these with invalid_arguments and the list in response_metadata.messages.
    """
    if not isinstance(view, dict):
        return ["expected an object [json-pointer:/view]"]
    kind = view.get("type")
    allowed = (surface,) if surface else ("modal", "home")
    if kind not in allowed:
        return [f"must be one of {', '.join(allowed)} [json-pointer:/view/type]"]
    errors: list[str] = []
    if kind == "modal":
        errors += text_errors(view.get("title"), TITLE_LENGTH, "/view/title")
        for key in ("submit", "close"):
            if view.get(key) is not None:
                errors += text_errors(view[key], TITLE_LENGTH, f"/view/{key}")
    for key, limit in (("callback_id", MAX_ID), ("external_id", MAX_ID)):
        errors += _string(view.get(key), limit, f"/view/{key}")
    errors += _string(view.get("private_metadata"), MAX_METADATA, "/view/private_metadata")
    blocks = view.get("blocks")
    try:
        block_list = block_errors(blocks if blocks is not None else [], max_blocks=MAX_VIEW_BLOCKS)
    except InvalidBlocksFormat:
        return [*errors, "expected an array of objects [json-pointer:/view/blocks]"]
    errors += [e.replace("json-pointer:", "json-pointer:/view") for e in block_list]
    has_input = any(b.get("type") == "input" for b in blocks or [])
    if kind == "modal" and has_input and view.get("submit") is None:
        errors.append(
            "submit is required when an input block is within blocks [json-pointer:/view]"
        )
    errors += _focus(blocks or [])
    errors += _response_urls(blocks or [], modal=kind == "modal")
    return errors


def _string(value: Any, limit: int, path: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, str):
        return [f"expected a string [json-pointer:{path}]"]
    if len(value) > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{path}]"]
    return []


def _elements(blocks: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(path, block, element) for every element of every block."""
    found = []
    for i, block in enumerate(blocks):
        if isinstance(block.get("element"), dict):
            found.append((f"/view/blocks/{i}/element", block, block["element"]))
        if isinstance(block.get("accessory"), dict):
            found.append((f"/view/blocks/{i}/accessory", block, block["accessory"]))
        for j, element in enumerate(block.get("elements") or []):
            if isinstance(element, dict) and block.get("type") == "actions":
                found.append((f"/view/blocks/{i}/elements/{j}", block, element))
    return found


def _focus(blocks: list[dict[str, Any]]) -> list[str]:
    focused = [path for path, _, e in _elements(blocks) if e.get("focus_on_load") is True]
    return [f"only one element can set focus_on_load [json-pointer:{p}]" for p in focused[1:]]


def _response_urls(blocks: list[dict[str, Any]], *, modal: bool) -> list[str]:
    """response_url_enabled works only for conversation/channel selects in a modal's inputs."""
    return [
        f"response_url_enabled works only in input blocks in modals [json-pointer:{path}]"
        for path, block, element in _elements(blocks)
        if element.get("response_url_enabled") and (not modal or block.get("type") != "input")
    ]


def options_answer_errors(answer: Any) -> list[str]:
    """The body an app acks a block_suggestion with: `options` or `option_groups`, ≤ 100."""
    if not isinstance(answer, dict) or not ({"options", "option_groups"} & set(answer)):
        return ["expected an object with options or option_groups"]
    if "options" in answer and not answer["options"]:
        return []  # no match is a valid answer
    if len(answer.get("options") or answer.get("option_groups") or ()) > MAX_OPTIONS:
        return [f"no more than {MAX_OPTIONS} items allowed"]
    return options_errors(dict(answer), "", most=MAX_OPTIONS)


def submission_answer_errors(answer: Any, view: dict[str, Any]) -> list[str]:
    """The body an app acks a view_submission with: empty, or a documented response_action."""
    if answer in (None, {}, b"", ""):
        return []
    if not isinstance(answer, dict):
        return ["expected a JSON object"]
    action = answer.get("response_action")
    if action not in RESPONSE_ACTIONS:
        return [f"response_action must be one of {', '.join(RESPONSE_ACTIONS)}"]
    if action == "errors":
        errors = answer.get("errors")
        inputs = {b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"}
        if not isinstance(errors, dict) or not errors:
            return ["errors must be an object keyed by block_id"]
        return [
            f"errors names {key!r}, which is not an input block of the view"
            for key in errors
            if key not in inputs
        ] + [
            f"the error for {key!r} must be a non-empty string"
            for key, v in errors.items()
            if not (isinstance(v, str) and v)
        ]
    if action in ("update", "push"):
        return view_errors(answer.get("view"), surface="modal")
    return []
