"""The "Run a plan" form: built from GET /plans/<module>/<plan>, read back as /plan would be.

Each TargetSpec parameter gets the three target fields (nodes, a PQL query or a node group);
a query or group makes the request an environment_plan_run, as `name=query:...` does.
"""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from typing import Any

from commands.intents import RunPlan
from commands.when import MIN_INTERVAL
from forms import blocks as bk
from forms import common, layout, targets
from forms.assemble import check_params, command_text, parse
from forms.fields import MISSING, ParamField, param_fields
from forms.ids import CALLBACKS, DESCRIPTION, SUBJECT, TIMEOUT
from forms.layout import read_params
from forms.prefill import Prefill
from forms.result import FormErrors, FormOptions, Submission, Values
from orchestrator.models import PlanInfo

TITLE = "Run a plan"
CALLBACK = CALLBACKS["plan"]
TARGET_COST = 4  # a context line and three inputs
_SCOPED = ("query:", "node_group:")


def plan_form(
    info: PlanInfo | None,
    *,
    environment: str,
    options: FormOptions | None = None,
    prefill: Prefill | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The modal: channel, environment and plan; with `info`, its parameters (targets as
    nodes/query/group), timeout, description and schedule."""
    options = options or FormOptions()
    context, head = common.opening(
        "plan",
        info.name if info else None,
        environment=environment,
        options=options,
        prefill=prefill,
        extra=extra,
    )
    if info is None:
        head.append(bk.context("Choose a plan: its parameters appear here."))
        return bk.modal(TITLE, head, callback_id=CALLBACK, private_metadata=context.encode())
    head.append(bk.section(_about(info)))
    shown = dict(prefill.params) if prefill else {}
    fields = param_fields(dict(info.parameters), info.name, shown)
    tail = common.option_blocks(
        "plan",
        options,
        timeout=prefill.timeout if prefill else None,
        description=prefill.description if prefill else None,
    )
    node_groups = options.node_groups

    def render(fitted: layout.Layout) -> dict[str, Any]:
        body: list[bk.Block] = []
        for field in fitted.shown:
            if field.widget != "target":
                body.append(field.block(shown.get(field.spec.name, MISSING)))
                continue
            body += targets.target_blocks(
                node_groups,
                param=field.spec.name,
                optional=field.optional,
                initial=_initial_target(field, prefill),
                what=field.spec.name,
            )
        notes = layout.notes(fitted, f"/plan {info.name}")
        blocks = [*head, *body, *notes, *tail]
        return bk.modal(TITLE, blocks, callback_id=CALLBACK, private_metadata=context.encode())

    budget = bk.MAX_BLOCKS - len(head) - len(tail)
    return layout.fit_view(fields, budget, render, {"target": TARGET_COST})


def _initial_target(field: ParamField, prefill: Prefill | None) -> targets.Target | None:
    if prefill is None:
        return None
    if field.spec.name in prefill.targets:
        return prefill.targets[field.spec.name]
    given = prefill.params.get(field.spec.name)
    if isinstance(given, str) and given:
        return targets.Target("nodes", tuple(given.split(",")))
    if isinstance(given, list) and given and all(isinstance(g, str) for g in given):
        return targets.Target("nodes", tuple(given))
    return None


def _about(info: PlanInfo) -> str:
    about = f"*{bk.mrkdwn_escape(info.name)}*"
    if info.description:
        about += f": {bk.mrkdwn_escape(info.description)}"
    return about


def read_plan_form(
    values: Values,
    info: PlanInfo,
    *,
    now: datetime,
    zone: tzinfo,
    minimum_interval: int = MIN_INTERVAL,
) -> Submission | FormErrors:
    """view.state.values → the RunPlan /plan would give (with the channel and schedule), or
    inline errors by block_id."""
    errors: dict[str, str] = {}
    channel, found = common.read_channel(values)
    errors |= found
    environment, found = common.read_environment(values)
    errors |= found
    if common.read_subject(values) != info.name:
        errors[SUBJECT] = "The form is still showing another plan: wait for it to reload."
    elif environment and info.environment and environment != info.environment:
        errors[SUBJECT] = f"Reloading the plan for {environment}: submit again in a moment."
    elif not info.permitted:
        errors[SUBJECT] = "The bot's PE user is not permitted to run this plan (RBAC)."
    fields = param_fields(dict(info.parameters), info.name)
    raw, given_json, found = read_params(values, fields, f"/plan {info.name}")
    errors |= {k: v for k, v in found.items() if k not in errors}
    words: list[str] = []
    for name, value in raw.items():
        if value.startswith(_SCOPED):
            given_json[name] = value  # as --params, so it is not read as a query or group
        else:
            words.append(f"{name}={value}")
    unseen: list[str] = []
    for field in (f for f in fields if f.widget == "target"):
        if targets.target_block("nodes", field.spec.name) not in values:
            if field.spec.required:
                unseen.append(field.spec.name)
            continue
        target, found = targets.read_target(values, param=field.spec.name, optional=field.optional)
        errors |= found
        if target is not None:
            words.append(targets.param_token(field.spec.name, target))
    if unseen and SUBJECT not in errors:
        errors[SUBJECT] = bk.clip(
            f"{', '.join(unseen)} cannot be given in this form: run it with /plan {info.name} ...",
            300,
        )
    timeout, found = common.read_number(values, TIMEOUT)
    errors |= found
    when, schedule, found = common.read_schedule(
        values, now=now, zone=zone, kind="plan", minimum_interval=minimum_interval
    )
    errors |= found
    if errors or channel is None:
        return FormErrors(errors)
    # /plan list and /plan show are sub-commands: such a module's plan is <module>::init.
    word = f"{info.name}::init" if info.name in ("list", "show") else info.name
    tokens = [word, *words, f"--environment={environment}"]
    if timeout is not None:
        tokens.append(f"--timeout={timeout}")
    description = common.text_of(values, DESCRIPTION)
    if description:
        tokens.append(f"--description={description}")
    if given_json:
        tokens.append("--params=" + json.dumps(given_json, separators=(",", ":")))
    flag_blocks = {"--timeout": TIMEOUT, **common.SCHEDULE_FLAGS}
    intent = parse("plan", tokens + schedule, flag_blocks, SUBJECT)
    if isinstance(intent, dict):
        return FormErrors(intent)
    assert isinstance(intent, RunPlan)
    blocks = {f.spec.name: _block_of(f) for f in fields}
    found = check_params(
        intent.raw_params,
        intent.json_params,
        info.parameters,
        blocks,
        SUBJECT,
        elsewhere=tuple(intent.scoped_params),
    )
    if found:
        return FormErrors(found)
    return Submission(intent, channel, when, command_text("plan", tokens + schedule))


def _block_of(field: ParamField) -> str:
    if field.widget == "target":
        return targets.target_block("nodes", field.spec.name)
    return field.block_id
