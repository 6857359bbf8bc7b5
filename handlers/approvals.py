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

from flows import approval, offers
from flows.asker import Asker
from flows.deps import Deps
from flows.run import guarded

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
    approval_id = _value(body)

    def ask_why() -> None:
        # The trigger_id is valid for 3 s: the worker pool starts this at once.
        if approval.may_reject(deps, asker, approval_id):
            deps.slack.views_open(
                trigger_id=asker.trigger_id, view=reason_view(approval_id, asker.channel_id)
            )

    deps.work.submit(guarded, deps, asker, ask_why)


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
    meta = json.loads(view.get("private_metadata") or "{}")
    values = (view.get("state") or {}).get("values") or {}
    reason = str(((values.get(REASON_BLOCK) or {}).get(REASON_INPUT) or {}).get("value") or "")
    asker = Asker(user_id=str(body["user"]["id"]), channel_id=str(meta.get("channel", "")))
    deps.work.submit(
        guarded,
        deps,
        asker,
        lambda: approval.reject(deps, asker, str(meta.get("approval", "")), reason.strip()),
    )


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
