"""The Home tab over real HTTP: a person opens it (app_home_opened from the fake Slack), the bot
publishes what is theirs (views.publish at Priority.BACKGROUND from the poller's housekeeping),
keeps it up to date as approvals and jobs change, and an Approve on it goes through the card's
checks; a click the published view did not offer that person is refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.support.harness import Harness, block_text, close_harness, make_harness, signed

POLICY = """
defaults = false

[[rule]]
name = "production deploys need Bob"
commands = ["deploy"]
action = "approve"
approvers = ["U0BOB"]

[[rule]]
name = "the rest runs"
action = "run"
"""
PROD = "/deploy production --nodes web01.example.com,web02.example.com"


@pytest.fixture
def h(tmp_path: Path) -> Iterator[Harness]:
    harness = make_harness(tmp_path, policy=POLICY)
    try:
        yield harness
    finally:
        close_harness(harness)


def open_home(h: Harness, user: str) -> None:
    response = h.bot.app.dispatch(signed(h.slack.open_home(user)))
    assert response.status == 200


def home_text(h: Harness, user: str) -> str:
    view = h.slack.home(user)
    assert view is not None, f"no Home tab published for {user}"
    return block_text(view.view["blocks"])


def home_buttons(h: Harness, user: str) -> list[tuple[str, str]]:
    view = h.slack.home(user)
    assert view is not None
    return [
        (e["action_id"], e["value"])
        for b in view.view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]


def settle(h: Harness, seconds: int = 3) -> None:
    """Housekeeping passes, a second apart: views.publish is Tier 4 (100 a minute), so the
    budget lets one out every 0.6 s and each pass publishes what it may."""
    for _ in range(seconds):
        h.tick(1)


def publishes(h: Harness) -> int:
    return len(h.slack.calls("views.publish"))


def test_home_shows_and_updates_approvals_and_jobs(h: Harness) -> None:
    open_home(h, "U0BOB")
    open_home(h, "U0ALICE")
    settle(h)
    assert "Nothing is waiting for you" in home_text(h, "U0BOB")
    # Counted in the one Slack budget (taken with try_take at Priority.BACKGROUND).
    assert h.bot.deps.slack.budget.report()["views.publish"]["calls_last_minute"] == 2
    before = publishes(h)
    settle(h)
    assert publishes(h) == before, "an unchanged tab is not published again"

    h.command(PROD)  # Alice asks; policy holds it for Bob
    settle(h)
    assert "Puppet run in production" in home_text(h, "U0BOB")
    [(action, approval_id)] = [b for b in home_buttons(h, "U0BOB") if b[0] == "home_approve"]
    assert "Nothing is waiting for you" in home_text(h, "U0ALICE")  # not Alice's to approve
    assert "waiting for approval" in home_text(h, "U0ALICE")  # her request, and its state

    view = h.slack.home("U0BOB")
    assert view is not None
    body = h.slack.click(view.id, "home_approve", block_id=f"approval:{approval_id}")
    h.bot.app.dispatch(signed(body))
    assert len(h.requests_seen("/command/deploy")) == 1  # approved from Home: it ran

    settle(h)
    assert "Nothing is waiting for you" in home_text(h, "U0BOB")
    alice = home_text(h, "U0ALICE")
    assert "Your running jobs" in alice and "nodes done" in alice
    h.run_until_quiet()
    settle(h)
    assert "None running." in home_text(h, "U0ALICE")
    assert "✅ finished" in home_text(h, "U0ALICE")  # the request's outcome: its job's state


def test_a_click_not_offered_in_the_published_view_is_refused(h: Harness) -> None:
    open_home(h, "U0BOB")
    open_home(h, "U0CAROL")
    settle(h)
    h.command(PROD)
    settle(h)
    [approval_id] = [v for a, v in home_buttons(h, "U0BOB") if a == "home_approve"]

    # Carol's own Home has no such button (she is no approver): a payload that says she
    # clicked it in her view, or in Bob's view, is refused and nothing runs.
    carol = h.slack.home("U0CAROL")
    bob = h.slack.home("U0BOB")
    assert carol is not None and bob is not None
    for view_id in (carol.id, bob.id):
        forged = forged_click(h, view_id, "U0CAROL", approval_id)
        h.bot.app.dispatch(signed(forged))
    assert h.requests_seen("/command/deploy") == []
    # Bob's click in his own view passes.
    body = h.slack.click(bob.id, "home_approve", block_id=f"approval:{approval_id}")
    h.bot.app.dispatch(signed(body))
    assert len(h.requests_seen("/command/deploy")) == 1


def test_a_tab_not_opened_recently_is_not_refreshed(h: Harness) -> None:
    open_home(h, "U0BOB")
    settle(h)
    count = publishes(h)
    h.tick(31 * 60)  # HOME_RECENT_MINUTES defaults to 30
    h.command(PROD)
    settle(h)
    assert publishes(h) == count


def forged_click(h: Harness, view_id: str, user: str, approval_id: str) -> bytes:
    """A block_actions payload as Slack sends it from a Home view, with the value changed."""
    view = h.slack.view(view_id)
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": "T0TEAM"},
        "team": {"id": "T0TEAM", "domain": "example"},
        "api_app_id": "A0APP",
        "token": "legacy",
        "container": {"type": "view", "view_id": view_id},
        "trigger_id": h.slack.new_trigger_id(user=user),
        "view": {**view.view, "id": view_id, "hash": view.hash},
        "actions": [
            {
                "type": "button",
                "action_id": "home_approve",
                "block_id": f"approval:{approval_id}",
                "value": approval_id,
                "action_ts": "1.0",
                "text": {"type": "plain_text", "text": "Approve"},
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def test_reject_on_home_asks_why_and_a_refusal_reaches_the_clicker(h: Harness) -> None:
    open_home(h, "U0BOB")
    open_home(h, "U0ALICE")
    settle(h)
    h.command(PROD)
    settle(h)
    bob = h.slack.home("U0BOB")
    assert bob is not None
    [approval_id] = [v for a, v in home_buttons(h, "U0BOB") if a == "home_reject"]
    h.bot.app.dispatch(
        signed(h.slack.click(bob.id, "home_reject", block_id=f"approval:{approval_id}"))
    )
    modal = h.slack.open_modal("U0BOB")
    assert modal is not None and modal.view["callback_id"] == "approval_reject_reason"

    # Alice approving her own request with a payload naming Bob's view: refused, nothing runs.
    h.bot.app.dispatch(signed(forged_click(h, bob.id, "U0ALICE", approval_id)))
    assert h.requests_seen("/command/deploy") == []
    # Bob's Approve runs it; his second click is answered to him privately (a Home click has
    # no response_url: an ephemeral message in the approval's channel).
    h.bot.app.dispatch(
        signed(h.slack.click(bob.id, "home_approve", block_id=f"approval:{approval_id}"))
    )
    assert len(h.requests_seen("/command/deploy")) == 1
    bob_again = h.slack.click(bob.id, "home_approve", block_id=f"approval:{approval_id}")
    h.bot.app.dispatch(signed(bob_again))
    said = [e.text for e in h.slack.ephemerals("U0BOB")]
    assert any("already approved" in t for t in said), said


def test_home_tabs_wait_their_turn_in_the_budget(h: Harness) -> None:
    for user in ("U0ALICE", "U0BOB", "U0CAROL"):
        open_home(h, user)
    h.tick(1)
    # views.publish is Tier 4 (100 a minute): the budget lets one out, the rest wait a pass.
    assert publishes(h) == 1
    settle(h)
    assert publishes(h) == 3
    assert not h.slack.rate_limited_calls()
