"""What cards and the nodes modal show about a request's reach. Pure functions.

An approver sees counts by environment, the nodes themselves when there are few, and why any
node counts as production; when there are many, every node is one click away in a paged modal
grouped by environment, so nothing is hidden and the thread is not flooded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from policy.reach import Reach, is_production
from render.blocks import MAX_SECTION

FEW = 10
DOUBTS_SHOWN = 5
PAGE = 100
MODAL_CALLBACK = "reach_nodes"
# Action ids are unique within a view, so each page button has its own.
PREVIOUS, NEXT = "reach_nodes_previous", "reach_nodes_next"


def mode(endpoint: str, body: Mapping[str, Any]) -> str | None:
    """Noop or enforcing, stated on every card whatever the user typed."""
    if endpoint in ("deploy", "task"):
        return "noop" if body.get("noop") else "enforcing"
    if endpoint in ("plan_run", "environment_plan_run"):
        return "enforcing"
    return None


def reach_view(reach: Reach | None) -> dict[str, Any] | None:
    """Template data for the reach section of a card."""
    if reach is None or (not reach.nodes and reach.unknown is None and reach.plan is None):
        return None
    groups = reach.by_environment()
    doubtful = reach.doubtful()
    count = len(reach.nodes)
    return {
        "count": count,
        "target": reach.target,
        "pinned": reach.pinned,
        "counts": [(env, len(nodes), is_production(env)) for env, nodes in groups],
        "groups": [(env, [n.certname for n in nodes]) for env, nodes in groups]
        if count <= FEW
        else [],
        "many": count > FEW,
        "doubtful": [(n.certname, n.why) for n in doubtful[:DOUBTS_SHOWN]],
        "doubtful_more": max(0, len(doubtful) - DOUBTS_SHOWN),
        "unknown": reach.unknown,
        "plan": reach.plan,
    }


def nodes_modal(subject: str, reach: Reach, page: int, ref: str) -> dict[str, Any]:
    """A modal listing one page of the reached nodes, grouped by environment, with Previous
    and Next buttons; `ref` (the approval id) is what the buttons carry, never data."""
    ordered = [(env, node) for env, nodes in reach.by_environment() for node in nodes]
    pages = max(1, -(-len(ordered) // PAGE))
    page = min(max(1, page), pages)
    chunk = ordered[(page - 1) * PAGE : page * PAGE]
    counts = ", ".join(f"{n} {env}" for env, n, _ in (reach_view(reach) or {}).get("counts", []))
    blocks: list[dict[str, Any]] = [
        _section(f"*{_esc(subject)}*\n{len(ordered)} nodes: {_esc(counts)}"),
    ]
    current = None
    lines: list[str] = []
    for env, node in chunk:
        if env != current:
            if lines:
                blocks.extend(_sections(lines))
            lines = [f"*{_esc(env)}*"]
            current = env
        why = f" ({_esc(node.why)})" if node.why else ""
        lines.append(f"• `{_esc(node.certname).replace('`', 'ˋ')}`{why}")
    if lines:
        blocks.extend(_sections(lines))
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"Page {page} of {pages}"}],
        }
    )
    buttons = []
    if page > 1:
        buttons.append(_button("Previous", PREVIOUS, f"{ref}:{page - 1}"))
    if page < pages:
        buttons.append(_button("Next", NEXT, f"{ref}:{page + 1}"))
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    return {
        "type": "modal",
        "callback_id": MODAL_CALLBACK,
        "private_metadata": json.dumps({"ref": ref, "page": page}),
        "title": {"type": "plain_text", "text": "Reached nodes"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": blocks,
    }


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _sections(lines: list[str]) -> list[dict[str, Any]]:
    """Lines packed into sections of at most MAX_SECTION characters."""
    out: list[dict[str, Any]] = []
    current: list[str] = []
    size = 0
    for line in lines:
        if current and size + len(line) + 1 > MAX_SECTION:
            out.append(_section("\n".join(current)))
            current, size = [], 0
        current.append(line[:MAX_SECTION])
        size += len(line) + 1
    if current:
        out.append(_section("\n".join(current)))
    return out


def _button(label: str, action_id: str, value: str) -> dict[str, Any]:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action_id,
        "value": value,
    }
