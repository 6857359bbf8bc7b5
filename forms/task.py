"""The "Run a task" form: built from GET /tasks/<module>/<task>, read back as /task would be."""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from typing import Any

from commands.intents import RunTask
from commands.when import MIN_INTERVAL
from forms import blocks as bk
from forms import common, layout, targets
from forms.assemble import check_params, command_text, parse
from forms.fields import MISSING, ParamField, param_fields
from forms.ids import CALLBACKS, DESCRIPTION, NOOP, SUBJECT, TIMEOUT, VIA
from forms.layout import read_params
from forms.prefill import Prefill
from forms.result import FormErrors, FormOptions, Submission, Values
from orchestrator.models import TaskInfo

TITLE = "Run a task"
CALLBACK = CALLBACKS["task"]


def task_form(
    info: TaskInfo | None,
    *,
    environment: str,
    options: FormOptions | None = None,
    prefill: Prefill | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The modal: channel, environment and task first; with `info`, the task's parameters,
    where it runs and its options. Without `info`, only the first three (choose a task)."""
    options = options or FormOptions()
    context, blocks = common.opening(
        "task",
        info.name if info else None,
        environment=environment,
        options=options,
        prefill=prefill,
        extra=extra,
    )
    if info is None:
        blocks.append(bk.context("Choose a task: its parameters appear here."))
        return bk.modal(TITLE, blocks, callback_id=CALLBACK, private_metadata=context.encode())
    shown = dict(prefill.params) if prefill else {}
    fields = _fields(info, shown)
    tail = targets.target_blocks(
        options.node_groups, initial=prefill.target if prefill else None, what="Run on"
    ) + common.option_blocks(
        "task",
        options,
        noop=prefill.noop if prefill else None,
        supports_noop=info.supports_noop,
        timeout=prefill.timeout if prefill else None,
        description=prefill.description if prefill else None,
    )
    head = [*blocks, bk.section(_about(info))]

    def render(fitted: layout.Layout) -> dict[str, Any]:
        params = [f.block(shown.get(f.spec.name, MISSING)) for f in fitted.shown]
        notes = layout.notes(fitted, f"/task {info.name}")
        blocks = [*head, *params, *notes, *tail]
        return bk.modal(TITLE, blocks, callback_id=CALLBACK, private_metadata=context.encode())

    return layout.fit_view(fields, bk.MAX_BLOCKS - len(head) - len(tail), render)


def _fields(info: TaskInfo, shown: dict[str, Any]) -> list[ParamField]:
    # A task takes no TargetSpec (plans do): such a parameter is plain text here.
    return [
        f if f.widget != "target" else ParamField(f.spec, f.subject, "text")
        for f in param_fields(dict(info.parameters), info.name, shown)
    ]


def _about(info: TaskInfo) -> str:
    about = f"*{bk.mrkdwn_escape(info.name)}*"
    if info.description:
        about += f": {bk.mrkdwn_escape(info.description)}"
    if not info.parameters:
        about += "\n_No parameters._"
    return about


def read_task_form(
    values: Values,
    info: TaskInfo,
    *,
    options: FormOptions | None = None,
    now: datetime,
    zone: tzinfo,
    minimum_interval: int = MIN_INTERVAL,
) -> Submission | FormErrors:
    """view.state.values → the RunTask /task would give (with the channel and schedule), or
    inline errors. `info` is the task the form was built for (private_metadata's subject and
    environment); a task or environment changed but not yet reloaded is an error to retry."""
    options = options or FormOptions()
    errors: dict[str, str] = {}
    channel, found = common.read_channel(values)
    errors |= found
    environment, found = common.read_environment(values)
    errors |= found
    if common.read_subject(values) != info.name:
        errors[SUBJECT] = "The form is still showing another task: wait for it to reload."
    elif environment and info.environment and environment != info.environment:
        errors[SUBJECT] = f"Reloading the task for {environment}: submit again in a moment."
    fields = _fields(info, {})
    raw, given_json, found = read_params(values, fields, f"/task {info.name}")
    if found.get(SUBJECT) and SUBJECT in errors:
        found.pop(SUBJECT)
    errors |= found
    target, found = targets.read_target(values)
    errors |= found
    timeout, found = common.read_number(values, TIMEOUT)
    errors |= found
    via, found = common.read_via(values, options.profiles)
    errors |= found
    if via and target and target.part != "nodes":
        errors[VIA] = "Via reaches nodes by name: list the nodes instead of a query or group."
    when, schedule, found = common.read_schedule(
        values, now=now, zone=zone, kind="task", minimum_interval=minimum_interval
    )
    errors |= found
    if errors or target is None or channel is None:
        return FormErrors(errors)
    tokens = [_task_word(info.name), *(f"{k}={v}" for k, v in raw.items())]
    tokens += targets.scope_tokens(target)
    tokens += [f"--environment={environment}"]
    if info.supports_noop and common.read_noop(values):
        tokens.append("--noop")
    if timeout is not None:
        tokens.append(f"--timeout={timeout}")
    description = common.text_of(values, DESCRIPTION)
    if description:
        tokens.append(f"--description={description}")
    if given_json:
        tokens.append("--params=" + json.dumps(given_json, separators=(",", ":")))
    if via:
        tokens.append(f"--via={via}")
    flag_blocks = {
        "--nodes": targets.target_block("nodes"),
        "--query": targets.target_block("query"),
        "--node-group": targets.target_block("node_group"),
        "--timeout": TIMEOUT,
        "--via": VIA,
        "--noop": NOOP,
        **common.SCHEDULE_FLAGS,
    }
    # With the schedule's flags, so the intent carries them (commands.later) as /task would.
    intent = parse("task", tokens + schedule, flag_blocks, SUBJECT)
    if isinstance(intent, dict):
        return FormErrors(intent)
    assert isinstance(intent, RunTask)
    blocks = {f.spec.name: f.block_id for f in fields}
    found = check_params(intent.raw_params, intent.json_params, info.parameters, blocks, SUBJECT)
    if found:
        return FormErrors(found)
    return Submission(intent, channel, when, command_text("task", tokens + schedule))


def _task_word(name: str) -> str:
    # /task list, /task show and /task target are sub-commands; a module's own task is also
    # reachable as <module>::init (commands/task.py).
    return f"{name}::init" if name in ("list", "show", "target") else name
