"""A click on a Home tab's Approve or Reject: accepted only in the view the bot published for
that same person, and only for an approval that view offered. The clicker is then treated as if
they had clicked the approval's card (its channel), and every check of the card follows."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flows.asker import Asker
from flows.deps import Deps
from store import approvals, home

log = logging.getLogger(__name__)


def checked(deps: Deps, body: Mapping[str, Any]) -> tuple[Asker, str] | None:
    """(the clicker as on the card, the approval id), or None for a click the bot's published
    view did not offer this person."""
    user = str(body["user"]["id"])
    view_id = str((body.get("view") or {}).get("id") or "")
    approval_id = str((body.get("actions") or [{}])[0].get("value") or "")
    db = deps.store.db
    tab = home.get(db, user)
    row = approvals.get(db, approval_id)
    if tab is None or not view_id or tab.view_id != view_id or approval_id not in tab.approvals:
        log.warning(
            "refused a Home click on %r by %s in view %s: not offered in their published view",
            approval_id,
            user,
            view_id,
        )
        return None
    if row is None:
        return None
    asker = Asker(
        user_id=user,
        channel_id=row.channel_id,
        team_id=(body.get("team") or {}).get("id"),
        trigger_id=body.get("trigger_id"),
        replace=False,
    )
    return asker, approval_id
