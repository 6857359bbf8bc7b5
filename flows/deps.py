"""Everything the handlers and flows need, built once in bot.py and passed in."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient

from orchestrator.client import OrchestratorClient
from render import Renderer
from store import Store


def new_id() -> str:
    """An opaque id for requests and approvals: what buttons carry instead of data."""
    return secrets.token_hex(8)


@dataclass(frozen=True)
class Deps:
    """The bot's parts. Frozen: nothing is swapped at run time."""

    orchestrator: OrchestratorClient
    store: Store
    slack: WebClient
    renderer: Renderer
    sender: Any
    policy: Any
    groups: Any
    profiles: Any
    clock: Callable[[], float]
    work: Executor
    console_url: str | None = None
    known_environments: Callable[[], list[str]] = field(default=lambda: [])
    # Resolves what a request reaches (flows.targets.Resolver); None resolves nothing, so every
    # reached node counts as production.
    resolver: Any = None
    # Whether the bot is in a channel (flows.membership.Membership); None assumes it is.
    membership: Any = None
    # Answers a person privately (delivery.respond.Responder): response_url, else another way.
    responder: Any = None
