"""A person using modals and the Home tab, against a real Bolt app over the fake's real HTTP.

The fake builds what Slack would send (block_actions inside a view, block_suggestion,
view_submission, view_closed, app_home_opened), the app answers, and the fake applies the
answer as Slack does: type-ahead options, `response_action` errors/update/push/clear.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_bolt import Ack, App
from slack_sdk import WebClient

from standins.slack import FakeSlack
from standins.slack.requests import signed_request, slash_command
from standins.slack.surfaces import ViewNotSubmittable
from standins.slack.view_state import ViewInteractionError

SECRET = "test-secret"
TASKS = ["package", "service", "facts", "mymodule::sleep"]


def _input(block_id: str, element: dict[str, Any], **block: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": block_id},
        "element": element,
        **block,
    }


def form(task: str | None = None) -> dict[str, Any]:
    blocks = [
        _input(
            "channel",
            {
                "type": "conversations_select",
                "action_id": "pick",
                "default_to_current_conversation": True,
                "response_url_enabled": True,
            },
        ),
        _input(
            "task",
            {"type": "external_select", "action_id": "pick", "min_query_length": 2},
            dispatch_action=True,
        ),
    ]
    if task:
        blocks.append(
            _input(
                "count",
                {
                    "type": "number_input",
                    "action_id": "n",
                    "is_decimal_allowed": False,
                    "min_value": "1",
                    "max_value": "10",
                    "initial_value": "1",
                },
            )  # fmt: skip
        )
        blocks.append(
            _input(
                "flags",
                {
                    "type": "checkboxes",
                    "action_id": "on",
                    "options": [{"text": {"type": "plain_text", "text": "noop"}, "value": "noop"}],
                },
                optional=True,
            )
        )
    return {
        "type": "modal",
        "callback_id": "run_task",
        "private_metadata": json.dumps({"task": task}),
        "title": {"type": "plain_text", "text": "Run a task"},
        "submit": {"type": "plain_text", "text": "Run"},
        "notify_on_close": True,
        "blocks": blocks,
    }


@pytest.fixture
def app(fake: FakeSlack) -> App:
    client = WebClient(token="xoxb-test", base_url=fake.api_url)
    app = App(client=client, signing_secret=SECRET, process_before_response=True)

    @app.command("/task")
    def open_form(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=command["trigger_id"], view=form())

    @app.options("pick")
    def suggest(ack: Ack, payload: dict[str, Any]) -> None:
        found = [t for t in TASKS if payload["value"] in t]
        ack(options=[{"text": {"type": "plain_text", "text": t}, "value": t} for t in found])

    @app.action("pick")
    def chosen(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        task = body["actions"][0]["selected_option"]["value"]
        view = body["view"]
        client.views_update(view_id=view["id"], hash=view["hash"], view=form(task))

    @app.view("run_task")
    def submitted(ack: Ack, view: dict[str, Any], body: dict[str, Any]) -> None:
        values = view["state"]["values"]
        if values["count"]["n"]["value"] == "7":
            ack(response_action="errors", errors={"count": "Seven is unlucky."})
            return
        ack()

    @app.view_closed("run_task")
    def closed(ack: Ack) -> None:
        ack()

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient) -> None:
        button = {
            "type": "button",
            "action_id": "approve",
            "value": "appr-1",
            "text": {"type": "plain_text", "text": "Approve"},
        }
        client.views_publish(
            user_id=event["user"],
            view={
                "type": "home",
                "blocks": [
                    {"type": "section", "text": {"type": "mrkdwn", "text": "1 approval waits"}},
                    {"type": "actions", "block_id": "approvals", "elements": [button]},
                ],
            },
        )

    @app.action("approve")
    def approve(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        done = {"type": "section", "text": {"type": "mrkdwn", "text": "Approved"}}
        client.views_publish(user_id=body["user"]["id"], view={"type": "home", "blocks": [done]})

    return app


def post(app: App, body: bytes) -> Any:
    response = app.dispatch(signed_request(body, SECRET))
    assert response.status == 200, response.body
    return json.loads(response.body) if response.body else None


def open_form(fake: FakeSlack, app: App) -> str:
    trigger = fake.new_trigger_id(user="U0ALICE", channel="C0DEPLOYS")
    body = slash_command(
        "/task", "", user_id="U0ALICE", channel_id="C0DEPLOYS",
        response_url=fake.new_response_url(), trigger_id=trigger,
    )  # fmt: skip
    post(app, body)
    opened = fake.open_modal("U0ALICE")
    assert opened is not None
    return opened.id


def choose_task(fake: FakeSlack, app: App, view_id: str, typed: str, task: str) -> None:
    asked = fake.suggest(view_id, "task", "pick", typed)
    assert asked is not None
    fake.answer_suggestion(view_id, "task", "pick", post(app, asked))
    clicked = fake.fill(view_id, "task", "pick", task)
    assert clicked is not None  # dispatch_action: Slack tells the app at once
    post(app, clicked)


def test_a_task_chosen_with_type_ahead_rebuilds_the_form(fake: FakeSlack, app: App) -> None:
    view_id = open_form(fake, app)

    choose_task(fake, app, view_id, "sl", "mymodule::sleep")

    view = fake.view(view_id)
    assert [b["block_id"] for b in view.blocks] == ["channel", "task", "count", "flags"]
    # What was chosen survives the rebuild (same block_id and action_id); defaults fill the rest.
    assert view.values["task"]["pick"]["selected_option"]["value"] == "mymodule::sleep"
    assert view.values["channel"]["pick"] == {
        "type": "conversations_select",
        "selected_conversation": "C0DEPLOYS",
    }
    assert view.values["count"]["n"] == {"type": "number_input", "value": "1"}


def test_type_ahead_waits_for_min_query_length(fake: FakeSlack, app: App) -> None:
    view_id = open_form(fake, app)

    assert fake.suggest(view_id, "task", "pick", "s") is None
    asked = fake.suggest(view_id, "task", "pick", "se")
    assert asked is not None
    offered = fake.answer_suggestion(view_id, "task", "pick", post(app, asked))
    assert [o["value"] for o in offered] == ["service"]
    with pytest.raises(ViewInteractionError, match="not one of the options"):
        fake.fill(view_id, "task", "pick", "package")


def test_more_than_100_suggested_options_are_refused(fake: FakeSlack, app: App) -> None:
    view_id = open_form(fake, app)
    many = {
        "options": [
            {"text": {"type": "plain_text", "text": f"t{i}"}, "value": f"t{i}"} for i in range(101)
        ]
    }

    with pytest.raises(ViewInteractionError, match="no more than 100"):
        fake.answer_suggestion(view_id, "task", "pick", many)


def test_submission_carries_state_in_each_elements_own_shape(fake: FakeSlack, app: App) -> None:
    view_id = open_form(fake, app)
    choose_task(fake, app, view_id, "sl", "mymodule::sleep")
    assert fake.fill(view_id, "count", "n", 5) is None  # no dispatch_action: nothing is sent
    fake.fill(view_id, "flags", "on", ["noop"])

    payload = _payload(fake.submission(view_id))

    values = payload["view"]["state"]["values"]
    assert values["count"]["n"] == {"type": "number_input", "value": "5"}
    assert values["flags"]["on"]["selected_options"][0]["value"] == "noop"
    assert values["task"]["pick"]["type"] == "external_select"
    assert payload["user"]["id"] == "U0ALICE"
    [url] = payload["response_urls"]
    assert (url["block_id"], url["channel_id"]) == ("channel", "C0DEPLOYS")


def test_unticked_checkboxes_and_empty_inputs_are_sent_empty(fake: FakeSlack, app: App) -> None:
    view_id = open_form(fake, app)
    choose_task(fake, app, view_id, "sl", "mymodule::sleep")

    values = _payload(fake.submission(view_id))["view"]["state"]["values"]

    assert values["flags"]["on"] == {"type": "checkboxes", "selected_options": []}


def test_the_client_refuses_an_empty_required_field_or_a_number_out_of_range(
    fake: FakeSlack, app: App
) -> None:
    view_id = open_form(fake, app)
    choose_task(fake, app, view_id, "sl", "mymodule::sleep")
    fake.fill(view_id, "count", "n", None)
    with pytest.raises(ViewNotSubmittable) as empty:
        fake.submission(view_id)
    fake.fill(view_id, "count", "n", 11)
    with pytest.raises(ViewNotSubmittable) as high:
        fake.submission(view_id)

    assert empty.value.errors == {"count": "Please complete this required field."}
    assert high.value.errors == {"count": "Must be 10 or less."}


def test_inline_errors_keep_the_modal_open_and_an_empty_ack_closes_it(
    fake: FakeSlack, app: App
) -> None:
    view_id = open_form(fake, app)
    choose_task(fake, app, view_id, "sl", "mymodule::sleep")
    fake.fill(view_id, "count", "n", 7)

    assert fake.answer_submission(view_id, post(app, fake.submission(view_id))) == "errors"
    assert fake.view(view_id).errors == {"count": "Seven is unlucky."}

    fake.fill(view_id, "count", "n", 3)
    assert fake.answer_submission(view_id, post(app, fake.submission(view_id))) == "close"
    assert fake.view(view_id).closed and fake.open_modal("U0ALICE") is None


def test_an_error_keyed_to_a_block_that_is_no_input_is_refused(fake: FakeSlack, app: App) -> None:
    view_id = open_form(fake, app)

    with pytest.raises(ViewInteractionError, match="not an input block"):
        fake.answer_submission(view_id, {"response_action": "errors", "errors": {"nope": "x"}})


def test_answers_can_update_push_and_clear(fake: FakeSlack, app: App) -> None:
    view_id = open_form(fake, app)
    fake.answer_submission(view_id, {"response_action": "update", "view": form("facts")})
    assert fake.view(view_id).blocks[-1]["block_id"] == "flags"

    fake.answer_submission(view_id, {"response_action": "push", "view": form()})
    pushed = fake.open_modal("U0ALICE")
    assert pushed is not None and pushed.previous_id == view_id
    with pytest.raises(ViewInteractionError, match="under a pushed view"):
        fake.fill(view_id, "count", "n", 2)

    fake.answer_submission(pushed.id, {"response_action": "clear"})
    assert fake.view(view_id).closed and fake.view(pushed.id).closed


def test_closing_sends_view_closed_when_the_view_asks(fake: FakeSlack, app: App) -> None:
    view_id = open_form(fake, app)

    body = fake.close(view_id)

    assert body is not None
    payload = _payload(body)
    assert (payload["type"], payload["is_cleared"]) == ("view_closed", False)
    post(app, body)
    assert fake.view(view_id).closed


def test_home_tab_published_on_open_and_its_buttons_work(fake: FakeSlack, app: App) -> None:
    event = json.loads(fake.open_home("U0BOB"))
    assert "view" not in event["event"]  # nothing was ever published for Bob
    post(app, fake.open_home("U0BOB"))
    home = fake.home("U0BOB")
    assert home is not None and "1 approval waits" in json.dumps(home.blocks)

    again = json.loads(fake.open_home("U0BOB"))["event"]
    assert again["view"]["id"] == home.id
    clicked = _payload(fake.click(home.id, "approve"))
    assert clicked["container"] == {"type": "view", "view_id": home.id}
    assert clicked["actions"][0]["value"] == "appr-1"

    post(app, fake.click(home.id, "approve"))
    assert "Approved" in json.dumps(fake.home("U0BOB").blocks)  # type: ignore[union-attr]


def test_payloads_from_a_view_carry_triggers_that_can_push(fake: FakeSlack, app: App) -> None:
    view_id = open_form(fake, app)
    choose_task(fake, app, view_id, "fa", "facts")
    trigger = _payload(fake.submission(view_id))["trigger_id"]
    client = WebClient(token="xoxb-test", base_url=fake.api_url)

    pushed = client.views_push(trigger_id=trigger, view=form())["view"]

    assert pushed["previous_view_id"] == view_id


def _payload(body: bytes) -> dict[str, Any]:
    from urllib.parse import parse_qs

    return json.loads(parse_qs(body.decode())["payload"][0])
