"""Block markup → Block Kit, fitted to Slack's limits. Pure functions.

A rendered template is text in which a line `<section>`, `<header>`, `<context>`, `<actions>` or
`<text>` starts a block, and a line `<button>{json}` adds a button to the current actions block
(templates/README.md). User text is always escaped (`<` becomes `&lt;`), so no user text can
start a line with `<` and forge a block.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_FIELDS = 10  # Slack's limit on a section's fields; the bot's messages use none
MAX_FIELD = 2000
MAX_CONTEXT_ELEMENTS = 10
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_FALLBACK = 3000
KINDS = ("header", "section", "context", "actions", "text")
ELLIPSIS = "…"


@dataclass(frozen=True)
class Message:
    """What goes to chat.postMessage / chat.update / respond: fallback text and blocks."""

    text: str
    blocks: tuple[dict[str, Any], ...] = ()

    def payload(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": [dict(b) for b in self.blocks]}


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def parse(markup: str) -> tuple[str | None, list[dict[str, Any]]]:
    """Split rendered markup into (explicit fallback text, blocks)."""
    chunks: list[tuple[str, list[str]]] = []
    for line in markup.splitlines():
        tag = line.strip()
        if tag.startswith("<") and tag.endswith(">") and tag[1:-1] in KINDS:
            chunks.append((tag[1:-1], []))
        elif chunks:
            chunks[-1][1].append(line)
    fallback = None
    blocks: list[dict[str, Any]] = []
    for kind, lines in chunks:
        if kind == "text":
            fallback = "\n".join(lines).strip() or fallback
        else:
            blocks.extend(_block(kind, lines))
    return fallback, blocks


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def _block(kind: str, lines: list[str]) -> list[dict[str, Any]]:
    body = "\n".join(lines).strip()
    items = [ln.strip() for ln in lines if ln.strip()]
    if kind == "header":
        text = " ".join(items)
        return [{"type": "header", "text": {"type": "plain_text", "text": text}}] if text else []
    if kind == "section":
        return [{"type": "section", "text": _mrkdwn(body)}] if body else []
    if kind == "context":
        return [{"type": "context", "elements": [_mrkdwn(i) for i in items]}] if items else []
    buttons = [json.loads(i[len("<button>") :]) for i in items if i.startswith("<button>")]
    return [{"type": "actions", "elements": buttons}] if buttons else []


def _split_section(text: str) -> list[str]:
    """A long section becomes several, cut at line ends where possible."""
    parts: list[str] = []
    while len(text) > MAX_SECTION:
        cut = text.rfind("\n", 0, MAX_SECTION)
        cut = cut if cut > MAX_SECTION // 2 else MAX_SECTION
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*parts, text] if text else parts


def _fit_block(block: dict[str, Any]) -> list[dict[str, Any]]:
    kind = block["type"]
    if kind == "header":
        text = clip(block["text"]["text"], MAX_HEADER)
        return [{"type": "header", "text": {"type": "plain_text", "text": text}}]
    if kind == "section":
        return [
            {"type": "section", "text": _mrkdwn(p)} for p in _split_section(block["text"]["text"])
        ]
    if kind == "context":
        elements = [_mrkdwn(clip(e["text"], MAX_FIELD)) for e in block["elements"]]
        return [{"type": "context", "elements": elements[:MAX_CONTEXT_ELEMENTS]}]
    if kind == "actions":
        return [{"type": "actions", "elements": [_fit_button(b) for b in block["elements"][:25]]}]
    return [block]


def _fit_button(button: dict[str, Any]) -> dict[str, Any]:
    fitted = dict(button)
    fitted["text"] = {**button["text"], "text": clip(button["text"]["text"], MAX_BUTTON_TEXT)}
    if "value" in button and len(button["value"]) > MAX_BUTTON_VALUE:
        raise ValueError("a button value must stay an opaque id, not data")
    return fitted


def fit(blocks: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Blocks within Slack's limits: long sections split, texts clipped, at most 50 blocks.

    Actions are kept when blocks are dropped, since losing a Stop or Approve button would be
    worse than losing a line of detail.
    """
    fitted = [piece for block in blocks for piece in _fit_block(block)]
    if len(fitted) <= MAX_BLOCKS:
        return fitted
    actions = [b for b in fitted if b["type"] == "actions"][:2]
    others = [b for b in fitted if b["type"] != "actions"]
    keep = MAX_BLOCKS - len(actions) - 1
    dropped = len(others) - keep
    note = {"type": "context", "elements": [_mrkdwn(f"{ELLIPSIS} {dropped} more blocks not shown")]}
    return [*others[:keep], note, *actions]


def fallback_text(blocks: Iterable[dict[str, Any]]) -> str:
    """Notification text when the template gives none: the header and the first section."""
    parts: list[str] = []
    for block in blocks:
        if block["type"] == "header":
            parts.append(block["text"]["text"])
        elif block["type"] == "section" and "text" in block:
            parts.append(block["text"]["text"])
            break
    return clip("\n".join(parts), MAX_FALLBACK)


def build(markup: str) -> Message:
    fallback, blocks = parse(markup)
    fitted = fit(blocks)
    text = clip(fallback, MAX_FALLBACK) if fallback else fallback_text(fitted)
    return Message(text=text or ELLIPSIS, blocks=tuple(fitted))
