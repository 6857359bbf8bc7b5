"""What the approval-gate drills (test_gate_*) share: finding approval cards, answers and
buttons in the fake Slack, clicking inside a modal, and waiting for the bot to settle."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from standins.slack import FakeSlack, Message
from standins.slack.model import APP_ID, TEAM_DOMAIN, TEAM_ID
from standins.slack.requests import new_trigger_id
from tests.drills.support import db_rows, text_of
from tests.support.harness import block_text

CHANNEL = "C0DEPLOYS"


def button(message: Message, action_id: str) -> str | None:
    """The value of a button on a message, or None."""
    for block in message.blocks or ():
        for element in block.get("elements") or ():
            if element.get("action_id") == action_id:
                return str(element["value"])
    return None


def approval_cards(slack: FakeSlack, channel: str = CHANNEL) -> list[Message]:
    return [m for m in slack.messages(channel) if "Approval needed" in (m.text or "")]


def answer_to(slack: FakeSlack, url: str) -> str:
    """Everything the bot said on one response_url, newest last."""
    return "\n".join(
        f"{r.text}\n{block_text(r.blocks or [])}" for r in slack.responses() if r.url == url
    )


def card_lines(message: Message) -> list[str]:
    """Each line of a card's text, as an approver reads it."""
    return [line for line in text_of(message).splitlines() if line.strip()]


def settled(db: Path) -> bool:
    """No request is between being stored and being decided or sent, and no post is owed."""
    open_requests = db_rows(
        db, "SELECT count(*) FROM requests WHERE state IN ('new', 'approved', 'launching')"
    )[0][0]
    unsent = db_rows(db, "SELECT count(*) FROM posts WHERE state != 'sent'")[0][0]
    return open_requests == 0 and unsent == 0


def inbox_open(db: Path) -> int:
    inbox = db.with_name(f"{db.stem}.inbox{db.suffix}")
    if not inbox.exists():
        return 0
    return int(db_rows(inbox, "SELECT count(*) FROM inbox WHERE state != 'done'")[0][0])


def view_click(action_id: str, value: str, *, user_id: str, view: dict[str, Any]) -> bytes:
    """A button click inside a modal, as Slack sends it: the container is the view."""
    payload = {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "deprecated-verification-token",
        "container": {"type": "view", "view_id": view["id"]},
        "trigger_id": new_trigger_id(),
        "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "view": view,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "nav",
                "value": value,
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()
