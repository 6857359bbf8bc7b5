"""Bolt listeners: thin functions that parse, ack, and hand the work to the flows."""

from __future__ import annotations

from slack_bolt import App

from flows.deps import Deps
from handlers import actions, approvals, commands, errors, membership, pe, schedules


def register(app: App, deps: Deps) -> None:
    commands.register(app, deps)
    actions.register(app, deps)
    approvals.register(app, deps)
    membership.register(app, deps)
    pe.register(app, deps)
    schedules.register(app, deps)
    errors.register(app, deps)
