"""Run again…: a status card's or summary's button opens the form pre-filled with the request
that started its job. The button carries only the job's id; the click must come from the card's
own channel (as Stop does), and what is pre-filled is read from the store. The run that follows
is the clicker's own request, through the policy like any other."""

from __future__ import annotations

import logging
import re

from flows import modals
from flows.asker import Asker
from flows.catalog import Catalog
from flows.deps import Deps
from flows.messages import answer
from forms import prefill_from_body
from store import jobs

log = logging.getLogger(__name__)

JOB_KEY = re.compile(r"^(job|plan):(\d+)$")


def open_again(deps: Deps, catalog: Catalog, asker: Asker, key: str) -> str | None:
    """Open the form for the job's request; the view id, or None (and a private answer)."""
    job = jobs.get(deps.store.db, key) if JOB_KEY.match(key) else None
    if job is not None and job.channel_id != asker.channel_id:
        log.warning("refused a Run again click on %s from channel %s", job.id, asker.channel_id)
        job = None
    try:
        prefill = prefill_from_body(job.endpoint, job.body) if job is not None else None
    except ValueError:
        prefill = None
    if job is None or prefill is None:
        answer(
            deps,
            asker.response_url,
            "error",
            title="That card's request is not known here.",
            detail="",
            kind=None,
            hint="Type the command again, or use /task, /plan or /deploy alone for a form.",
        )
        return None
    log.info("run again of %s opened by %s", job.id, asker.user_id)
    return modals.open_form(
        deps, catalog, asker, prefill.kind, prefill=prefill, channel=job.channel_id, ref=job.id
    )
