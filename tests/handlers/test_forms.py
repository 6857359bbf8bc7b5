"""Forms wired into the bot, over real HTTP: /task alone opens a modal in the fake Slack, the
task is chosen by type-ahead (block_suggestion answered by the real Bolt app), the form is
rebuilt from GET /tasks/<task> (views.update), mistakes come back inline, and a submission runs
exactly as the slash command does: the simulator receives the same JSON body."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from standins.orchestrator import default_world
from standins.orchestrator.default_world import WEB_GROUP, default_world_data
from standins.orchestrator.world_json import world_from_dict
from standins.slack.requests import block_actions, slash_command
from tests.handlers.forms_person import SUBJECT, Person
from tests.support.harness import Harness, close_harness, make_harness, signed

EVERY_TYPE = {
    "name": "mymodule::every_type",
    "metadata": {
        "description": "One parameter of each type",
        "supports_noop": True,
        "parameters": {
            "flag": {"type": "Boolean", "description": "A switch"},
            "maybe": {"type": "Optional[Boolean]"},
            "colour": {"type": "Enum[red, green]"},
            "count": {"type": "Integer[1, 5]", "description": "How many"},
            "ratio": {"type": "Optional[Float[0.0, 1.0]]"},
            "label": {"type": "Pattern[/^[a-z]+$/]"},
            "note": {"type": "Optional[String]", "default_value": "hello"},
            "items": {"type": "Optional[Array[String]]"},
            "secret": {"type": "Optional[Sensitive[String]]", "sensitive": True},
        },
    },
}


def _world() -> Any:
    data = copy.deepcopy(default_world_data())
    data["tasks"].append(EVERY_TYPE)
    return world_from_dict(data)


@pytest.fixture
def h(tmp_path: Path) -> Iterator[Harness]:
    harness = make_harness(tmp_path, world=_world())
    try:
        yield harness
    finally:
        close_harness(harness)


def without_marker(body: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(body)
    body.get("userdata", {}).pop("chatops_request", None)
    return body


def test_task_alone_opens_the_form_in_the_channel_it_was_typed_in(h: Harness) -> None:
    alice = Person(h)
    response = alice.type("/task")
    assert response.status == 200
    view = alice.view()
    assert view["callback_id"] == "form_task"
    channel = alice.blocks()["ctx:channel"]["element"]
    assert channel["initial_conversation"] == "C0DEPLOYS"
    environments = alice.blocks()["ctx:environment"]["element"]
    offered = [o["value"] for o in environments["options"]]
    # PuppetDB's environments (GET /pdb/query/v4/environments on the simulator), production first
    assert set(offered) >= {"production", "development", "staging"}
    assert h.slack.calls("views.open"), "views.open was not called"
    # Counted in the one Slack budget, as a call that cannot wait (delivery/slack.py).
    assert h.bot.deps.slack.budget.report()["views.open"]["calls_last_minute"] == 1


def test_a_task_chosen_by_type_ahead_rebuilds_the_form_from_its_metadata(h: Harness) -> None:
    alice = Person(h)
    alice.type("/task")
    offered = alice.suggest("pack")
    assert [o["value"] for o in offered][:1] == ["package"]
    assert len(offered) <= 100
    alice.choose("package")
    blocks = alice.blocks()
    assert {"param:action", "param:name", "param:version", "target:nodes"} <= set(blocks)
    assert blocks["param:action"]["element"]["type"] == "static_select"
    assert blocks["param:version"].get("optional") is True
    assert h.slack.calls("views.update")


def test_each_parameter_type_becomes_its_element_and_is_checked(h: Harness) -> None:
    alice = Person(h)
    alice.type("/task")
    alice.choose("mymodule::every_type")
    blocks = alice.blocks()
    kinds = {name: blocks[f"param:{name}"]["element"]["type"] for name in
             ("flag", "maybe", "colour", "count", "ratio", "label", "note", "items")}  # fmt: skip
    assert kinds["flag"] == kinds["maybe"] == "checkboxes"
    assert kinds["colour"] == "static_select"
    assert kinds["count"] == "number_input"
    assert blocks["param:count"]["element"]["min_value"] == "1"
    assert blocks["param:count"]["element"]["max_value"] == "5"
    assert kinds["ratio"] == "number_input"
    assert blocks["param:ratio"]["element"]["is_decimal_allowed"] is True
    assert kinds["label"] == "plain_text_input"
    assert blocks["param:note"]["element"].get("initial_value") == "hello"
    assert kinds["items"] == "plain_text_input"
    assert "param:secret" not in blocks  # Slack cannot mask input
    text = str(alice.view()["blocks"])
    assert "secret" in text  # ...and the form says how to pass it

    alice.fill("param:colour", "red").fill("param:count", 3).fill("param:label", "NOT lower")
    alice.fill("param:items", "not json").fill("target:nodes", "web01.example.com")
    assert alice.submit() == "errors"
    errors = alice.errors()
    assert "param:label" in errors and "param:items" in errors, errors
    assert not h.requests_seen("/command/task"), "nothing may run while the form has errors"


def test_inline_errors_name_the_field_and_nothing_runs(h: Harness) -> None:
    alice = Person(h)
    alice.type("/task")
    alice.choose("package")
    alice.fill("param:action", "install").fill("param:name", "httpd")
    # Two targets at once: one of nodes, query or group.
    alice.fill("target:nodes", "web01.example.com").fill("target:query", "nodes[certname] { }")
    assert alice.submit() == "errors"
    assert "target:query" in alice.errors()
    assert not h.requests_seen("/command/task")


def test_a_submission_sends_the_body_the_slash_command_sends(h: Harness) -> None:
    alice = Person(h)
    alice.type("/task")
    alice.choose("package")
    alice.fill("param:action", "install").fill("param:name", "httpd")
    alice.fill("target:nodes", "web01.example.com")
    assert alice.submit() == "close"
    [from_form] = h.requests_seen("/command/task")

    h.command("/task package action=install name=httpd --nodes web01.example.com -e production")
    bodies = h.requests_seen("/command/task")
    assert len(bodies) == 2
    assert bodies[0]["userdata"]["chatops_request"] != bodies[1]["userdata"]["chatops_request"]
    assert without_marker(bodies[0]) == without_marker(bodies[1])
    assert from_form == bodies[0]
    # The same card and thread: a status card in the chosen channel, for Alice.
    h.tick(1)
    cards = [m for m in h.slack.messages("C0DEPLOYS") if not m.is_reply]
    assert len(cards) == 2


def test_deploy_form_and_slash_command_send_the_same_body(h: Harness) -> None:
    alice = Person(h)
    alice.type("/deploy")
    assert alice.view()["callback_id"] == "form_deploy"
    alice.fill("target:nodes", "web01.example.com")
    assert alice.submit() == "close"
    h.command("/deploy production --nodes web01.example.com")
    first, second = h.requests_seen("/command/deploy")
    assert without_marker(first) == without_marker(second)


def test_a_global_shortcut_opens_the_form_without_a_channel(h: Harness) -> None:
    trigger = h.slack.new_trigger_id(user="U0BOB")
    body = shortcut_body("run_plan", "U0BOB", trigger)
    response = Person(h, "U0BOB").send(body)
    assert response is not None and response.status == 200
    modal = h.slack.open_modal("U0BOB")
    assert modal is not None and modal.view["callback_id"] == "form_plan"
    channel = next(b for b in modal.view["blocks"] if b.get("block_id") == "ctx:channel")
    assert "initial_conversation" not in channel["element"]


def test_a_submission_in_a_view_the_bot_did_not_open_for_that_person_runs_nothing(
    h: Harness,
) -> None:
    alice = Person(h)
    alice.type("/task")
    alice.choose("facts")
    alice.fill("target:nodes", "web01.example.com")
    # Bob submits Alice's view (a forged payload: the fake lets the test say who acts).
    response = alice.send(h.slack.submission(alice.view_id, user="U0BOB"))
    assert response is not None and response.status == 200
    assert not h.requests_seen("/command/task")


def test_subject_field_uses_type_ahead(h: Harness) -> None:
    alice = Person(h)
    alice.type("/plan")
    element = alice.blocks()[SUBJECT]["element"]
    assert element["type"] == "external_select"
    assert alice.blocks()[SUBJECT].get("dispatch_action") is True
    assert "canary" in [o["value"] for o in alice.suggest("cana")]


def shortcut_body(callback_id: str, user: str, trigger: str) -> bytes:
    payload = {
        "type": "shortcut",
        "token": "legacy",
        "action_ts": "1.0",
        "team": {"id": "T0TEAM", "domain": "example"},
        "user": {"id": user, "username": user.lower(), "team_id": "T0TEAM"},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger,
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def test_default_world_still_builds() -> None:
    assert default_world().tasks


# -- Run again… ---------------------------------------------------------------------------------


def click_run_again(h: Harness, key: str, *, user: str, channel: str) -> None:
    trigger = h.slack.new_trigger_id(user=user, channel=channel)
    url = h.slack.new_response_url(channel=channel, user=user)
    body = block_actions(
        "run_again",
        key,
        user_id=user,
        channel_id=channel,
        message_ts="1.000100",
        response_url=url,
        trigger_id=trigger,
    )
    h.bot.app.dispatch(signed(body))


def card_buttons(h: Harness) -> dict[str, str]:
    found: dict[str, str] = {}
    for message in h.slack.messages("C0DEPLOYS"):
        for block in message.blocks or []:
            for element in block.get("elements") or []:
                if element.get("type") == "button":
                    found[element["action_id"]] = element["value"]
    return found


def test_run_again_opens_the_form_prefilled_and_sends_the_same_body(h: Harness) -> None:
    h.command("/task package action=install name=httpd --nodes web01.example.com -e production")
    h.tick(1)
    key = card_buttons(h)["run_again"]
    assert key.startswith("job:")  # the button carries only the job's id

    click_run_again(h, key, user="U0BOB", channel="C0DEPLOYS")
    bob = Person(h, "U0BOB")
    modal = h.slack.open_modal("U0BOB")
    assert modal is not None
    bob.view_id = modal.id
    blocks = bob.blocks()
    assert blocks[SUBJECT]["element"]["initial_option"]["value"] == "package"
    assert blocks["param:name"]["element"]["initial_value"] == "httpd"
    assert blocks["target:nodes"]["element"]["initial_value"] == "web01.example.com"
    assert bob.submit() == "close"

    first, again = h.requests_seen("/command/task")
    assert without_marker(first)["params"] == without_marker(again)["params"]
    assert again["userdata"]["chatops_slack_user"] == "U0BOB"  # the clicker asks, not Alice
    assert {k: v for k, v in first.items() if k != "userdata"} == {
        k: v for k, v in again.items() if k != "userdata"
    }


def test_run_again_from_another_channel_opens_nothing(h: Harness) -> None:
    h.command("/task facts --nodes web01.example.com")
    h.tick(1)
    key = card_buttons(h)["run_again"]
    click_run_again(h, key, user="U0BOB", channel="C0GENERAL")
    assert h.slack.open_modal("U0BOB") is None
    assert "not known here" in h.last_response_text()


def test_the_summary_offers_run_again(h: Harness) -> None:
    h.command("/task facts --nodes web01.example.com")
    h.run_until_quiet()
    [card] = h.slack.messages("C0DEPLOYS")
    replies = h.slack.thread("C0DEPLOYS", card.ts)
    summaries = [m for m in replies if m.is_reply and "run_again" in str(m.blocks)]
    assert summaries, "the final summary has no Run again… button"


def test_the_node_group_is_a_select_of_the_classifiers_groups(h: Harness) -> None:
    alice = Person(h)
    alice.type("/task")
    alice.choose("facts")
    element = alice.blocks()["target:node_group"]["element"]
    assert element["type"] == "static_select"  # GET /classifier-api/v1/groups, 6 groups
    names = {o["text"]["text"]: o["value"] for o in element["options"]}
    assert names["Web servers"] == WEB_GROUP
    alice.fill("target:node_group", WEB_GROUP)
    assert alice.submit() == "close"
    h.command(f"/task facts --node-group {WEB_GROUP} -e production")
    first, second = h.requests_seen("/command/task")
    assert without_marker(first) == without_marker(second)


def test_over_a_hundred_node_groups_are_found_by_type_ahead(tmp_path: Path) -> None:
    data = copy.deepcopy(default_world_data())
    data["node_groups"] += [
        {"id": f"00000000-0000-4000-8000-{i:012d}", "name": f"Rack {i}", "nodes": ["web*"]}
        for i in range(1, 121)
    ]
    h = make_harness(tmp_path, world=world_from_dict(data))
    try:
        alice = Person(h)
        alice.type("/deploy")
        element = alice.blocks()["target:node_group"]["element"]
        assert element["type"] == "external_select"
        offered = alice.suggest("Rack 11", "target:node_group")
        assert offered and offered[0]["text"]["text"] == "Rack 11"
        assert len(offered) <= 100
        alice.fill("target:node_group", offered[0]["value"])
        assert alice.submit() == "close"
        [body] = h.requests_seen("/command/deploy")
        # Resolved and pinned to its nodes, as a typed --node-group is (flows/targets.py).
        assert body["scope"]
    finally:
        close_harness(h)


def test_a_form_slack_will_not_open_is_answered_privately(h: Harness) -> None:
    trigger = h.slack.new_trigger_id(user="U0ALICE", channel="C0DEPLOYS")
    for _ in range(2):  # a trigger_id opens one view: the second views.open is refused
        url = h.slack.new_response_url(channel="C0DEPLOYS", user="U0ALICE")
        body = slash_command(
            "/task", "", user_id="U0ALICE", channel_id="C0DEPLOYS", response_url=url,
            trigger_id=trigger,
        )  # fmt: skip
        h.bot.app.dispatch(signed(body))
        h.clock.advance(1)  # views.open is Tier 4: one call every 0.6 s
    assert len(h.slack.views()) == 1
    text = h.last_response_text()
    assert "Slack did not open the form" in text and "exchanged_trigger_id" in text


def test_a_plan_form_sends_the_body_the_slash_command_sends(h: Harness) -> None:
    alice = Person(h)
    alice.type("/plan")
    alice.choose("canary")
    alice.fill("target:nodes:nodes", "web01.example.com\nweb02.example.com")
    alice.fill("param:command", "whoami").fill("param:canary", 2)
    assert alice.submit() == "close"
    h.command(
        "/plan canary nodes=web01.example.com,web02.example.com command=whoami canary=2 "
        "-e production"
    )
    first, second = h.requests_seen("/command/plan_run")
    assert without_marker(first) == without_marker(second)


def test_every_parameter_type_is_sent_typed(h: Harness) -> None:
    alice = Person(h)
    alice.type("/task")
    alice.choose("mymodule::every_type")
    alice.fill("param:flag", ["true"]).fill("param:colour", "green").fill("param:count", 5)
    alice.fill("param:ratio", "0.5").fill("param:label", "abc")
    alice.fill("param:items", '["a", "b"]').fill("target:nodes", "web01.example.com")
    assert alice.submit() == "close", alice.errors()
    [body] = h.requests_seen("/command/task")
    params = body["params"]
    assert params["flag"] is True and params["colour"] == "green" and params["count"] == 5
    assert params["ratio"] == 0.5 and params["label"] == "abc" and params["items"] == ["a", "b"]
    assert "maybe" not in params  # an unticked optional Boolean is omitted, not false
    assert "secret" not in params


def test_type_ahead_is_answered_from_a_per_environment_cache(h: Harness) -> None:
    def listings(environment: str) -> int:
        return sum(
            1
            for r in h.sim_requests
            if r["path"] == "/orchestrator/v1/tasks"
            and r["query"].get("environment") == environment
        )

    alice = Person(h)
    alice.type("/task")
    for query in ("pack", "serv", "fact"):
        assert alice.suggest(query)
    assert listings("production") == 1  # GET /tasks once, however many keystrokes
    alice.fill("ctx:environment", "development")  # another environment: its own list
    assert alice.suggest("pack")
    assert listings("development") == 1
    h.clock.advance(301)  # kept 5 minutes
    alice.fill("ctx:environment", "production")
    assert alice.suggest("exec")
    assert listings("production") == 2
