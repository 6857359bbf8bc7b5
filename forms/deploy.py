"""The "Run Puppet" form: the /deploy command's options as fields, read back as /deploy would be."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from typing import Any

from commands.deploy import ORDERINGS
from commands.intents import RunDeploy
from commands.when import MIN_INTERVAL
from forms import blocks as bk
from forms import common, targets
from forms.assemble import command_text, parse
from forms.ids import CALLBACKS, CHANNEL, DESCRIPTION, ENVIRONMENT, VALUE, FormContext, deploy_block
from forms.prefill import Prefill
from forms.result import FormErrors, FormOptions, Submission, Values, choice_of, choices_of, text_of

TITLE = "Run Puppet"
MODE = deploy_block("mode")
ENFORCE = deploy_block("enforce")
AGENT = deploy_block("agent")
ORDERING = deploy_block("ordering")
TAGS = deploy_block("tags")
SKIP_TAGS = deploy_block("skip_tags")
# The numeric options, as the command spells them and as the form labels them.
NUMBERS = {
    "concurrency": ("--concurrency", "Concurrency (nodes at once)"),
    "filetimeout": ("--filetimeout", "Agents' --filetimeout (s)"),
    "http_connect_timeout": ("--http-connect-timeout", "Agents' --http_connect_timeout (s)"),
    "http_keepalive_timeout": ("--http-keepalive-timeout", "Agents' --http_keepalive_timeout (s)"),
    "http_read_timeout": ("--http-read-timeout", "Agents' --http_read_timeout (s)"),
}
MODES = {
    "enforce": ("Enforce (the agents' own noop setting applies)", None),
    "noop": ("No-op: report what would change, change nothing", "--noop"),
    "no_noop": ("Enforce, overriding noop = true in puppet.conf", "--no-noop"),
}
ENFORCEMENT = {
    "default": ("The orchestrator's default", None),
    "enforce": ("Force the agents into this environment", "--enforce-environment"),
    "own": ("Let each node keep its own environment", "--no-enforce-environment"),
}
SWITCHES = {
    "debug": "--debug",
    "trace": "--trace",
    "evaltrace": "--evaltrace",
    "use_cached_catalog": "--use-cached-catalog",
    "usecacheonfailure": "--usecacheonfailure",
}
_TAG_SPLIT = re.compile(r"[\s,]+")


def deploy_form(
    *,
    environment: str,
    options: FormOptions | None = None,
    prefill: Prefill | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The modal with every /deploy option; `prefill` shows a stored deploy again."""
    options = options or FormOptions()
    given = dict(prefill.deploy) if prefill else {}
    context = FormContext("deploy", None, environment, dict(extra or {}))
    mode = (
        "noop" if prefill and prefill.noop else ("no_noop" if given.get("no_noop") else "enforce")
    )
    enforced = given.get("enforce_environment")
    enforce = "enforce" if enforced is True else ("own" if enforced is False else "default")
    blocks = [
        common.channel_block(options),
        common.environment_block(options, environment, dispatch=False),
        *targets.target_blocks(
            options.node_groups, initial=prefill.target if prefill else None, what="Run on"
        ),
        _radio(MODE, "Mode", MODES, mode),
        common.number_block(deploy_block("concurrency"), NUMBERS["concurrency"][1],
                            given.get("concurrency"), "The most nodes to run at once."),
        common.text_block(TAGS, "Only resources tagged", given.get("tags"),
                          "Tags, comma-separated: apply only these.", "ntp, profile::web"),
        common.text_block(SKIP_TAGS, "Skip resources tagged", given.get("skip_tags"),
                          "Tags, comma-separated: skip these."),
        common.text_block(DESCRIPTION, "Description",
                          prefill.description if prefill else None, "Kept with the job in PE."),
        _radio(ENFORCE, "Environment enforcement", ENFORCEMENT, enforce),
        _agent_flags([k for k in SWITCHES if given.get(k) is True]),
        _ordering(given.get("ordering")),
        *(common.number_block(deploy_block(key), label, given.get(key))
          for key, (_, label) in NUMBERS.items() if key != "concurrency"),
    ]  # fmt: skip
    if options.schedule:
        blocks += common.schedule_blocks()
    return bk.modal(
        TITLE, blocks, callback_id=CALLBACKS["deploy"], private_metadata=context.encode()
    )


def _ordering(initial: str | None) -> bk.Block:
    element = bk.static_select(VALUE, [bk.option(o) for o in ORDERINGS], initial=initial)
    return bk.input_block(ORDERING, "Agents' --ordering", element, optional=True)


def _radio(
    block_id: str, label: str, choices: dict[str, tuple[str, Any]], initial: str
) -> bk.Block:
    options = [bk.option(key, text) for key, (text, _) in choices.items()]
    return bk.input_block(block_id, label, bk.radio_buttons(VALUE, options, initial=initial))


def _agent_flags(initial: list[str]) -> bk.Block:
    options = [bk.option(key, flag) for key, flag in SWITCHES.items()]
    element = bk.checkboxes(VALUE, options, initial=initial)
    return bk.input_block(AGENT, "Agent flags", element, optional=True)


def read_deploy_form(
    values: Values, *, now: datetime, zone: tzinfo, minimum_interval: int = MIN_INTERVAL
) -> Submission | FormErrors:
    """view.state.values → the RunDeploy /deploy would give, or inline errors by block_id."""
    errors: dict[str, str] = {}
    channel, found = common.read_channel(values)
    errors |= found
    environment, found = common.read_environment(values)
    errors |= found
    target, found = targets.read_target(values)
    errors |= found
    tokens: list[str] = [environment or ""]
    tokens += targets.scope_tokens(target) if target else []
    tokens += _chosen_flag(values, MODE, MODES) + _chosen_flag(values, ENFORCE, ENFORCEMENT)
    for key, (flag, _) in NUMBERS.items():
        number, found = common.read_number(values, deploy_block(key))
        errors |= found
        if number is not None:
            tokens.append(f"{flag}={number}")
    for block_id, flag in ((TAGS, "--tags"), (SKIP_TAGS, "--skip-tags")):
        tags = [t for t in _TAG_SPLIT.split(text_of(values, block_id) or "") if t]
        if tags:
            tokens.append(f"{flag}=" + ",".join(tags))
    tokens += [SWITCHES[k] for k in choices_of(values, AGENT) if k in SWITCHES]
    ordering = choice_of(values, ORDERING)
    if ordering:
        tokens.append(f"--ordering={ordering}")
    description = text_of(values, DESCRIPTION)
    if description:
        tokens.append(f"--description={description}")
    when, schedule, found = common.read_schedule(
        values, now=now, zone=zone, kind="deploy", minimum_interval=minimum_interval
    )
    errors |= found
    if errors or channel is None or target is None:
        return FormErrors(errors)
    flag_blocks = {
        "--nodes": targets.target_block("nodes"),
        "--query": targets.target_block("query"),
        "--node-group": targets.target_block("node_group"),
        "--tags": TAGS,
        "--skip-tags": SKIP_TAGS,
        "--ordering": ORDERING,
        "enforce-environment": ENFORCE,
        "--noop": MODE,
        "--no-noop": MODE,
        "environment": ENVIRONMENT,
        **{flag: deploy_block(key) for key, (flag, _) in NUMBERS.items()},
        **common.SCHEDULE_FLAGS,
    }
    intent = parse("deploy", tokens + schedule, flag_blocks, CHANNEL)
    if isinstance(intent, dict):
        return FormErrors(intent)
    assert isinstance(intent, RunDeploy)
    return Submission(intent, channel, when, command_text("deploy", tokens + schedule))


def _chosen_flag(values: Values, block_id: str, choices: dict[str, tuple[str, Any]]) -> list[str]:
    chosen = choice_of(values, block_id)
    flag = choices.get(chosen or "", ("", None))[1]
    return [flag] if flag else []
