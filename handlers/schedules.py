"""The schedule card's Cancel button. The clicker is the signed payload's user; the button
carries only the schedule's number, and the cancel goes through the policy like /schedule cancel."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from slack_bolt import App

from flows.asker import Asker
from flows.deps import Deps
from flows.run import guarded
from flows.schedule_cmds import cancel_schedule
from flows.watching import watch_job

SCHEDULE_ID = re.compile(r"^\d{1,18}$")


def register(app: App, deps: Deps) -> None:
    app.action("schedule_cancel")(partial(on_cancel_click, deps=deps))
    app.action("job_watch")(partial(on_watch_click, deps=deps))


def on_watch_click(ack: Callable[..., None], body: Mapping[str, Any], *, deps: Deps) -> None:
    """/jobs' Watch button: the same as /watch <id>, for the clicker, in this channel."""
    ack()
    asker = Asker.from_action(body)
    value = str((body.get("actions") or [{}])[0].get("value") or "")
    plan = value.startswith("plan:")
    name = value.removeprefix("plan:")
    if not SCHEDULE_ID.match(name):
        return
    deps.work.submit(guarded, deps, asker, partial(watch_job, deps, asker, name, plan=plan))


def on_cancel_click(ack: Callable[..., None], body: Mapping[str, Any], *, deps: Deps) -> None:
    ack()
    asker = Asker.from_action(body)
    name = str((body.get("actions") or [{}])[0].get("value") or "")
    if not SCHEDULE_ID.match(name):
        return
    deps.work.submit(
        guarded, deps, asker, partial(cancel_schedule, deps, asker, name, from_card=True)
    )
