"""Rules of the input elements: text, number, pickers and the dispatch configuration
(plain-text and number input element references; VIEW_RULES.md)."""

from __future__ import annotations

import re
from typing import Any

MAX_TEXT_INPUT = 3000
_DISPATCH_TRIGGERS = frozenset({"on_enter_pressed", "on_character_entered"})
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")

Errors = list[str]


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def text_input(element: dict[str, Any], path: str) -> Errors:
    errors = dispatch_config(element, path)
    low, high = element.get("min_length"), element.get("max_length")
    if low is not None and (not is_int(low) or not 0 <= low <= MAX_TEXT_INPUT):
        errors.append(f"must be between 0 and {MAX_TEXT_INPUT} [json-pointer:{path}/min_length]")
    if high is not None and (not is_int(high) or not 1 <= high <= MAX_TEXT_INPUT):
        errors.append(f"must be between 1 and {MAX_TEXT_INPUT} [json-pointer:{path}/max_length]")
    if is_int(low) and is_int(high) and low > high:
        errors.append(f"min_length cannot be more than max_length [json-pointer:{path}]")
    initial = element.get("initial_value")
    if initial is not None:
        limit = high if is_int(high) else MAX_TEXT_INPUT
        if not isinstance(initial, str):
            errors.append(f"expected a string [json-pointer:{path}/initial_value]")
        elif len(initial) > limit:
            errors.append(
                f"must be less than {limit + 1} characters [json-pointer:{path}/initial_value]"
            )
    return errors


def number_input(element: dict[str, Any], path: str) -> Errors:
    errors = dispatch_config(element, path)
    decimal = element.get("is_decimal_allowed")
    if not isinstance(decimal, bool):
        errors.append(f"missing required field: is_decimal_allowed [json-pointer:{path}]")
    numbers: dict[str, float] = {}
    for key in ("min_value", "max_value", "initial_value"):
        raw = element.get(key)
        if raw is None:
            continue
        if not isinstance(raw, str) or not _NUMBER.fullmatch(raw):
            errors.append(f"must be a number written as a string [json-pointer:{path}/{key}]")
        elif decimal is False and "." in raw:
            errors.append(f"must be a whole number [json-pointer:{path}/{key}]")
        else:
            numbers[key] = float(raw)
    low, high = numbers.get("min_value"), numbers.get("max_value")
    if low is not None and high is not None and low > high:
        errors.append(f"min_value cannot be greater than max_value [json-pointer:{path}]")
    initial = numbers.get("initial_value")
    if initial is not None and (
        (low is not None and initial < low) or (high is not None and initial > high)
    ):
        errors.append(
            f"must be between min_value and max_value [json-pointer:{path}/initial_value]"
        )
    return errors


def date_picker(element: dict[str, Any], path: str) -> Errors:
    initial = element.get("initial_date")
    if initial is not None and not (isinstance(initial, str) and _DATE.fullmatch(initial)):
        return [f"must be in the format YYYY-MM-DD [json-pointer:{path}/initial_date]"]
    return []


def time_picker(element: dict[str, Any], path: str) -> Errors:
    initial = element.get("initial_time")
    if initial is not None and not (isinstance(initial, str) and _TIME.fullmatch(initial)):
        return [f"must be in the format HH:mm [json-pointer:{path}/initial_time]"]
    return []


def datetime_picker(element: dict[str, Any], path: str) -> Errors:
    initial = element.get("initial_date_time")
    if initial is not None and not (is_int(initial) and initial >= 0):
        return [f"must be a UNIX timestamp in seconds [json-pointer:{path}/initial_date_time]"]
    return []


def dispatch_config(element: dict[str, Any], path: str) -> Errors:
    config = element.get("dispatch_action_config")
    if config is None:
        return []
    triggers = config.get("trigger_actions_on") if isinstance(config, dict) else None
    if not isinstance(triggers, list) or not triggers or not set(triggers) <= _DISPATCH_TRIGGERS:
        return [
            "trigger_actions_on must list on_enter_pressed and/or on_character_entered "
            f"[json-pointer:{path}/dispatch_action_config]"
        ]
    return []
