"""Person mode in tests: the bot with PE_IDENTITY=person against the simulator's RBAC, and a
person signing in through the sign-in modal as Slack would send it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from identity.vault import generate_key
from standins.slack.requests import slash_command
from store import pe_tokens
from tests.support.harness import Harness, make_harness, signed

KEY = generate_key()
APPROVE_TASKS = """
defaults = false

[[rule]]
name = "tasks need an approval"
commands = ["task"]
action = "approve"
approvers = ["U0BOB"]
expiry = "4h"

[[rule]]
name = "everything else runs"
action = "run"
"""


def person_harness(
    tmp: Path, *, policy: str | None = None, lifetime: str = "12h", **kw: Any
) -> Harness:
    env = {"PE_IDENTITY": "person", "TOKEN_ENCRYPTION_KEY": KEY, "PE_TOKEN_LIFETIME": lifetime}
    kwargs: dict[str, Any] = {"env": env, "person": True, **kw}
    if policy is not None:
        kwargs["policy"] = policy
    h = make_harness(tmp, **kwargs)
    h.slack.rate_limits(False)  # these tests open many modals at one instant of the clock
    for user in ("U0BOB", "U0CAROL", "U0MALLORY"):
        h.slack.add_user(user, user[3:].lower())
    return h


def pe(h: Harness, text: str, *, user: str = "U0ALICE", channel: str = "C0DEPLOYS") -> Any:
    """`/pe <text>` with a trigger the fake Slack issued (so views.open can use it)."""
    url = h.slack.new_response_url(channel=channel, user=user)
    trigger = h.slack.new_trigger_id(user=user, channel=channel)
    body = slash_command(
        "/pe", text, user_id=user, channel_id=channel, response_url=url, trigger_id=trigger
    )
    return h.bot.app.dispatch(signed(body))


def ack_text(response: Any) -> str:
    return json.dumps(json.loads(response.body)) if response.body else ""


def submit_form(h: Harness, user: str, **fields: str) -> dict[str, Any]:
    """Fill the open sign-in modal and press Sign in; returns the app's ack (applied)."""
    view = h.slack.open_modal(user)
    assert view is not None, "no sign-in modal is open"
    for block, value in fields.items():
        h.slack.fill(view.id, block, block, value, user=user)
    response = h.bot.app.dispatch(signed(h.slack.submission(view.id, user=user)))
    answer = json.loads(response.body) if response.body else {}
    h.slack.answer_submission(view.id, answer)
    return answer


def sign_in(h: Harness, user: str, login: str, password: str) -> str:
    """Sign in through /pe login and the modal; returns what the bot then told the person."""
    pe(h, "login", user=user)
    submit_form(h, user, pe_user=login, pe_password=password)
    told = h.slack.ephemerals(user)
    assert told, "the bot did not say how the sign-in went"
    return told[-1].text


def stored(h: Harness, user: str) -> pe_tokens.StoredToken | None:
    return pe_tokens.get(h.store.db, user)
