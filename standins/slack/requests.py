"""Signed request bodies shaped like Slack's, for driving a real Bolt app offline."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from slack_bolt import BoltRequest
from slack_sdk.signature import SignatureVerifier

from standins.slack.model import APP_ID, BOT_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID
from standins.slack.triggers import new_trigger_id

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def slash_command(
    command: str,
    text: str,
    *,
    user_id: str,
    channel_id: str,
    team_id: str = TEAM_ID,
    response_url: str,
    trigger_id: str | None = None,
    channel_name: str = "deploys",
    user_name: str | None = None,
) -> bytes:
    """A slash command invocation, form-encoded as Slack sends it."""
    fields = {
        "token": "deprecated-verification-token",
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name or user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }
    return urlencode(fields).encode("utf-8")


def _user(user_id: str, team_id: str) -> dict[str, str]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id}


def _form_payload(payload: Mapping[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode("utf-8")


def block_actions(
    action_id: str,
    value: str,
    *,
    user_id: str,
    channel_id: str,
    message_ts: str,
    message: Mapping[str, Any] | None = None,
    response_url: str,
    trigger_id: str | None = None,
    block_id: str = "actions",
    team_id: str = TEAM_ID,
    button_text: str | None = None,
) -> bytes:
    """A button click on a channel message: `payload=<json>`, form-encoded."""
    if message is None:
        # Without the real message, a minimal bot message stands in; pass
        # `fake.message(c, ts).to_payload()` when a listener reads the card.
        message = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "text": "",
            "ts": message_ts,
        }
    now = f"{time.time():.6f}"
    payload = {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": APP_ID,
        "token": "deprecated-verification-token",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        },
        "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": "deploys"},
        "message": dict(message),
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": block_id,
                "text": {"type": "plain_text", "text": button_text or action_id, "emoji": True},
                "value": value,
                "type": "button",
                "action_ts": now,
            }
        ],
    }
    return _form_payload(payload)


def view_submission(
    callback_id: str,
    private_metadata: str,
    values: Mapping[str, Mapping[str, Any]],
    *,
    user_id: str,
    team_id: str = TEAM_ID,
    view_id: str = "V000001",
    trigger_id: str | None = None,
) -> bytes:
    """A modal submission. `values` is Slack's {block_id: {action_id: state}}; a bare string
    state is taken as a plain_text_input value."""
    state = {
        block_id: {
            action_id: {"type": "plain_text_input", "value": v} if isinstance(v, str) else dict(v)
            for action_id, v in actions.items()
        }
        for block_id, actions in values.items()
    }
    view = {
        "id": view_id,
        "team_id": team_id,
        "type": "modal",
        "blocks": [],
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": {"values": state},
        "hash": f"{view_id}.h1",
        "title": {"type": "plain_text", "text": "Modal"},
        "close": None,
        "submit": {"type": "plain_text", "text": "Submit"},
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": APP_ID,
        "external_id": "",
        "app_installed_team_id": team_id,
        "bot_id": BOT_ID,
    }
    payload = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": _user(user_id, team_id),
        "api_app_id": APP_ID,
        "token": "deprecated-verification-token",
        "trigger_id": trigger_id or new_trigger_id(),
        "view": view,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _form_payload(payload)


def signed_headers(
    body: bytes,
    signing_secret: str,
    timestamp: int | None = None,
    *,
    content_type: str | None = None,
) -> dict[str, str]:
    """The headers Slack adds: a v0 HMAC signature over `v0:{timestamp}:{body}`. Events API
    bodies (JSON, starting with `{`) are labelled application/json, the rest as forms."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=ts, body=body)
    if content_type is None:
        content_type = JSON if body.lstrip().startswith(b"{") else FORM
    return {
        "content-type": content_type,
        "x-slack-signature": signature,
        "x-slack-request-timestamp": ts,
    }


def bolt_request(body: bytes, headers: Mapping[str, str]) -> BoltRequest:
    """A BoltRequest for `app.dispatch()`; Bolt wants the raw body as text."""
    return BoltRequest(body=body.decode("utf-8"), headers=dict(headers))


def signed_request(body: bytes, signing_secret: str, timestamp: int | None = None) -> BoltRequest:
    """Shortcut: sign `body` and wrap it for `app.dispatch()`."""
    return bolt_request(body, signed_headers(body, signing_secret, timestamp))
