"""What Slack's client checks before it lets a person submit a view (it sends nothing else)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from standins.slack.view_state import FIELD, Slot, Values, slots


def client_errors(view: Mapping[str, Any], values: Values) -> dict[str, str]:
    """What Slack's client says before it lets a person submit, by block_id.

    A required input must have a value; text inputs keep to min_length/max_length and number
    inputs to min_value/max_value (plain-text and number input element references).
    """
    errors: dict[str, str] = {}
    for slot in slots(view):
        if not slot.is_input:
            continue
        state = values.get(slot.block_id, {}).get(slot.action_id) or {}
        key, _ = FIELD.get(slot.kind, ("value", None))
        value = state.get(key)
        if value in (None, "", []):
            if not slot.block.get("optional"):
                errors[slot.block_id] = "Please complete this required field."
            continue
        problem = _bounds(slot, value)
        if problem:
            errors[slot.block_id] = problem
    return errors


def _bounds(slot: Slot, value: Any) -> str | None:
    element = slot.element
    if slot.kind == "plain_text_input" and isinstance(value, str):
        low, high = element.get("min_length"), element.get("max_length")
        if isinstance(low, int) and len(value) < low:
            return f"Must be at least {low} characters."
        if isinstance(high, int) and len(value) > high:
            return f"Must be at most {high} characters."
    if slot.kind == "number_input" and isinstance(value, str):
        number = float(value)
        low, high = element.get("min_value"), element.get("max_value")
        if low is not None and number < float(low):
            return f"Must be {low} or more."
        if high is not None and number > float(high):
            return f"Must be {high} or less."
    return None
