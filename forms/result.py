"""What the form functions take and give: choices to offer, and a submission read back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from commands.intents import RunDeploy, RunPlan, RunTask
from commands.when import When

Values = Mapping[str, Mapping[str, Mapping[str, Any]]]  # view.state.values


@dataclass(frozen=True)
class NodeGroupChoice:
    """A classifier node group offered by the target select."""

    id: str
    name: str


@dataclass(frozen=True)
class FormOptions:
    """Choices from outside the form: the caller looks them up (cached) and passes them in.

    `environments` fill the environment select (a text input when empty or over 100);
    `node_groups` the node-group select (type-ahead when over 100, answered with
    forms.options.suggest); `profiles` the --via select (shown only when there are some);
    `channel` pre-selects the conversation (else Slack's current one); `schedule` shows
    the --at/--every fields.
    """

    environments: Sequence[str] = ()
    node_groups: Sequence[NodeGroupChoice] = ()
    profiles: Sequence[str] = ()
    channel: str | None = None
    schedule: bool = True


@dataclass(frozen=True)
class Submission:
    """A form read back: the same intent the slash command `command` parses to (a schedule's
    --at/--every included, as `intent.later`), the channel chosen, and when the times were read
    to mean (None: now; the schedule's path reads them again in the requester's zone).
    `command` is what a person would have typed."""

    intent: RunTask | RunPlan | RunDeploy
    channel: str | None
    when: When | None
    command: str


@dataclass(frozen=True)
class FormErrors:
    """Inline errors by input block_id, to ack a view_submission with."""

    errors: Mapping[str, str] = field(default_factory=dict)

    def response(self) -> dict[str, Any]:
        """The ack body: `{"response_action": "errors", "errors": {...}}`."""
        return {"response_action": "errors", "errors": dict(self.errors)}


def state_of(values: Values, block_id: str) -> Mapping[str, Any] | None:
    """The state of the one element in an input block (whatever its action_id), or None."""
    actions = values.get(block_id)
    if not isinstance(actions, Mapping) or len(actions) != 1:
        return None
    state = next(iter(actions.values()))
    return state if isinstance(state, Mapping) else None


def text_of(values: Values, block_id: str) -> str | None:
    """A text or number input's value, stripped; None when empty or absent."""
    state = state_of(values, block_id) or {}
    value = state.get("value")
    return value.strip() or None if isinstance(value, str) else None


def choice_of(values: Values, block_id: str) -> str | None:
    """A select's or radio group's chosen value; None when nothing is chosen."""
    state = state_of(values, block_id) or {}
    chosen = state.get("selected_option")
    value = chosen.get("value") if isinstance(chosen, Mapping) else None
    return value if isinstance(value, str) and value else None


def choices_of(values: Values, block_id: str) -> list[str]:
    """Checkboxes' or a multi-select's chosen values."""
    state = state_of(values, block_id) or {}
    chosen = state.get("selected_options")
    if not isinstance(chosen, list):
        return []
    return [
        o["value"] for o in chosen if isinstance(o, Mapping) and isinstance(o.get("value"), str)
    ]


def conversation_of(values: Values, block_id: str) -> str | None:
    state = state_of(values, block_id) or {}
    chosen = state.get("selected_conversation") or state.get("selected_channel")
    return chosen if isinstance(chosen, str) and chosen else None
