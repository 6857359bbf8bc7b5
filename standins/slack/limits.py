"""Block Kit and message limits, checked the way Slack checks them (errors carry json-pointers)."""

from __future__ import annotations

from typing import Any

from standins.slack.elements import INPUT_ELEMENTS, element_errors

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT = 40_000

KNOWN_BLOCKS = frozenset(
    {
        "actions",
        "context",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "markdown",
        "rich_text",
        "section",
        "video",
    }
)
TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})


class InvalidBlocksFormat(ValueError):
    """`blocks` is not a list of objects at all (Slack: invalid_blocks_format)."""


def truncate_text(text: str) -> tuple[str, bool]:
    """Slack keeps the first 40,000 characters of `text` and drops the rest silently."""
    if len(text) > MAX_TEXT:
        return text[:MAX_TEXT], True
    return text, False


def block_errors(blocks: Any, *, max_blocks: int = MAX_MESSAGE_BLOCKS) -> list[str]:
    """Every limit `blocks` breaks, as Slack words it; an empty list means valid."""
    if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
        raise InvalidBlocksFormat("blocks must be a list of objects")
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(f"no more than {max_blocks} items allowed [json-pointer:/blocks]")
    seen_block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        path = f"/blocks/{i}"
        block_id = block.get("block_id")
        if block_id is not None:
            errors += _length(block_id, 255, f"{path}/block_id")
            if block_id in seen_block_ids:
                errors.append(f"duplicate block_id [json-pointer:{path}/block_id]")
            seen_block_ids.add(block_id)
        errors += _block(block, path)
    return errors


def _block(block: dict[str, Any], path: str) -> list[str]:
    kind = block.get("type")
    if kind not in KNOWN_BLOCKS:
        return [f"unsupported type: {kind} [json-pointer:{path}/type]"]
    if kind != "input" and "dispatch_action" in block:
        # dispatch_action is a field of input blocks only.
        return [f"unsupported field: dispatch_action [json-pointer:{path}/dispatch_action]"]
    if kind == "section":
        return _section(block, path)
    if kind == "header":
        return _text_object(block.get("text"), 150, f"{path}/text", plain_only=True)
    if kind == "context":
        elements = block.get("elements") or []
        errors = _count(elements, 1, 10, f"{path}/elements")
        for j, element in enumerate(elements):
            if isinstance(element, dict) and element.get("type") in TEXT_TYPES:
                errors += _text_object(element, 3000, f"{path}/elements/{j}")
        return errors
    if kind == "actions":
        elements = block.get("elements") or []
        errors = _count(elements, 1, 25, f"{path}/elements")
        return errors + _elements(elements, f"{path}/elements")
    if kind == "input":
        return _input(block, path)
    return []


def _input(block: dict[str, Any], path: str) -> list[str]:
    """An input block: a plain-text label, one input element, an optional plain-text hint."""
    errors = _text_object(block.get("label"), 2000, f"{path}/label", plain_only=True)
    if block.get("hint") is not None:
        errors += _text_object(block["hint"], 2000, f"{path}/hint", plain_only=True)
    for key in ("optional", "dispatch_action"):
        if key in block and not isinstance(block[key], bool):
            errors.append(f"expected a boolean [json-pointer:{path}/{key}]")
    element = block.get("element")
    if not isinstance(element, dict):
        return [*errors, f"missing required field: element [json-pointer:{path}]"]
    kind = element.get("type")
    if kind not in INPUT_ELEMENTS:
        return [*errors, f"unsupported type: {kind} [json-pointer:{path}/element/type]"]
    if kind == "file_input" and block.get("dispatch_action"):
        errors.append(f"unsupported type: file_input with dispatch_action [json-pointer:{path}]")
    return errors + _element(element, f"{path}/element")


def _section(block: dict[str, Any], path: str) -> list[str]:
    text, fields = block.get("text"), block.get("fields")
    if text is None and not fields:
        return [f"must provide either text or fields [json-pointer:{path}]"]
    errors = [] if text is None else _text_object(text, 3000, f"{path}/text")
    if fields is not None:
        errors += _count(fields, 1, 10, f"{path}/fields")
        for j, item in enumerate(fields):
            errors += _text_object(item, 2000, f"{path}/fields/{j}")
    accessory = block.get("accessory")
    if isinstance(accessory, dict):
        errors += _element(accessory, f"{path}/accessory")
    return errors


def _elements(elements: list[Any], path: str) -> list[str]:
    errors: list[str] = []
    seen_action_ids: set[str] = set()
    for j, element in enumerate(elements):
        if not isinstance(element, dict):
            errors.append(f"expected object [json-pointer:{path}/{j}]")
            continue
        errors += _element(element, f"{path}/{j}")
        action_id = element.get("action_id")
        if action_id is not None and action_id in seen_action_ids:
            errors.append(f"duplicate action_id [json-pointer:{path}/{j}/action_id]")
        seen_action_ids.add(action_id)
    return errors


def _element(element: dict[str, Any], path: str) -> list[str]:
    errors: list[str] = []
    if "action_id" in element:
        errors += _length(element["action_id"], 255, f"{path}/action_id")
    if "placeholder" in element:
        errors += _text_object(element["placeholder"], 150, f"{path}/placeholder", plain_only=True)
    if element.get("type") != "button":
        return errors + element_errors(element, path)
    errors += _text_object(element.get("text"), 75, f"{path}/text", plain_only=True)
    if "value" in element:
        errors += _length(element["value"], 2000, f"{path}/value")
    if "url" in element:
        errors += _length(element["url"], 3000, f"{path}/url")
    if element.get("style") not in (None, "primary", "danger"):
        errors.append(f"must be one of primary, danger [json-pointer:{path}/style]")
    confirm = element.get("confirm")
    if isinstance(confirm, dict):
        errors += _text_object(confirm.get("title"), 100, f"{path}/confirm/title", plain_only=True)
        errors += _text_object(confirm.get("text"), 300, f"{path}/confirm/text")
        errors += _text_object(confirm.get("confirm"), 30, f"{path}/confirm/confirm")
        errors += _text_object(confirm.get("deny"), 30, f"{path}/confirm/deny")
    return errors


def _text_object(obj: Any, limit: int, path: str, *, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict):
        return [f"expected a text object [json-pointer:{path}]"]
    allowed = {"plain_text"} if plain_only else TEXT_TYPES
    if obj.get("type") not in allowed:
        return [f"must be one of {', '.join(sorted(allowed))} [json-pointer:{path}/type]"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"must be more than 0 characters [json-pointer:{path}/text]"]
    return _length(text, limit, f"{path}/text")


def _length(value: Any, limit: int, path: str) -> list[str]:
    if not isinstance(value, str):
        return [f"expected a string [json-pointer:{path}]"]
    if len(value) > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{path}]"]
    return []


def _count(items: Any, low: int, high: int, path: str) -> list[str]:
    if not isinstance(items, list):
        return [f"expected an array [json-pointer:{path}]"]
    if len(items) < low:
        return [f"must have at least {low} items [json-pointer:{path}]"]
    if len(items) > high:
        return [f"no more than {high} items allowed [json-pointer:{path}]"]
    return []
