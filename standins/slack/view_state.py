"""What a person has entered in a view: `view.state.values`, kept and changed as Slack does.

Slack fills each stateful element from its `initial_*` field, keeps what was entered across a
views.update when the new view has the same block_id and action_id (modal views reference,
"Preserving input entry in views"), and sends the state in each element type's own shape
(bolt-js ViewStateValue; bolt-js types-tests/view.test-d.ts shows the empty shapes).
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from standins.slack.elements import STATEFUL, all_options

Values = dict[str, dict[str, dict[str, Any]]]  # block_id -> action_id -> state

# The state key each element type reports its value under, and its empty value.
FIELD: dict[str, tuple[str, Any]] = {
    "plain_text_input": ("value", None),
    "email_text_input": ("value", None),
    "url_text_input": ("value", None),
    "number_input": ("value", None),
    "rich_text_input": ("rich_text_value", None),
    "static_select": ("selected_option", None),
    "external_select": ("selected_option", None),
    "radio_buttons": ("selected_option", None),
    "multi_static_select": ("selected_options", []),
    "multi_external_select": ("selected_options", []),
    "checkboxes": ("selected_options", []),
    "users_select": ("selected_user", None),
    "multi_users_select": ("selected_users", []),
    "conversations_select": ("selected_conversation", None),
    "multi_conversations_select": ("selected_conversations", []),
    "channels_select": ("selected_channel", None),
    "multi_channels_select": ("selected_channels", []),
    "datepicker": ("selected_date", None),
    "timepicker": ("selected_time", None),
    "datetimepicker": ("selected_date_time", None),
    "file_input": ("files", []),
}
_INITIAL = {
    "value": "initial_value",
    "rich_text_value": "initial_value",
    "selected_option": "initial_option",
    "selected_options": "initial_options",
    "selected_user": "initial_user",
    "selected_users": "initial_users",
    "selected_conversation": "initial_conversation",
    "selected_conversations": "initial_conversations",
    "selected_channel": "initial_channel",
    "selected_channels": "initial_channels",
    "selected_date": "initial_date",
    "selected_time": "initial_time",
    "selected_date_time": "initial_date_time",
}
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


class ViewInteractionError(ValueError):
    """A test asked a person to do what Slack's client would not let them do."""


@dataclass(frozen=True)
class Slot:
    """One stateful element of a view, where it sits and whether using it sends block_actions."""

    block_id: str
    action_id: str
    element: Mapping[str, Any]
    block: Mapping[str, Any]

    @property
    def kind(self) -> str:
        return str(self.element.get("type"))

    @property
    def is_input(self) -> bool:
        return self.block.get("type") == "input"

    @property
    def dispatches(self) -> bool:
        """Inputs send block_actions only with dispatch_action; elsewhere every use does."""
        return bool(self.block.get("dispatch_action")) if self.is_input else True


def with_ids(view: dict[str, Any], salt: str) -> dict[str, Any]:
    """The view with the block_id and action_id Slack generates where the app gave none.

    Generated ids differ for each version (`salt`), so a block without an id never keeps input.
    """
    out = copy.deepcopy(view)
    for i, block in enumerate(out.get("blocks") or []):
        if not isinstance(block, dict):
            continue
        block.setdefault("block_id", _generated(salt, f"b{i}"))
        elements = [block.get("element"), block.get("accessory"), *(block.get("elements") or [])]
        for j, element in enumerate(elements):
            if isinstance(element, dict) and element.get("type") in (
                *STATEFUL,
                "button",
                "overflow",
            ):
                element.setdefault("action_id", _generated(salt, f"b{i}e{j}"))
    return out


def _generated(salt: str, where: str) -> str:
    return hashlib.sha1(f"{salt}/{where}".encode()).hexdigest()[:5]


def slots(view: Mapping[str, Any]) -> Iterator[Slot]:
    """Every element that holds a value, in view order (ids as `with_ids` left them)."""
    for block in view.get("blocks") or []:
        inner = [block.get("element"), block.get("accessory"), *(block.get("elements") or [])]
        for element in inner:
            if isinstance(element, dict) and element.get("type") in STATEFUL:
                yield Slot(
                    str(block.get("block_id")), str(element.get("action_id")), element, block
                )


def find(view: Mapping[str, Any], block_id: str | None, action_id: str) -> Slot:
    """The element with this action_id (in this block, when given); a helpful error if none."""
    found = [
        s for s in all_slots(view) if s.action_id == action_id and block_id in (None, s.block_id)
    ]
    if len(found) != 1:
        known = ", ".join(f"{s.block_id}/{s.action_id}" for s in all_slots(view))
        what = "no" if not found else "more than one"
        raise ViewInteractionError(f"{what} element {block_id}/{action_id} in the view ({known})")
    return found[0]


def all_slots(view: Mapping[str, Any]) -> list[Slot]:
    """Stateful elements and buttons/overflows, for clicks."""
    out = list(slots(view))
    for block in view.get("blocks") or []:
        for element in [block.get("accessory"), *(block.get("elements") or [])]:
            if isinstance(element, dict) and element.get("type") in ("button", "overflow"):
                out.append(
                    Slot(str(block.get("block_id")), str(element.get("action_id")), element, block)
                )
    return out


def initial(slot: Slot, current_channel: str | None = None) -> dict[str, Any]:
    """The state of an untouched element: its initial_* value, or the empty one."""
    key, empty = FIELD.get(slot.kind, ("value", None))
    value = slot.element.get(_INITIAL.get(key, ""), copy.deepcopy(empty))
    if (
        slot.kind == "conversations_select"
        and value is None
        and slot.element.get("default_to_current_conversation")
    ):
        value = current_channel
    return {"type": slot.kind, key: copy.deepcopy(value)}


def carried(previous: Values, view: Mapping[str, Any], channel: str | None = None) -> Values:
    """The state after a view is shown: kept where block_id, action_id and type are unchanged."""
    values: Values = {}
    for slot in slots(view):
        before = previous.get(slot.block_id, {}).get(slot.action_id)
        kept = before is not None and before.get("type") == slot.kind
        state = copy.deepcopy(before) if kept else initial(slot, channel)
        values.setdefault(slot.block_id, {})[slot.action_id] = state  # type: ignore[assignment]
    return values


def entered(
    slot: Slot, value: Any, suggested: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The state after a person sets `value` (None clears it), checked as the client checks it.

    Selects, radios and checkboxes take option values (or option texts); an external select
    takes an option the app offered for the last type-ahead, or an option object.
    """
    kind = slot.kind
    key, empty = FIELD.get(kind, ("value", None))
    if value is None or value == [] or value == "":
        return {"type": kind, key: copy.deepcopy(empty)}
    if kind in ("static_select", "radio_buttons", "multi_static_select", "checkboxes"):
        offered = all_options(dict(slot.element))
        picked = [_option(v, offered, slot) for v in _many(value, key)]
    elif kind in ("external_select", "multi_external_select"):
        picked = [_external(v, suggested, slot) for v in _many(value, key)]
    elif kind == "number_input":
        return {"type": kind, key: _number(value, slot)}
    elif kind == "datepicker" and not (isinstance(value, str) and _DATE.fullmatch(value)):
        raise ViewInteractionError(f"{slot.block_id}: a date is YYYY-MM-DD, not {value!r}")
    elif kind == "timepicker" and not (isinstance(value, str) and _TIME.fullmatch(value)):
        raise ViewInteractionError(f"{slot.block_id}: a time is HH:mm, not {value!r}")
    elif kind == "datetimepicker" and not isinstance(value, int):
        raise ViewInteractionError(f"{slot.block_id}: a date and time is epoch seconds")
    else:
        many = key.endswith("s") and key != "value"
        if many:
            return {"type": kind, key: [str(v) for v in _many(value, key)]}
        if isinstance(value, list | dict):
            raise ViewInteractionError(f"{slot.block_id}: {kind} takes one value, not {value!r}")
        return {"type": kind, key: value if kind == "datetimepicker" else str(value)}
    if key == "selected_option":
        return {"type": kind, key: picked[0]}
    _check_most(slot, picked)
    return {"type": kind, key: picked}


def _many(value: Any, key: str) -> list[Any]:
    if isinstance(value, list | tuple):
        if key == "selected_option" and len(value) != 1:
            raise ViewInteractionError(f"one option, not {len(value)}")
        return list(value)
    return [value]


def _option(value: Any, offered: list[dict[str, Any]], slot: Slot) -> dict[str, Any]:
    if isinstance(value, dict) and value in offered:
        return copy.deepcopy(value)
    for option in offered:
        if value in (option.get("value"), (option.get("text") or {}).get("text")):
            return copy.deepcopy(option)
    choices = [o.get("value") for o in offered]
    raise ViewInteractionError(f"{slot.block_id}: {value!r} is not one of the options {choices}")


def _external(value: Any, suggested: list[dict[str, Any]] | None, slot: Slot) -> dict[str, Any]:
    if isinstance(value, dict) and isinstance(value.get("value"), str):
        return copy.deepcopy(value)
    if suggested is None:
        raise ViewInteractionError(
            f"{slot.block_id}: nothing was suggested yet; call suggest() and answer_suggestion(), "
            "or fill an option object"
        )
    return _option(value, suggested, slot)


def _number(value: Any, slot: Slot) -> str:
    text = str(value).strip()
    if isinstance(value, bool) or not _NUMBER.fullmatch(text):
        raise ViewInteractionError(
            f"{slot.block_id}: the number input takes a number, not {value!r}"
        )
    if "." in text and not slot.element.get("is_decimal_allowed"):
        raise ViewInteractionError(f"{slot.block_id}: whole numbers only, not {value!r}")
    return text


def _check_most(slot: Slot, picked: list[Any]) -> None:
    most = slot.element.get("max_selected_items")
    if isinstance(most, int) and len(picked) > most:
        raise ViewInteractionError(f"{slot.block_id}: at most {most} may be chosen")


def action_payload(slot: Slot, state: Mapping[str, Any], action_ts: str) -> dict[str, Any]:
    """The `actions[0]` Slack sends when this element is used."""
    action: dict[str, Any] = {
        "type": slot.kind,
        "action_id": slot.action_id,
        "block_id": slot.block_id,
        "action_ts": action_ts,
    }
    if slot.kind == "button":
        action["text"] = copy.deepcopy(slot.element.get("text"))
        if "value" in slot.element:
            action["value"] = slot.element["value"]
        return action
    action.update({k: copy.deepcopy(v) for k, v in state.items() if k != "type"})
    if "placeholder" in slot.element:
        action["placeholder"] = copy.deepcopy(slot.element["placeholder"])
    return action
