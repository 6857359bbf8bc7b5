"""Block Kit as plain terminal text: what a Slack user would read, buttons included."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

DIVIDER = "-" * 40
_TOKEN = re.compile(r"<([^<>]+)>")


def render_blocks(
    text: str | None,
    blocks: list[dict[str, Any]] | None,
    users: Mapping[str, str] | None = None,
) -> str:
    """The blocks as Slack shows them, or the mrkdwn `text` when there are none."""
    names = users or {}
    if not blocks:
        return render_mrkdwn(text or "", names)
    return "\n".join(_block(block, names) for block in blocks)


def render_mrkdwn(text: str, users: Mapping[str, str] | None = None) -> str:
    """Slack's mrkdwn with its <…> tokens resolved and &amp; &lt; &gt; unescaped; *bold* kept."""
    names = users or {}
    out: list[str] = []
    pos = 0
    for match in _TOKEN.finditer(text):
        out.append(html.unescape(text[pos : match.start()]))
        out.append(_token(match.group(1), names))
        pos = match.end()
    out.append(html.unescape(text[pos:]))
    return "".join(out)


def _token(body: str, users: Mapping[str, str]) -> str:
    target, _, label = body.partition("|")
    label = html.unescape(label)
    if target.startswith("@"):
        user_id = target[1:]
        return "@" + (label or users.get(user_id, user_id))
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):
        return _special(target[1:], label)
    url = html.unescape(target)
    return f"{label} ({url})" if label and label != url else url


def _special(command: str, label: str) -> str:
    if command.startswith("subteam^"):
        handle = label or "@" + command.split("^", 1)[1]
        return handle if handle.startswith("@") else "@" + handle
    if command.startswith("date^"):
        return label or command.split("^")[1]
    return "@" + command if command in ("here", "channel", "everyone") else label or command


def _text(obj: Any, users: Mapping[str, str]) -> str:
    """A text object: mrkdwn gets links resolved; plain_text is shown as written."""
    if not isinstance(obj, dict):
        return ""
    raw = str(obj.get("text", ""))
    return render_mrkdwn(raw, users) if obj.get("type") == "mrkdwn" else html.unescape(raw)


def _block(block: dict[str, Any], users: Mapping[str, str]) -> str:
    kind = block.get("type")
    if kind == "header":
        return f"== {_text(block.get('text'), users)} =="
    if kind == "divider":
        return DIVIDER
    if kind == "section":
        return _section(block, users)
    if kind == "context":
        parts = [_context_element(e, users) for e in block.get("elements", [])]
        return "  " + " · ".join(p for p in parts if p)
    if kind == "actions":
        return " ".join(_element(e, users) for e in block.get("elements", []))
    if kind == "rich_text":
        return "\n".join(_rich(e, users) for e in block.get("elements", []))
    if kind == "image":
        return f"[image: {block.get('alt_text', '')}]"
    if kind == "input":
        return f"{_text(block.get('label'), users)}: {_element(block.get('element', {}), users)}"
    if kind == "markdown":
        return str(block.get("text", ""))
    return f"[unsupported block: {kind}]"


def _section(block: dict[str, Any], users: Mapping[str, str]) -> str:
    lines = []
    if block.get("text"):
        lines.append(_text(block["text"], users))
    lines += [_text(field, users) for field in block.get("fields", [])]
    accessory = block.get("accessory")
    if isinstance(accessory, dict):
        lines.append(_element(accessory, users))
    return "\n".join(lines)


def _context_element(element: dict[str, Any], users: Mapping[str, str]) -> str:
    if element.get("type") == "image":
        return f"[{element.get('alt_text', 'image')}]"
    return _text(element, users)


def _element(element: dict[str, Any], users: Mapping[str, str]) -> str:
    kind = element.get("type")
    if kind == "button":
        return f"[ {_text(element.get('text'), users)} ]"
    if kind == "image":
        return f"[image: {element.get('alt_text', '')}]"
    label = _text(element.get("placeholder"), users) or kind or "?"
    return f"[ {label} v ]"


def _rich(element: dict[str, Any], users: Mapping[str, str]) -> str:
    kind = element.get("type")
    inner = element.get("elements", [])
    if kind == "rich_text_list":
        return "\n".join(f"- {_rich(item, users)}" for item in inner)
    if kind == "rich_text_preformatted":
        return "```\n" + _inline(inner, users) + "\n```"
    if kind == "rich_text_quote":
        return "\n".join("> " + line for line in _inline(inner, users).splitlines())
    return _inline(inner, users)


def _inline(elements: list[dict[str, Any]], users: Mapping[str, str]) -> str:
    parts = []
    for e in elements:
        kind = e.get("type")
        if kind == "text":
            parts.append(str(e.get("text", "")))
        elif kind == "link":
            url = str(e.get("url", ""))
            parts.append(f"{e['text']} ({url})" if e.get("text") else url)
        elif kind == "user":
            parts.append("@" + users.get(e.get("user_id", ""), e.get("user_id", "")))
        elif kind == "usergroup":
            parts.append("@" + str(e.get("usergroup_id", "")))
        elif kind == "channel":
            parts.append("#" + str(e.get("channel_id", "")))
        elif kind == "emoji":
            parts.append(f":{e.get('name', '')}:")
        elif kind == "broadcast":
            parts.append("@" + str(e.get("range", "here")))
    return "".join(parts)


def render_view(
    view: Mapping[str, Any],
    values: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
    errors: Mapping[str, str] | None = None,
    users: Mapping[str, str] | None = None,
) -> str:
    """A modal or Home tab as a person reads it: the title, each input's label (`*` when
    required), what it holds now, its hint and any inline error, then the buttons."""
    names = users or {}
    lines: list[str] = []
    if view.get("type") == "modal":
        lines.append(f"== {_text(view.get('title'), names)} ==")
    for block in view.get("blocks") or []:
        if block.get("type") != "input":
            lines.append(_block(block, names))
            continue
        block_id = str(block.get("block_id", ""))
        state = next(iter(((values or {}).get(block_id) or {}).values()), None)
        star = "" if block.get("optional") else " *"
        shown = _state_text(state, names) or _placeholder(block.get("element") or {}, names)
        lines.append(f"[{block_id}] {_text(block.get('label'), names)}{star}: {shown}")
        if block.get("hint"):
            lines.append(f"    ({_text(block['hint'], names)})")
        if (errors or {}).get(block_id):
            lines.append(f"    ! {errors[block_id]}")  # type: ignore[index]
    buttons = [_text(view.get(k), names) for k in ("submit", "close") if view.get(k)]
    if buttons:
        lines.append("  ".join(f"[ {b} ]" for b in buttons))
    return "\n".join(lines)


def _state_text(state: Mapping[str, Any] | None, users: Mapping[str, str]) -> str:
    if not state:
        return ""
    for key in ("value", "selected_date", "selected_time", "selected_date_time"):
        if state.get(key) not in (None, ""):
            return str(state[key])
    option = state.get("selected_option")
    if isinstance(option, Mapping):
        return _text(option.get("text"), users)
    chosen = state.get("selected_options")
    if chosen:
        return ", ".join(_text(o.get("text"), users) for o in chosen if isinstance(o, Mapping))
    for key in ("selected_conversation", "selected_channel"):
        if state.get(key):
            return "#" + str(state[key])
    if state.get("selected_user"):
        return "@" + users.get(state["selected_user"], state["selected_user"])
    return ""


def _placeholder(element: Mapping[str, Any], users: Mapping[str, str]) -> str:
    if element.get("type") in ("checkboxes", "radio_buttons"):
        return " / ".join(f"( ) {_text(o.get('text'), users)}" for o in element.get("options", []))
    return f"_{_text(element.get('placeholder'), users) or 'empty'}_"
