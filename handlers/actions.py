"""Buttons: Stop on a status card, the force-stop confirmation. The clicker is always the
signed payload's user; a button carries only an opaque id, never what to run."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from slack_bolt import App

from flows.asker import Asker
from flows.deps import Deps
from flows.messages import answer
from flows.pipeline import submit
from flows.run import guarded
from orchestrator.requests import StopPlanRequest, StopRequest
from store import jobs

log = logging.getLogger(__name__)

JOB_KEY = re.compile(r"^(job|plan):(\d+)$")
JOB_ID = re.compile(r"^\d+$")


def register(app: App, deps: Deps) -> None:
    app.action("job_stop")(partial(on_stop_click, deps=deps))
    app.action("stop_force_confirm")(partial(on_force_confirm, deps=deps))


def _value(body: Mapping[str, Any]) -> str:
    return str((body.get("actions") or [{}])[0].get("value") or "")


def on_stop_click(ack: Callable[..., None], body: Mapping[str, Any], *, deps: Deps) -> None:
    """The card's Stop button goes through the same checks as /stop."""
    ack()
    asker = Asker.from_action(body)
    deps.work.submit(guarded, deps, asker, partial(stop_from_card, deps, asker, _value(body)))


def stop_from_card(deps: Deps, asker: Asker, key: str) -> None:
    job = jobs.get(deps.store.db, key) if JOB_KEY.match(key) else None
    if job is not None and job.channel_id != asker.channel_id:
        log.warning("refused a Stop click on %s from channel %s", job.id, asker.channel_id)
        job = None  # a card lives in its job's channel: a click from elsewhere was not on it
    if job is None:
        answer(
            deps,
            asker.response_url,
            "error",
            title="That card's job is not known here.",
            detail="",
            kind=None,
            hint="Use /stop <job-id> instead.",
        )
        return
    request = (
        StopPlanRequest(plan_job=job.name) if job.kind == "plan_job" else StopRequest(job=job.name)
    )
    log.info("stop clicked for %s by %s", job.id, asker.user_id)
    submit(deps, asker, request)


def on_force_confirm(ack: Callable[..., None], body: Mapping[str, Any], *, deps: Deps) -> None:
    """The requester confirmed a forced stop on their private confirmation message."""
    ack()
    asker = Asker.from_action(body, replace=True)
    job = _value(body)
    if not JOB_ID.match(job):
        return
    request = StopRequest(job=job, force=True)
    deps.work.submit(guarded, deps, asker, lambda: submit(deps, asker, request))
