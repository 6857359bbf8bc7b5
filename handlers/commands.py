"""Slash commands: parse and ack at once, then carry on off Bolt's listener pool."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from slack_bolt import App

from commands import parse
from commands.intents import ShowHelp, UsageError
from commands.usage import usage
from flows.asker import Asker
from flows.deps import Deps, new_id
from flows.run import run_intent
from store import inbox

log = logging.getLogger(__name__)

COMMANDS = ("/deploy", "/task", "/plan", "/stop", "/schedule", "/watch", "/unwatch", "/jobs")
READS = (
    "ListTasks",
    "ShowTask",
    "ListPlans",
    "ShowPlan",
    "ListSchedules",
    "ShowSchedule",
    "ListWatches",
    "ListJobs",
)


FORMS = ("/deploy", "/task", "/plan")  # alone, they open a form (handlers/forms.py)
Listener = Callable[..., None]


def register(app: App, deps: Deps, *, forms: Listener | None = None) -> None:
    for name in COMMANDS:
        app.command(name)(partial(on_command, deps=deps, forms=forms))


def on_command(
    ack: Callable[..., None],
    command: Mapping[str, Any],
    *,
    deps: Deps,
    forms: Listener | None = None,
) -> None:
    """Ack within milliseconds whatever the orchestrator's latency: parsing is pure and fast,
    and everything that talks to the orchestrator runs on the bot's own worker pool."""
    name = str(command.get("command", ""))
    if forms is not None and name in FORMS and not str(command.get("text", "")).strip():
        forms(ack=ack, command=command)
        return
    try:
        intent = parse(name, str(command.get("text", "")))
    except UsageError as exc:
        message = deps.renderer.render(
            "usage_error", message=exc.message, usage=usage(name.lstrip("/"))
        )
        ack(**message.payload(), response_type="ephemeral")
        return
    if isinstance(intent, ShowHelp):
        message = deps.renderer.render("usage", usage=usage(intent.command.lstrip("/")))
        ack(**message.payload(), response_type="ephemeral")
        return
    working = "Looking it up…" if type(intent).__name__ in READS else "Working on it…"
    ack(text=f"⏳ {working}", response_type="ephemeral")
    asker = Asker.from_command(command)
    # Stored before the ack leaves (listeners run inline, so Slack gets the ack when this
    # returns): a crash from here on finds the command in the inbox at restart.
    command_id = new_id()
    payload, now = asker.payload(), deps.clock()
    deps.store.journal(lambda db: inbox.receive(db, command_id, payload, now))
    deps.work.submit(run_intent, deps, asker, intent, command_id)
