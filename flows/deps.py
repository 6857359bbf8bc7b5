"""Everything the handlers and flows need, built once in runtime/assemble.py and passed in."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Protocol

from slack_sdk import WebClient

from delivery.membership import Membership
from delivery.respond import Responder
from flows.people import People
from flows.profiles import Profiles
from flows.targets import Resolver
from orchestrator.client import OrchestratorClient
from policy import GroupResolver, Policy
from render import Renderer
from store import Store


def new_id() -> str:
    """An opaque id for requests and approvals: what buttons carry instead of data."""
    return secrets.token_hex(8)


class Outbox(Protocol):
    """All a flow may do with the outbox sender (delivery/sender.py): say that something was
    queued in the store, so it goes out now. What to send is the store's business."""

    def wake(self) -> None: ...


@dataclass(frozen=True)
class Deps:
    """The bot's parts. Frozen: nothing is swapped at run time."""

    orchestrator: OrchestratorClient
    store: Store
    slack: WebClient
    renderer: Renderer
    sender: Outbox
    # The policy in force: a LivePolicy reads its file again when it changes (policy/live.py).
    policy: Policy
    groups: GroupResolver
    profiles: Profiles
    clock: Callable[[], float]
    work: Executor
    # Answers a person privately: response_url, else another way.
    responder: Responder
    console_url: str | None = None
    known_environments: Callable[[], list[str]] = field(default=lambda: [])
    # Resolves what a request reaches; None resolves nothing, so every reached node counts as
    # production.
    resolver: Resolver | None = None
    # Whether the bot is in a channel; None assumes it is.
    membership: Membership | None = None
    # PE_IDENTITY=person: people's own PE tokens (flows/people.py); None in service mode.
    people: People | None = None
