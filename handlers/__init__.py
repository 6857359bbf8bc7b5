"""Bolt listeners: thin functions that parse, ack, and hand the work to the flows."""

from __future__ import annotations

from functools import partial

from slack_bolt import App

from flows.deps import Deps
from handlers import actions, approvals, commands, errors, forms, home, membership, pe, schedules


def register(app: App, deps: Deps) -> None:
    catalog = forms.catalog_for(deps)
    commands.register(app, deps, forms=partial(forms.open_from_command, deps=deps, catalog=catalog))
    forms.register(app, deps, catalog)
    actions.register(app, deps)
    approvals.register(app, deps)
    membership.register(app, deps)
    home.register(app, deps)
    pe.register(app, deps)
    schedules.register(app, deps)
    errors.register(app, deps)
