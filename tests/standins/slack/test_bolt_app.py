"""A real Bolt App against the fake: signed requests in, Web API calls and responses recorded."""

from __future__ import annotations

import time
from typing import Any

import pytest
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from standins.slack import FakeSlack
from standins.slack.requests import (
    block_actions,
    bolt_request,
    signed_headers,
    signed_request,
    slash_command,
    view_submission,
)

SECRET = "test-secret"


@pytest.fixture
def app(fake: FakeSlack) -> App:
    # A client that already has a token makes App() call auth.test, which the fake serves.
    client = WebClient(token="xoxb-test", base_url=fake.api_url)
    app = App(client=client, signing_secret=SECRET, process_before_response=True)

    @app.command("/deploy")
    def deploy(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack(text=f"Deploying {command['text']}")
        client.chat_postMessage(channel=command["channel_id"], text=f"{command['text']} started")
        respond(text="I will post progress in the thread")

    @app.action("approve")
    def approve(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        client.chat_update(
            channel=body["container"]["channel_id"],
            ts=body["container"]["message_ts"],
            text=f"Approved by <@{body['user']['id']}>",
            blocks=[],
        )
        respond(text="Thanks, approved", replace_original=False)

    @app.view("reject_reason")
    def reject(ack: Ack, view: dict[str, Any], client: WebClient) -> None:
        ack()
        reason = view["state"]["values"]["reason"]["text"]["value"]
        client.chat_postMessage(channel="C0DEPLOYS", text=f"Rejected: {reason}")

    return app


def test_building_the_app_checks_the_token_against_the_fake(fake: FakeSlack, app: App) -> None:
    assert [c.status for c in fake.calls("auth.test")] == [200]


def test_slash_command_is_acked_and_its_listener_reaches_the_fake(
    fake: FakeSlack, app: App
) -> None:
    url = fake.new_response_url(channel="C0DEPLOYS", user="U0ALICE")
    body = slash_command(
        "/deploy", "production", user_id="U0ALICE", channel_id="C0DEPLOYS", response_url=url
    )

    response = app.dispatch(signed_request(body, SECRET))

    assert response.status == 200
    # Bolt answers a text-only ack() with a text/plain body, not JSON.
    assert response.body == "Deploying production"
    assert [m.text for m in fake.messages("C0DEPLOYS")] == ["production started"]
    assert [e.text for e in fake.ephemerals("U0ALICE")] == ["I will post progress in the thread"]


def test_button_click_updates_the_card_through_the_fake(fake: FakeSlack, app: App) -> None:
    card = WebClient(token="xoxb-test", base_url=fake.api_url).chat_postMessage(
        channel="C0DEPLOYS", text="Approve deploy?"
    )
    url = fake.new_response_url(channel="C0DEPLOYS", user="U0BOB", message_ts=card["ts"])
    body = block_actions(
        "approve",
        "appr-1",
        user_id="U0BOB",
        channel_id="C0DEPLOYS",
        message_ts=card["ts"],
        message=fake.message("C0DEPLOYS", card["ts"]).to_payload(),
        response_url=url,
    )

    response = app.dispatch(signed_request(body, SECRET))

    assert response.status == 200
    versions = fake.message("C0DEPLOYS", card["ts"]).versions
    assert [v.text for v in versions] == ["Approve deploy?", "Approved by <@U0BOB>"]
    assert [e.text for e in fake.ephemerals("U0BOB")] == ["Thanks, approved"]


def test_view_submission_is_acked_with_an_empty_body(fake: FakeSlack, app: App) -> None:
    body = view_submission("reject_reason", "{}", {"reason": {"text": "freeze"}}, user_id="U0BOB")

    response = app.dispatch(signed_request(body, SECRET))

    assert (response.status, response.body) == (200, "")
    assert [m.text for m in fake.messages("C0DEPLOYS")] == ["Rejected: freeze"]


def test_forged_signature_gets_401_and_runs_no_listener(fake: FakeSlack, app: App) -> None:
    url = fake.new_response_url(channel="C0DEPLOYS", user="U0ALICE")
    body = slash_command(
        "/deploy", "production", user_id="U0ALICE", channel_id="C0DEPLOYS", response_url=url
    )

    response = app.dispatch(bolt_request(body, signed_headers(body, "not-the-secret")))

    assert response.status == 401
    assert fake.calls("chat.postMessage") == []
    assert fake.responses() == []


def test_stale_timestamp_gets_401(fake: FakeSlack, app: App) -> None:
    body = slash_command(
        "/deploy",
        "production",
        user_id="U0ALICE",
        channel_id="C0DEPLOYS",
        response_url=fake.new_response_url(),
    )

    response = app.dispatch(signed_request(body, SECRET, timestamp=int(time.time()) - 600))

    assert response.status == 401
