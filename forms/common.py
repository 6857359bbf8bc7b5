"""Fields every form shares: the channel, the environment, the task or plan, and the options
(noop, timeout, description, --at/--every, --via), with their readers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from commands.grammar import MAX_INT, Form
from commands.intents import UsageError
from commands.names import environment
from commands.when import MIN_INTERVAL, When, parse_interval, parse_when
from forms import blocks as bk
from forms.ids import (
    AT,
    CHANNEL,
    DESCRIPTION,
    ENVIRONMENT,
    EVERY,
    NOOP,
    SUBJECT,
    TIMEOUT,
    VALUE,
    VIA,
    FormContext,
    Kind,
)
from forms.prefill import Prefill
from forms.result import FormOptions, Values, choice_of, choices_of, conversation_of, text_of

Errors = dict[str, str]
_FORM = Form("task", "")
DEFAULT_ENVIRONMENT = "production"
# Where the parser's complaints about the schedule's flags are shown.
SCHEDULE_FLAGS = {"--at": AT, "--every": EVERY}


def channel_block(options: FormOptions) -> bk.Block:
    element: dict[str, Any] = {
        "type": "conversations_select",
        "action_id": VALUE,
        "response_url_enabled": True,
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
        "placeholder": bk.plain("Choose a channel", bk.PLACEHOLDER),
    }
    if options.channel:
        element["initial_conversation"] = options.channel
    else:
        element["default_to_current_conversation"] = True
    return bk.input_block(
        CHANNEL,
        "Post in",
        element,
        hint="The job's card and thread go here; the bot must be a member.",
    )


def environment_block(options: FormOptions, current: str | None, *, dispatch: bool) -> bk.Block:
    """A select of the environments given (up to 100), else a text input; it dispatches when
    the form's contents depend on it (a task's metadata is per environment)."""
    current = current or DEFAULT_ENVIRONMENT
    choices = list(dict.fromkeys(options.environments))
    if current not in choices and choices:
        choices.append(current)  # the form is about this environment: it must be choosable
    if 0 < len(choices) <= bk.MAX_OPTIONS and all(map(bk.fits_option, choices)):
        element = bk.static_select(VALUE, [bk.option(c) for c in choices], initial=current)
    else:
        element = bk.text_input(VALUE, initial=current, placeholder=DEFAULT_ENVIRONMENT)
    return bk.input_block(ENVIRONMENT, "Environment", element, dispatch=dispatch)


def subject_option(name: str) -> dict[str, Any]:
    return bk.option(name)


def opening(
    kind: Kind,
    chosen: str | None,
    *,
    environment: str,
    options: FormOptions,
    prefill: Prefill | None,
    extra: dict[str, Any] | None,
) -> tuple[FormContext, list[bk.Block]]:
    """What a task or plan form starts with: its context (the `chosen` task or plan, if any),
    and the channel, environment and subject blocks (the subject as chosen, or as prefilled)."""
    subject = chosen or (prefill.subject if prefill else None)
    context = FormContext(kind, chosen, environment, dict(extra or {}))
    blocks = [
        channel_block(options),
        environment_block(options, environment, dispatch=True),
        subject_block(kind, subject),
    ]
    return context, blocks


def subject_block(kind: Kind, subject: str | None) -> bk.Block:
    """The task or plan, chosen by type-ahead (block_suggestion, answered by forms.options)."""
    initial = subject_option(subject) if subject and bk.fits_option(subject) else None
    element = bk.external_select(VALUE, initial=initial, placeholder=f"Type to search {kind}s")
    return bk.input_block(SUBJECT, kind.capitalize(), element, dispatch=True)


def noop_block(initial: bool | None) -> bk.Block:
    box = bk.option("noop", "No-op: report what would change, change nothing")
    element = bk.checkboxes(VALUE, [box], initial=["noop"] if initial else [])
    return bk.input_block(NOOP, "No-op", element, optional=True)


def number_block(block_id: str, label: str, initial: int | None, hint: str = "") -> bk.Block:
    shown = str(initial) if isinstance(initial, int) and 0 < initial <= MAX_INT else None
    element = bk.number_input(VALUE, decimal=False, low=1, high=MAX_INT, initial=shown)
    return bk.input_block(block_id, label, element, optional=True, hint=hint)


def text_block(
    block_id: str, label: str, initial: str | None, hint: str = "", placeholder: str = ""
) -> bk.Block:
    shown = initial if initial and len(initial) <= bk.MAX_TEXT else None
    element = bk.text_input(VALUE, initial=shown, placeholder=placeholder)
    return bk.input_block(block_id, label, element, optional=True, hint=hint)


def option_blocks(
    kind: Kind,
    options: FormOptions,
    *,
    noop: bool | None = None,
    supports_noop: bool = False,
    timeout: int | None = None,
    description: str | None = None,
) -> list[bk.Block]:
    """noop (tasks that support it), timeout (tasks and plans), description, schedule, via."""
    out = [noop_block(noop)] if supports_noop else []
    if kind != "deploy":
        each = "on each node" if kind == "task" else "for the whole plan"
        out.append(
            number_block(TIMEOUT, "Timeout (seconds)", timeout, f"How long it may run {each}.")
        )
    out.append(text_block(DESCRIPTION, "Description", description, "Kept with the job in PE."))
    if options.schedule:
        out += schedule_blocks()
    if kind == "task" and options.profiles:
        profiles = [bk.option(p) for p in options.profiles if bk.fits_option(p)]
        element = bk.static_select(VALUE, profiles, placeholder="Reach nodes over SSH/WinRM")
        hint = "Only with node names: the nodes are reached with this profile."
        out.append(
            bk.input_block(VIA, "Via (connection profile)", element, optional=True, hint=hint)
        )
    return out


def schedule_blocks() -> list[bk.Block]:
    return [
        text_block(AT, "Start at (optional)", None,
                   "Leave empty to run now. 09:00, tomorrow 09:00, monday 09:00 (your time "
                   "zone) or 2025-06-02T09:00:00+02:00.", "tomorrow 09:00"),
        text_block(EVERY, "Repeat every (optional)", None,
                   "30m, 2h, 1d, hourly, daily or weekly. Alone, it starts one interval from now.",
                   "daily"),
    ]  # fmt: skip


# -- reading ---------------------------------------------------------------------------------


def read_channel(values: Values) -> tuple[str | None, Errors]:
    channel = conversation_of(values, CHANNEL)
    return (channel, {}) if channel else (None, {CHANNEL: "Choose the channel for the job."})


def read_environment(values: Values) -> tuple[str | None, Errors]:
    text = choice_of(values, ENVIRONMENT) or text_of(values, ENVIRONMENT) or DEFAULT_ENVIRONMENT
    try:
        return environment(text, _FORM), {}
    except UsageError as exc:
        return None, {ENVIRONMENT: bk.clip(exc.message, 300)}


def read_subject(values: Values) -> str | None:
    return choice_of(values, SUBJECT)


def read_noop(values: Values) -> bool:
    return "noop" in choices_of(values, NOOP)


def read_number(values: Values, block_id: str) -> tuple[int | None, Errors]:
    text = text_of(values, block_id)
    if text is None:
        return None, {}
    if not text.isdigit() or not 0 < int(text) <= MAX_INT:
        return None, {block_id: f"A whole number from 1 to {MAX_INT}."}
    return int(text), {}


def read_schedule(
    values: Values, *, now: datetime, zone: tzinfo, kind: Kind, minimum_interval: int = MIN_INTERVAL
) -> tuple[When | None, list[str], Errors]:
    """--at/--every through commands.when (UsageError → the field's inline error), and the
    flags as the command would spell them (for the equivalent command's text)."""
    at, every = text_of(values, AT), text_of(values, EVERY)
    if every is not None:
        try:
            parse_interval(every, command=kind, minimum=minimum_interval)
        except UsageError as exc:
            return None, [], {EVERY: bk.clip(exc.message, 300)}
    try:
        when = parse_when(
            at=at, every=every, now=now, zone=zone, command=kind, minimum_interval=minimum_interval
        )
    except UsageError as exc:
        return None, [], {AT: bk.clip(exc.message, 300)}
    flags = [f"--at={at}"] if at else []
    return when, flags + ([f"--every={every}"] if every else []), {}


def read_via(values: Values, profiles: Sequence[str]) -> tuple[str | None, Errors]:
    via = choice_of(values, VIA)
    if via is not None and via not in profiles:
        return None, {VIA: "Choose one of the configured connection profiles."}
    return via, {}
