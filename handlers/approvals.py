"""Approval buttons, the reject-reason modal, and the follow-up offers on finished jobs."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from typing import Any

from slack_bolt import App

from flows import approval, nodes_modal, offers
from flows.asker import Asker
from flows.deps import Deps
from flows.run import guarded
from render.reach import NEXT, PREVIOUS
from store import views

log = logging.getLogger(__name__)

REASON_VIEW = "approval_reject_reason"
REASON_BLOCK = "reason"
REASON_INPUT = "reason_text"


class Turns:
    """One click at a time per approval card. In a storm of clicks on one card, the workers
    wait their turn asleep instead of all deciding at once: only one of them can win the
    compare-and-set anyway, and fifty threads busy on the GIL made the acks of the later clicks
    wait for them (click ack p50 760 ms before; README, bench)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    @contextmanager
    def of(self, key: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)


def register(app: App, deps: Deps) -> None:
    app.action("approval_approve")(partial(on_approve, deps=deps, turns=Turns()))
    app.action("approval_reject")(partial(on_reject, deps=deps))
    app.view(REASON_VIEW)(partial(on_reason, deps=deps))
    app.action("reach_nodes")(partial(on_nodes, deps=deps))
    for page_button in (PREVIOUS, NEXT):
        app.action(page_button)(partial(on_nodes_page, deps=deps))
    app.action("enforce_changed")(partial(on_offer, deps=deps))
    app.action("enforce_all")(partial(on_offer, deps=deps))
    app.action("rerun_failed")(partial(on_offer, deps=deps))


def _value(body: Mapping[str, Any]) -> str:
    return str((body.get("actions") or [{}])[0].get("value") or "")


def on_approve(
    ack: Callable[..., None], body: Mapping[str, Any], *, deps: Deps, turns: Turns
) -> None:
    ack()
    asker = Asker.from_action(body)
    approval_id = _value(body)
    log.info("approve clicked on %s by %s", approval_id, asker.user_id)

    def decide() -> None:
        with turns.of(approval_id):
            approval.approve(deps, asker, approval_id)

    deps.work.submit(guarded, deps, asker, decide)


def on_reject(ack: Callable[..., None], body: Mapping[str, Any], *, deps: Deps) -> None:
    """Reject asks for a reason first; the modal opens only for someone allowed to reject."""
    ack()
    asker = Asker.from_action(body)
    # The trigger_id is valid for 3 s: the worker pool starts this at once.
    deps.work.submit(guarded, deps, asker, partial(ask_why, deps, asker, _value(body)))


def ask_why(deps: Deps, asker: Asker, approval_id: str) -> None:
    """The reject-reason modal, for someone allowed to reject (the card, or their Home tab)."""
    if approval.may_reject(deps, asker, approval_id):
        opened = deps.slack.views_open(
            trigger_id=asker.trigger_id, view=reason_view(approval_id, asker.channel_id)
        )
        view_id = str((opened.get("view") or {}).get("id") or "")
        with deps.store.write() as db:
            views.record(
                db,
                view_id=view_id,
                user_id=asker.user_id,
                kind=REASON_VIEW,
                ref=approval_id,
                channel_id=asker.channel_id,
                now=deps.clock(),
            )


def reason_view(approval_id: str, channel_id: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": REASON_VIEW,
        "private_metadata": json.dumps({"approval": approval_id, "channel": channel_id}),
        "title": {"type": "plain_text", "text": "Reject request"},
        "submit": {"type": "plain_text", "text": "Reject"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": REASON_BLOCK,
                "label": {"type": "plain_text", "text": "Why? The requester will see this."},
                "element": {
                    "type": "plain_text_input",
                    "action_id": REASON_INPUT,
                    "multiline": True,
                    "max_length": 500,
                },
            }
        ],
    }


def on_reason(
    ack: Callable[..., None], body: Mapping[str, Any], view: Mapping[str, Any], *, deps: Deps
) -> None:
    ack()
    user = str(body["user"]["id"])
    # Only a view the bot opened for this person, about the approval it recorded: never what
    # the submission's private_metadata claims.
    opened = views.opened(deps.store.db, str(view.get("id") or ""), user, REASON_VIEW)
    if opened is None:
        log.warning("refused a reject reason from %s for a view the bot never opened", user)
        return
    values = (view.get("state") or {}).get("values") or {}
    reason = str(((values.get(REASON_BLOCK) or {}).get(REASON_INPUT) or {}).get("value") or "")
    asker = Asker(user_id=user, channel_id=str(opened.channel_id or ""))
    deps.work.submit(
        guarded,
        deps,
        asker,
        lambda: approval.reject(deps, asker, opened.ref, reason.strip()),
    )


def on_nodes(ack: Callable[..., None], body: Mapping[str, Any], *, deps: Deps) -> None:
    """ "Show all N nodes" on an approval card: a paged modal grouped by environment."""
    ack()
    asker = Asker.from_action(body)
    approval_id = _value(body)
    deps.work.submit(
        guarded, deps, asker, partial(nodes_modal.open_nodes, deps, asker, approval_id)
    )


def on_nodes_page(ack: Callable[..., None], body: Mapping[str, Any], *, deps: Deps) -> None:
    """Previous/Next inside the nodes modal."""
    ack()
    view = body.get("view") or {}
    user = str(body["user"]["id"])
    asker = Asker(user_id=user, channel_id="")
    work = partial(
        nodes_modal.turn_page,
        deps,
        user,
        str(view.get("id") or ""),
        view.get("hash"),
        _value(body),
    )
    deps.work.submit(guarded, deps, asker, work)


def on_offer(
    ack: Callable[..., None], body: Mapping[str, Any], action: Mapping[str, Any], *, deps: Deps
) -> None:
    """Enforce / re-run buttons: a new request from the clicker, through the policy."""
    ack()
    asker = Asker.from_action(body)
    key = _value(body)
    which = action.get("action_id")
    if which == "rerun_failed":
        work = partial(offers.rerun_failed, deps, asker, key)
    else:
        work = partial(offers.enforce, deps, asker, key, only_changed=which == "enforce_changed")
    deps.work.submit(guarded, deps, asker, work)
