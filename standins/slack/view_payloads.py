"""Payloads Slack sends from views and the Home tab: block_actions inside a view,
block_suggestion, view_submission, view_closed, and the app_home_opened event.

Shapes from Slack's interaction-payload references (block_actions, block_suggestion,
view_submission, view_closed) and the app_home_opened event page; examples cross-checked with
bolt-python's tests/scenario_tests (test_block_suggestion.py, test_view_closed.py).
Interaction payloads are form-encoded (`payload=<json>`); events are JSON bodies.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

from standins.slack.model import APP_ID, TEAM_DOMAIN, TEAM_ID
from standins.slack.requests import _form_payload, _user
from standins.slack.triggers import new_trigger_id


def _base(kind: str, user_id: str, team_id: str) -> dict[str, Any]:
    return {
        "type": kind,
        "user": _user(user_id, team_id),
        "api_app_id": APP_ID,
        "token": "deprecated-verification-token",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
    }


def view_block_actions(
    view: Mapping[str, Any],
    action: Mapping[str, Any],
    *,
    user_id: str,
    trigger_id: str | None = None,
    team_id: str = TEAM_ID,
) -> bytes:
    """An element used inside a modal or Home tab: `container` names the view, `view` carries
    its state, and there is no channel, message or response_url."""
    payload = {
        **_base("block_actions", user_id, team_id),
        "container": {"type": "view", "view_id": view.get("id")},
        "trigger_id": trigger_id or new_trigger_id(),
        "view": dict(view),
        "actions": [dict(action)],
    }
    return _form_payload(payload)


def block_suggestion(
    view: Mapping[str, Any],
    *,
    action_id: str,
    block_id: str,
    value: str,
    user_id: str,
    team_id: str = TEAM_ID,
) -> bytes:
    """Type-ahead in an external select: the app answers with at most 100 options."""
    payload = {
        **_base("block_suggestion", user_id, team_id),
        "container": {"type": "view", "view_id": view.get("id")},
        "action_id": action_id,
        "block_id": block_id,
        "value": value,
        "view": dict(view),
    }
    return _form_payload(payload)


def view_submission_of(
    view: Mapping[str, Any],
    *,
    user_id: str,
    trigger_id: str | None = None,
    response_urls: Sequence[Mapping[str, str]] = (),
    team_id: str = TEAM_ID,
) -> bytes:
    """A submitted view (with its `state.values`); `response_urls` come from conversation
    selects with response_url_enabled."""
    payload = {
        **_base("view_submission", user_id, team_id),
        "trigger_id": trigger_id or new_trigger_id(),
        "view": dict(view),
        "response_urls": [dict(u) for u in response_urls],
    }
    return _form_payload(payload)


def view_closed(
    view: Mapping[str, Any], *, user_id: str, is_cleared: bool = False, team_id: str = TEAM_ID
) -> bytes:
    """The person closed a modal whose view asked for notify_on_close."""
    payload = {
        **_base("view_closed", user_id, team_id),
        "view": dict(view),
        "is_cleared": is_cleared,
        "response_urls": [],
    }
    return _form_payload(payload)


def event_callback(event: Mapping[str, Any], *, team_id: str = TEAM_ID) -> bytes:
    """An Events API delivery: the event in Slack's outer wrapper, as a JSON body."""
    now = time.time()
    wrapper = {
        "token": "deprecated-verification-token",
        "team_id": team_id,
        "api_app_id": APP_ID,
        "event": dict(event),
        "type": "event_callback",
        "event_id": f"Ev{int(now * 1000):013d}",
        "event_time": int(now),
        "authorizations": [
            {"team_id": team_id, "user_id": "U0BOT", "is_bot": True, "is_enterprise_install": False}
        ],
    }
    return json.dumps(wrapper).encode("utf-8")


def app_home_opened(
    user_id: str,
    *,
    channel: str,
    view: Mapping[str, Any] | None = None,
    tab: str = "home",
    team_id: str = TEAM_ID,
) -> bytes:
    """A person opened the app's Home tab; `view` is there once a Home view was published."""
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": channel,
        "tab": tab,
        "event_ts": f"{time.time():.6f}",
    }
    if view is not None and tab == "home":
        event["view"] = dict(view)
    return event_callback(event, team_id=team_id)
