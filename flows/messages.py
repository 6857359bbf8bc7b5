"""Answering the person who asked: privately, through their response_url while it lasts, else
an ephemeral message or a direct message (delivery/respond.py)."""

from __future__ import annotations

from typing import Any

from flows.deps import Deps
from flows.explain import Explanation
from render import Message, Renderer


def error_message(renderer: Renderer, why: Explanation) -> Message:
    return renderer.render(
        "error", title=why.title, detail=why.detail, kind=why.kind, hint=why.hint
    )


def answer(
    deps: Deps, response_url: str | None, template: str, *, replace: bool = False, **data: Any
) -> bool:
    """Render `template` and send it privately to whoever the response_url belongs to."""
    return tell(deps, response_url, deps.renderer.render(template, **data), replace=replace)


def tell(deps: Deps, response_url: str | None, message: Message, *, replace: bool = False) -> bool:
    """Send `message` privately to whoever the response_url belongs to."""
    return bool(deps.responder.send(response_url, message, replace=replace))
