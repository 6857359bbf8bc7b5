"""Where a run goes: nodes (a list), a PQL query, or a node group, exactly one of them.

A task or deploy has one such group of fields (`target:nodes`, `target:query`,
`target:node_group`); a plan has one per TargetSpec parameter (`target:<param>:...`). Each
value is checked as the slash command checks it (certnames, node-group UUIDs, queries).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from commands.grammar import Form
from commands.intents import UsageError
from commands.names import certname, node_group_id
from forms import blocks as bk
from forms.ids import VALUE, target_block
from forms.result import NodeGroupChoice, Values, choice_of, text_of

Part = Literal["nodes", "query", "node_group"]
PARTS: tuple[Part, ...] = ("nodes", "query", "node_group")
_SPLIT = re.compile(r"[\s,]+")
_FORM = Form("task", "")
_NODES_EXAMPLE = "web01.example.com, web02.example.com"


@dataclass(frozen=True)
class Target:
    """The one way the nodes were named: node certnames, a query's text, or a group id."""

    part: Part
    value: str | tuple[str, ...]


def target_blocks(
    groups: Sequence[NodeGroupChoice],
    *,
    param: str | None = None,
    optional: bool = False,
    initial: Target | None = None,
    what: str = "Nodes",
) -> list[bk.Block]:
    """A context line and the three inputs; all optional to Slack, since exactly one is
    needed (checked on submit)."""
    shown = initial.value if initial else None
    nodes = (
        "\n".join(shown)
        if initial and initial.part == "nodes" and isinstance(shown, tuple)
        else None
    )
    nodes = nodes if nodes and len(nodes) <= bk.MAX_TEXT else None
    query = shown if initial and initial.part == "query" and isinstance(shown, str) else None
    group = shown if initial and initial.part == "node_group" and isinstance(shown, str) else None
    need = "optional" if optional else "give exactly one"
    blocks = [
        bk.context(
            f"*{bk.mrkdwn_escape(what)}*: a list of nodes, a PQL query or a node group ({need})."
        ),
        bk.input_block(
            target_block("nodes", param),
            f"{what}: node names",
            bk.text_input(VALUE, initial=nodes, multiline=True, placeholder=_NODES_EXAMPLE),
            optional=True,
            hint="Certnames, separated by commas or new lines.",
        ),
        bk.input_block(
            target_block("query", param),
            f"{what}: or a PQL query",
            bk.text_input(VALUE, initial=query if isinstance(query, str) else None, multiline=True,
                          placeholder="inventory[certname] { facts.os.family = \"RedHat\" }"),
            optional=True,
            hint="The orchestrator finds the nodes when the job starts.",
        ),
        bk.input_block(
            target_block("node_group", param),
            f"{what}: or a node group",
            _group_element(groups, group if isinstance(group, str) else None),
            optional=True,
        ),
    ]  # fmt: skip
    return blocks


def _group_element(groups: Sequence[NodeGroupChoice], initial: str | None) -> dict[str, Any]:
    if not groups:
        return bk.text_input(
            VALUE, initial=initial, placeholder="00000000-0000-4000-8000-000000000000"
        )
    if len(groups) <= bk.MAX_OPTIONS:
        options = [group_option(g) for g in sorted(groups, key=lambda g: g.name.lower())]
        return bk.static_select(VALUE, options, initial=initial, placeholder="Choose a node group")
    chosen = next((group_option(g) for g in groups if g.id == initial), None)
    return bk.external_select(VALUE, initial=chosen, placeholder="Type a group's name")


def group_option(group: NodeGroupChoice) -> dict[str, Any]:
    return bk.option(group.id, group.name or group.id)


def read_target(
    values: Values, *, param: str | None = None, optional: bool = False
) -> tuple[Target | None, dict[str, str]]:
    """The target given, or errors by block_id: none (when required), several, or a bad value."""
    given: dict[Part, str] = {}
    for part in PARTS:
        block = target_block(part, param)
        text = choice_of(values, block) if part == "node_group" else None
        text = text or text_of(values, block)
        if text:
            given[part] = text
    if not given:
        if optional:
            return None, {}
        return None, {
            target_block(
                "nodes", param
            ): "Say which nodes: list them, or give a PQL query or a node group."
        }
    if len(given) > 1:
        extra = list(given)[1]
        return None, {
            target_block(extra, param): "Give only one of: node names, a PQL query, a node group."
        }
    part, text = next(iter(given.items()))
    block = target_block(part, param)
    try:
        if part == "nodes":
            names = tuple(dict.fromkeys(n for n in _SPLIT.split(text) if n))
            # A plan's TargetSpec takes any target name, as /plan does; --nodes takes certnames.
            checked = names if param else tuple(certname(n, _FORM) for n in names)
            return Target("nodes", checked), {}
        if part == "node_group":
            return Target("node_group", node_group_id(text, _FORM)), {}
    except UsageError as exc:
        return None, {block: bk.clip(exc.message, 300)}
    if text.startswith("[") and param is None:
        try:
            query = json.loads(text)
        except ValueError:
            return None, {
                block: "A query starting with [ is PuppetDB JSON; this is not valid JSON."
            }
        if not isinstance(query, list) or not query:
            return None, {block: 'A JSON query is a non-empty array, e.g. ["from", "nodes"].'}
    return Target("query", text), {}


def scope_tokens(target: Target) -> list[str]:
    """The slash command's flag for a task's or deploy's target."""
    if target.part == "nodes":
        return ["--nodes=" + ",".join(target.value)]
    flag = "--query=" if target.part == "query" else "--node-group="
    return [flag + str(target.value)]


def param_token(name: str, target: Target) -> str:
    """A plan's target parameter as `name=...`, as /plan takes it."""
    if target.part == "nodes":
        return f"{name}=" + ",".join(target.value)
    prefix = "query:" if target.part == "query" else "node_group:"
    return f"{name}={prefix}{target.value}"
