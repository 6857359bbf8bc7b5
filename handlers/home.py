"""The Home tab: opening it (app_home_opened) marks the person as looking, so their tab is
kept up to date (delivery/home.py); Approve / Reject on it go through the card's checks."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from slack_bolt import App

from flows import approval, home_clicks
from flows.deps import Deps
from flows.run import guarded
from handlers.approvals import Turns, ask_why
from render.home import APPROVE, REJECT
from store import home

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    app.event("app_home_opened")(partial(on_home_opened, deps=deps))
    app.action(APPROVE)(partial(on_approve, deps=deps, turns=Turns()))
    app.action(REJECT)(partial(on_reject, deps=deps))


def on_home_opened(event: Mapping[str, Any], *, deps: Deps) -> None:
    """A store write only: the next housekeeping pass (within a second) publishes the tab."""
    if event.get("tab") != "home" or not event.get("user"):
        return
    user, now = str(event["user"]), deps.clock()
    with deps.store.write() as db:
        home.opened(db, user, now)


def on_approve(
    ack: Callable[..., None], body: Mapping[str, Any], *, deps: Deps, turns: Turns
) -> None:
    ack()
    found = home_clicks.checked(deps, body)
    if found is None:
        return
    asker, approval_id = found
    log.info("approve clicked on %s by %s on their Home tab", approval_id, asker.user_id)

    def decide() -> None:
        with turns.of(approval_id):
            approval.approve(deps, asker, approval_id)

    deps.work.submit(guarded, deps, asker, decide)


def on_reject(ack: Callable[..., None], body: Mapping[str, Any], *, deps: Deps) -> None:
    ack()
    found = home_clicks.checked(deps, body)
    if found is None:
        return
    asker, approval_id = found
    deps.work.submit(guarded, deps, asker, partial(ask_why, deps, asker, approval_id))
