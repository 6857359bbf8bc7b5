"""Block Kit element rules (selects, inputs, pickers), checked as Slack checks them.

Each rule is cited in standins/slack/VIEW_RULES.md. Errors read like Slack's own
(`... [json-pointer:/blocks/0/element/options]`); an empty list means the element is valid.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from standins.slack.element_inputs import (
    date_picker,
    datetime_picker,
    dispatch_config,
    is_int,
    number_input,
    text_input,
    time_picker,
)

MAX_OPTIONS = 100  # static selects, option groups and suggestions
MAX_CHOICES = 10  # checkboxes and radio buttons
OPTION_TEXT = 75
OPTION_VALUE = 150

SINGLE_SELECTS = frozenset(
    {"static_select", "external_select", "users_select", "conversations_select", "channels_select"}
)
MULTI_SELECTS = frozenset({"multi_" + kind for kind in SINGLE_SELECTS})
TEXT_INPUTS = frozenset({"plain_text_input", "email_text_input", "url_text_input"})
# The elements an input block can hold (the input block reference's list).
INPUT_ELEMENTS = frozenset(
    {
        *SINGLE_SELECTS,
        *MULTI_SELECTS,
        *TEXT_INPUTS,
        "checkboxes",
        "radio_buttons",
        "datepicker",
        "timepicker",
        "datetimepicker",
        "number_input",
        "file_input",
        "rich_text_input",
    }
)
# Elements with a value a person sets: they appear in view.state.values.
STATEFUL = INPUT_ELEMENTS
_CONVERSATION_KINDS = frozenset({"im", "mpim", "private", "public"})

Errors = list[str]


def option_errors(option: Any, path: str, *, mrkdwn: bool = False) -> Errors:
    """One option object: text (plain, or mrkdwn in checkboxes and radios) ≤ 75, value ≤ 150."""
    if not isinstance(option, dict):
        return [f"expected an option object [json-pointer:{path}]"]
    allowed = {"plain_text", "mrkdwn"} if mrkdwn else {"plain_text"}
    errors = text_errors(option.get("text"), OPTION_TEXT, f"{path}/text", allowed)
    value = option.get("value")
    if not isinstance(value, str):
        errors.append(f"missing required field: value [json-pointer:{path}]")
    elif len(value) > OPTION_VALUE:
        errors.append(
            f"must be less than {OPTION_VALUE + 1} characters [json-pointer:{path}/value]"
        )
    if option.get("description") is not None:
        errors += text_errors(option["description"], OPTION_TEXT, f"{path}/description", allowed)
    return errors


def options_errors(
    element: dict[str, Any], path: str, *, most: int, mrkdwn: bool = False
) -> Errors:
    """`options` (or `option_groups`, selects only): present, at most `most`, values unique."""
    options, groups = element.get("options"), element.get("option_groups")
    if options is not None and groups is not None:
        return [f"must provide either options or option_groups, not both [json-pointer:{path}]"]
    errors: Errors = []
    flat: list[tuple[str, Any]] = []
    if groups is not None:
        errors += _count(groups, 1, MAX_OPTIONS, f"{path}/option_groups")
        for g, group in enumerate(groups if isinstance(groups, list) else []):
            group_path = f"{path}/option_groups/{g}"
            if not isinstance(group, dict):
                errors.append(f"expected an object [json-pointer:{group_path}]")
                continue
            errors += text_errors(group.get("label"), OPTION_TEXT, f"{group_path}/label")
            inner = group.get("options")
            errors += _count(inner, 1, MAX_OPTIONS, f"{group_path}/options")
            flat += [(f"{group_path}/options/{i}", o) for i, o in enumerate(_list(inner))]
    elif options is None:
        return [f"missing required field: options [json-pointer:{path}]"]
    else:
        errors += _count(options, 1, most, f"{path}/options")
        flat = [(f"{path}/options/{i}", o) for i, o in enumerate(_list(options))]
    seen: set[str] = set()
    for where, option in flat:
        errors += option_errors(option, where, mrkdwn=mrkdwn)
        value = option.get("value") if isinstance(option, dict) else None
        if isinstance(value, str) and value in seen:
            errors.append(f"duplicate option value [json-pointer:{where}/value]")
        if isinstance(value, str):
            seen.add(value)
    errors += _initial_in_options(element, [o for _, o in flat], path)
    return errors


def all_options(element: dict[str, Any]) -> list[dict[str, Any]]:
    """The element's options, from `options` or from every group of `option_groups`."""
    if isinstance(element.get("option_groups"), list):
        return [
            o
            for group in element["option_groups"]
            if isinstance(group, dict)
            for o in _list(group.get("options"))
            if isinstance(o, dict)
        ]
    return [o for o in _list(element.get("options")) if isinstance(o, dict)]


def _initial_in_options(element: dict[str, Any], options: list[Any], path: str) -> Errors:
    """initial_option(s) must match one of the options exactly (text and value)."""
    chosen = []
    if element.get("initial_option") is not None:
        chosen.append(("initial_option", element["initial_option"]))
    for i, option in enumerate(_list(element.get("initial_options"))):
        chosen.append((f"initial_options/{i}", option))
    return [
        f"initial option must match one of the options [json-pointer:{path}/{where}]"
        for where, option in chosen
        if option not in options
    ]


def element_errors(element: dict[str, Any], path: str) -> Errors:
    """The rules of the element's own type; unknown types are left alone (buttons: limits.py)."""
    check = _CHECKS.get(str(element.get("type")))
    return check(element, path) if check else []


def _static(element: dict[str, Any], path: str) -> Errors:
    return options_errors(element, path, most=MAX_OPTIONS) + _max_selected(element, path)


def _choices(element: dict[str, Any], path: str) -> Errors:
    return options_errors(element, path, most=MAX_CHOICES, mrkdwn=True)


def _external(element: dict[str, Any], path: str) -> Errors:
    errors = _max_selected(element, path)
    length = element.get("min_query_length")
    if length is not None and (not is_int(length) or length < 0):
        errors.append(f"must be a whole number of 0 or more [json-pointer:{path}/min_query_length]")
    for key in ("initial_option",):
        if element.get(key) is not None:
            errors += option_errors(element[key], f"{path}/{key}")
    for i, option in enumerate(_list(element.get("initial_options"))):
        errors += option_errors(option, f"{path}/initial_options/{i}")
    return errors


def _conversations(element: dict[str, Any], path: str) -> Errors:
    errors = _max_selected(element, path)
    spec = element.get("filter")
    if spec is None:
        return errors
    if not isinstance(spec, dict) or not {"include", *_FILTER_FLAGS} & set(spec):
        return [*errors, f"filter needs include or an exclude_ flag [json-pointer:{path}/filter]"]
    include = spec.get("include")
    if include is not None and (
        not isinstance(include, list) or not include or not set(include) <= _CONVERSATION_KINDS
    ):
        errors.append(
            "must be a non-empty array of im, mpim, private, public "
            f"[json-pointer:{path}/filter/include]"
        )
    return errors


_FILTER_FLAGS = ("exclude_external_shared_channels", "exclude_bot_users")


def _max_selected(element: dict[str, Any], path: str) -> Errors:
    most = element.get("max_selected_items")
    if most is not None and (not is_int(most) or most < 1):
        return [f"must be 1 or more [json-pointer:{path}/max_selected_items]"]
    return []


_CHECKS: dict[str, Callable[[dict[str, Any], str], Errors]] = {
    "static_select": _static,
    "multi_static_select": _static,
    "checkboxes": _choices,
    "radio_buttons": _choices,
    "external_select": _external,
    "multi_external_select": _external,
    "conversations_select": _conversations,
    "multi_conversations_select": _conversations,
    "users_select": _max_selected,
    "multi_users_select": _max_selected,
    "channels_select": _max_selected,
    "multi_channels_select": _max_selected,
    "plain_text_input": text_input,
    "email_text_input": dispatch_config,
    "url_text_input": dispatch_config,
    "number_input": number_input,
    "datepicker": date_picker,
    "timepicker": time_picker,
    "datetimepicker": datetime_picker,
}


def text_errors(
    obj: Any, limit: int, path: str, allowed: set[str] | frozenset[str] = frozenset({"plain_text"})
) -> Errors:
    """A text object of an allowed type with 1 to `limit` characters."""
    if not isinstance(obj, dict):
        return [f"expected a text object [json-pointer:{path}]"]
    if obj.get("type") not in allowed:
        return [f"must be one of {', '.join(sorted(allowed))} [json-pointer:{path}/type]"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"must be more than 0 characters [json-pointer:{path}/text]"]
    if len(text) > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{path}/text]"]
    return []


def _count(items: Any, low: int, high: int, path: str) -> Errors:
    if not isinstance(items, list):
        return [f"expected an array [json-pointer:{path}]"]
    if len(items) < low:
        return [f"must have at least {low} items [json-pointer:{path}]"]
    if len(items) > high:
        return [f"no more than {high} items allowed [json-pointer:{path}]"]
    return []


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
