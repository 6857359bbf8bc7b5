"""The reached nodes one click away: a paged modal from an approval card's button.

Anyone who can see the card may look. The click must come from the card's own channel, and a
page turn inside the modal must be in a view the bot opened for that same person.
"""

from __future__ import annotations

import logging

from flows.asker import Asker
from flows.deps import Deps
from flows.messages import answer
from policy.reach import Reach
from render.reach import nodes_modal
from render.views import subject
from store import approvals, requests, views

log = logging.getLogger(__name__)

KIND = "reach"


def open_nodes(deps: Deps, asker: Asker, approval_id: str) -> None:
    approval = approvals.get(deps.store.db, approval_id)
    row = requests.get(deps.store.db, approval.request_id) if approval else None
    reach = Reach.from_json(row.reach) if row else None
    if approval is None or row is None or reach is None:
        _refuse(deps, asker, "That card's nodes are not known here.")
        return
    if asker.channel_id != approval.channel_id:
        _refuse(deps, asker, "That click did not come from this approval's card.")
        return
    view = nodes_modal(subject(row.endpoint, row.body), reach, 1, approval.id)
    opened = deps.slack.views_open(trigger_id=asker.trigger_id, view=view)
    view_id = str((opened.get("view") or {}).get("id") or "")
    with deps.store.write() as db:
        views.record(
            db,
            view_id=view_id,
            user_id=asker.user_id,
            kind=KIND,
            ref=approval.id,
            channel_id=approval.channel_id,
            now=deps.clock(),
        )


def turn_page(deps: Deps, user_id: str, view_id: str, view_hash: str | None, value: str) -> None:
    """A Previous/Next click inside the modal; the page is the only thing taken from it."""
    record = views.opened(deps.store.db, view_id, user_id, KIND)
    ref, _, page = value.rpartition(":")
    if record is None or ref != record.ref or not page.isdigit():
        log.warning(
            "refused a page turn in view %s by %s: not a view opened for them", view_id, user_id
        )
        return
    approval = approvals.get(deps.store.db, record.ref)
    row = requests.get(deps.store.db, approval.request_id) if approval else None
    reach = Reach.from_json(row.reach) if row else None
    if approval is None or row is None or reach is None:
        return
    view = nodes_modal(subject(row.endpoint, row.body), reach, int(page[:6]), approval.id)
    deps.slack.views_update(view_id=view_id, hash=view_hash, view=view)


def _refuse(deps: Deps, asker: Asker, title: str) -> None:
    answer(
        deps,
        asker.response_url,
        "error",
        title=title,
        detail="",
        kind=None,
        hint="Nothing was changed.",
    )
