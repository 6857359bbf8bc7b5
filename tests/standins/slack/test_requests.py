"""Request builders: Slack's body shapes and signatures that SignatureVerifier accepts."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs

from slack_sdk.signature import SignatureVerifier

from standins.slack.requests import (
    block_actions,
    bolt_request,
    signed_headers,
    slash_command,
    view_submission,
)

SECRET = "test-secret"


def _form(body: bytes) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}


def _payload(body: bytes) -> dict:
    return json.loads(_form(body)["payload"])


def test_slash_command_is_form_encoded_with_slacks_fields() -> None:
    body = slash_command(
        "/deploy",
        "production --noop",
        user_id="U0ALICE",
        channel_id="C0DEPLOYS",
        response_url="http://127.0.0.1:1/response/R1",
    )

    form = _form(body)
    assert form["command"] == "/deploy"
    assert form["text"] == "production --noop"
    assert (form["user_id"], form["channel_id"], form["team_id"]) == (
        "U0ALICE",
        "C0DEPLOYS",
        "T0TEAM",
    )
    assert form["response_url"] == "http://127.0.0.1:1/response/R1"
    assert form["trigger_id"].count(".") == 2


def test_each_request_gets_its_own_trigger_id() -> None:
    a, b = (
        _form(slash_command("/x", "", user_id="U", channel_id="C", response_url="u"))["trigger_id"]
        for _ in range(2)
    )

    assert a != b


def test_block_actions_carries_one_button_click_in_a_payload_field() -> None:
    message = {"type": "message", "ts": "1700000000.000100", "text": "Approve?"}
    body = block_actions(
        "approve",
        "appr-1",
        user_id="U0BOB",
        channel_id="C0DEPLOYS",
        message_ts="1700000000.000100",
        message=message,
        response_url="http://127.0.0.1:1/response/R2",
        block_id="approval",
    )

    payload = _payload(body)
    assert payload["type"] == "block_actions"
    assert payload["user"]["id"] == "U0BOB"
    assert payload["channel"]["id"] == "C0DEPLOYS"
    assert payload["container"] == {
        "type": "message",
        "message_ts": "1700000000.000100",
        "channel_id": "C0DEPLOYS",
        "is_ephemeral": False,
    }
    assert payload["message"] == message
    [action] = payload["actions"]
    assert (action["action_id"], action["block_id"], action["value"]) == (
        "approve",
        "approval",
        "appr-1",
    )


def test_view_submission_wraps_bare_strings_as_text_inputs() -> None:
    body = view_submission(
        "reject_reason",
        '{"approval": "appr-1"}',
        {
            "reason": {"text": "not today"},
            "when": {"pick": {"type": "datepicker", "selected_date": "2030-01-01"}},
        },
        user_id="U0BOB",
    )

    view = _payload(body)["view"]
    assert view["callback_id"] == "reject_reason"
    assert view["private_metadata"] == '{"approval": "appr-1"}'
    assert view["state"]["values"]["reason"]["text"] == {
        "type": "plain_text_input",
        "value": "not today",
    }
    assert view["state"]["values"]["when"]["pick"]["selected_date"] == "2030-01-01"


def test_signed_headers_pass_slack_sdk_signature_verification() -> None:
    body = slash_command("/deploy", "prod", user_id="U", channel_id="C", response_url="u")

    headers = signed_headers(body, SECRET)

    assert headers["content-type"] == "application/x-www-form-urlencoded"
    assert SignatureVerifier(SECRET).is_valid(
        body=body,
        timestamp=headers["x-slack-request-timestamp"],
        signature=headers["x-slack-signature"],
    )
    assert not SignatureVerifier("other-secret").is_valid(
        body=body,
        timestamp=headers["x-slack-request-timestamp"],
        signature=headers["x-slack-signature"],
    )


def test_explicit_old_timestamp_is_signed_as_given() -> None:
    stale = int(time.time()) - 600
    headers = signed_headers(b"a=b", SECRET, timestamp=stale)

    assert headers["x-slack-request-timestamp"] == str(stale)
    assert not SignatureVerifier(SECRET).is_valid_request(b"a=b", headers)


def test_bolt_request_keeps_the_raw_body_and_headers() -> None:
    body = slash_command("/deploy", "prod", user_id="U", channel_id="C", response_url="u")

    request = bolt_request(body, signed_headers(body, SECRET))

    assert request.raw_body == body.decode()
    assert request.body["command"] == "/deploy"
    assert request.headers["x-slack-signature"]


def test_trigger_ids_carry_their_issue_time_in_slacks_shape() -> None:
    from standins.slack.triggers import issued_at, new_trigger_id

    trigger = new_trigger_id(issued_at=1_900_000_000.25)

    assert trigger.count(".") == 2 and trigger.split(".")[2].isalnum()
    assert issued_at(trigger) == 1_900_000_000.25
    assert issued_at("t-1") is None


def test_event_bodies_are_signed_as_json() -> None:
    from standins.slack.view_payloads import app_home_opened

    body = app_home_opened("U0ALICE", channel="D0ALICE")

    headers = signed_headers(body, SECRET)
    assert headers["content-type"] == "application/json"
    event = json.loads(body)
    assert (event["type"], event["event"]["type"], event["event"]["tab"]) == (
        "event_callback",
        "app_home_opened",
        "home",
    )
