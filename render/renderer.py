"""The jinja2 environment: StrictUndefined, and escaping of every value not marked safe."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jinja2

from render import fmt
from render.blocks import Message, build

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


class Safe(str):
    """Slack markup the bot built itself (a mention, a link); everything else gets escaped."""


def escape(text: str) -> str:
    """Slack's three control characters; this is what keeps user text from injecting markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def finalize(value: Any) -> str:
    if isinstance(value, Safe):
        return value
    return escape("" if value is None else str(value))


def mention(user_id: str) -> Safe:
    return Safe(f"<@{escape(str(user_id))}>")


def people(user_ids: Iterable[str]) -> Safe:
    """Mentions, comma-separated: `<@U1>, <@U2>`."""
    return Safe(", ".join(mention(u) for u in user_ids))


def counted(pairs: Iterable[tuple[Any, Any]]) -> Safe:
    """`1 succeeded, 2 running` from (word, number) pairs."""
    return Safe(", ".join(f"{finalize(n)} {finalize(word)}" for word, n in pairs))


def plural(n: Any, word: str) -> Safe:
    """`1 node`, `3 nodes`: the number, the word, and an s unless the number is 1."""
    return Safe(f"{finalize(n)} {finalize(word)}{'' if n == 1 else 's'}")


def channel(channel_id: str) -> Safe:
    return Safe(f"<#{escape(str(channel_id))}>")


def link(url: str | None, label: str) -> Safe:
    if not url:
        return Safe(escape(label))
    return Safe(f"<{escape(url)}|{escape(label).replace('|', '¦')}>")


def code(text: Any) -> Safe:
    # A backtick inside would end the code span early; a look-alike keeps the text readable.
    return Safe("`" + escape(str(text)).replace("`", "ˋ") + "`")


# Visible stand-ins for characters that would start a line or hide text.
_VISIBLE = {"\r\n": " ↵ ", "\n": " ↵ ", "\r": " ↵ ", "\t": " ⇥ "}
LITERAL_LIMIT = 300


def literal(text: Any, limit: int = LITERAL_LIMIT) -> Safe:
    """Text someone typed, or an orchestrator printed, shown exactly as it is: in a code span
    (so *bold*, _italics_, ~strikes~ and links stay characters), on one line (a newline is a
    visible ↵, so it cannot start a line that looks like one of the card's own fields), and
    clipped with a count of what was left out."""
    raw = "" if text is None else str(text)
    for char, mark in _VISIBLE.items():
        raw = raw.replace(char, mark)
    raw = "".join(c if c.isprintable() else "�" for c in raw)
    more = len(raw) - limit
    shown = raw[:limit] if more > 0 else raw
    tail = f" (+{more} more characters)" if more > 0 else ""
    return Safe(str(code(shown or " ")) + tail)


def button(
    label: str,
    action_id: str,
    value: str,
    *,
    style: str | None = None,
    confirm: dict[str, str] | None = None,
) -> Safe:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = {
            "title": {"type": "plain_text", "text": confirm["title"][:100]},
            "text": {"type": "mrkdwn", "text": escape(confirm["text"])[:300]},
            "confirm": {"type": "plain_text", "text": confirm.get("confirm", "Yes")[:30]},
            "deny": {"type": "plain_text", "text": confirm.get("deny", "Cancel")[:30]},
        }
    return Safe("<button>" + json.dumps(element, separators=(",", ":")))


def failure(exc: BaseException) -> str:
    """Why a template could not be rendered, fit for a log: jinja's own message (it names the
    template's fields, never their values), else only the type of the error, whose text could
    quote the data."""
    if isinstance(exc, jinja2.TemplateError):
        return f"{type(exc).__name__}: {exc.message or '(no message)'}"
    return type(exc).__name__


class Renderer:
    """Renders `templates/<name>.j2` with data into a Message."""

    def __init__(self, directory: Path = TEMPLATES) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(directory)),
            undefined=jinja2.StrictUndefined,
            finalize=finalize,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(
            mention=mention,
            channel=channel,
            code=code,
            duration=fmt.duration,
            clock=fmt.clock,
            slackdate=lambda epoch: Safe(fmt.slack_date(epoch)),
            compact=fmt.compact_json,
            literal=literal,
        )
        self.env.globals.update(
            link=link,
            button=button,
            mention=mention,
            people=people,
            counted=counted,
            plural=plural,
            code=code,
            literal=literal,
        )

    def names(self) -> list[str]:
        return sorted(n[:-3] for n in self.env.list_templates(extensions=["j2"]))

    def markup(self, template: str, /, **data: Any) -> str:
        return self.env.get_template(f"{template}.j2").render(**data)

    def render(self, template: str, /, **data: Any) -> Message:
        return build(self.markup(template, **data))
