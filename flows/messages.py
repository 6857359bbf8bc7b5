"""Answering the person who asked: ephemeral messages through the response_url."""

from __future__ import annotations

from typing import Any

from delivery.slack import respond
from flows.explain import Explanation
from render import Message, Renderer


def error_message(renderer: Renderer, why: Explanation) -> Message:
    return renderer.render(
        "error", title=why.title, detail=why.detail, kind=why.kind, hint=why.hint
    )


def answer(
    deps: Any, response_url: str | None, template: str, *, replace: bool = False, **data: Any
) -> bool:
    """Render `template` and send it privately to whoever the response_url belongs to."""
    return respond(response_url, deps.renderer.render(template, **data), replace=replace)
