"""The task form: its layout within Slack's limits, where it runs, its options and errors."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from commands import parse
from commands.intents import Later
from forms import (
    FormContext,
    FormErrors,
    FormOptions,
    NodeGroupChoice,
    Submission,
    read_task_form,
    task_form,
)
from orchestrator.requests import Scope
from standins.orchestrator.default_catalog import default_tasks
from tests.forms.helpers import GROUPS, NOW, Filled, custom_task, task_info

OPTIONS = FormOptions(
    environments=["production", "development"],
    node_groups=[NodeGroupChoice(gid, name) for name, gid in GROUPS.items()],
    profiles=["lab-ssh"],
)


def package(**fills: Any) -> tuple[Filled, Any]:
    info = task_info("package")
    filled = Filled(task_form(info, environment="production", options=OPTIONS))
    filled.set("ctx:subject", "package").set("param:action", "install").set("param:name", "httpd")
    for block_id, value in fills.items():
        filled.set(block_id.replace("__", ":"), value)
    return filled, info


def read(filled: Filled, info: Any, **kw: Any) -> Submission | FormErrors:
    return read_task_form(filled.values, info, options=OPTIONS, now=NOW, zone=UTC, **kw)


@pytest.mark.parametrize("name", [t["name"] for t in default_tasks()])
def test_every_catalog_task_makes_a_valid_modal(name: str) -> None:
    view = task_form(task_info(name), environment="production", options=OPTIONS)

    Filled(view)  # asserts Slack's rules (view_errors) hold
    assert len(view["blocks"]) <= 100
    assert FormContext.decode(view["private_metadata"]) == FormContext("task", name, "production")


def test_before_a_task_is_chosen_the_form_asks_for_one() -> None:
    view = task_form(None, environment="development", options=OPTIONS)

    filled = Filled(view)
    assert filled.blocks()[:3] == ["ctx:channel", "ctx:environment", "ctx:subject"]
    subject = filled.block("ctx:subject")
    assert subject["element"]["type"] == "external_select" and subject["dispatch_action"] is True
    assert filled.block("ctx:environment")["dispatch_action"] is True
    assert filled.values["ctx:environment"]["value"]["selected_option"]["value"] == "development"
    assert FormContext.decode(view["private_metadata"]).subject is None


def test_the_channel_defaults_to_the_current_one_or_the_one_given() -> None:
    current = Filled(task_form(None, environment="production")).block("ctx:channel")["element"]
    given = Filled(
        task_form(None, environment="production", options=FormOptions(channel="C0GENERAL"))
    ).block("ctx:channel")["element"]

    assert current["default_to_current_conversation"] is True
    assert given["initial_conversation"] == "C0GENERAL"
    assert current["response_url_enabled"] is True


def test_a_filled_form_reads_back_as_the_slash_command() -> None:
    filled, info = package(target__nodes="web01.example.com,\nweb02.example.com  web01.example.com")
    filled.set("opt:noop", ["noop"]).set("opt:timeout", 120).set("opt:description", "fix it")

    result = read(filled, info)

    assert isinstance(result, Submission), result
    assert result.intent.scope == Scope.nodes(("web01.example.com", "web02.example.com"))
    assert (result.intent.noop, result.intent.timeout) == (True, 120)
    assert result.channel == "C0DEPLOYS" and result.when is None
    assert result.command == (
        "/task package action=install name=httpd --nodes web01.example.com,web02.example.com "
        "--environment production --noop --timeout 120 --description 'fix it'"
    )


def test_nodes_a_query_or_a_group_exactly_one() -> None:
    none, info = package()
    both, _ = package(target__nodes="web01.example.com", target__query="nodes { }")
    bad, _ = package(target__nodes="web 01!")

    missing = "Say which nodes: list them, or give a PQL query or a node group."
    assert read(none, info) == FormErrors({"target:nodes": missing})
    assert "Give only one" in read(both, info).errors["target:query"]  # type: ignore[union-attr]
    assert "is not a node name" in read(bad, info).errors["target:nodes"]  # type: ignore[union-attr]


def test_a_node_group_is_chosen_from_the_groups_given() -> None:
    filled, info = package()
    select = filled.block("target:node_group")["element"]
    assert select["type"] == "static_select"
    assert [o["text"]["text"] for o in select["options"]] == ["App servers", "Web servers"]

    filled.set("target:node_group", GROUPS["Web servers"])

    result = read(filled, info)
    assert isinstance(result, Submission)
    assert result.intent.scope == Scope.node_group(GROUPS["Web servers"])


def test_more_than_100_groups_become_a_type_ahead() -> None:
    many = [NodeGroupChoice(f"00000000-0000-4000-8000-{i:012d}", f"group {i}") for i in range(101)]
    view = task_form(
        task_info("facts"), environment="production", options=FormOptions(node_groups=many)
    )

    assert Filled(view).block("target:node_group")["element"]["type"] == "external_select"


def test_via_takes_a_configured_profile_and_only_with_node_names() -> None:
    filled, info = package(target__query="nodes { }", opt__via="lab-ssh")

    assert "list the nodes" in read(filled, info).errors["opt:via"]  # type: ignore[union-attr]
    filled.set("target:query", None).set("target:nodes", "web01.example.com")
    result = read(filled, info)
    assert isinstance(result, Submission) and result.intent.via == "lab-ssh"
    assert "opt:via" not in Filled(task_form(info, environment="production")).blocks()


def test_noop_is_offered_only_when_the_task_supports_it() -> None:
    assert "opt:noop" in Filled(task_form(task_info("package"), environment="production")).blocks()
    assert (
        "opt:noop" not in Filled(task_form(task_info("facts"), environment="production")).blocks()
    )


def test_schedule_fields_are_read_with_the_command_grammar() -> None:
    filled, info = package(
        target__nodes="web01.example.com", opt__at="tomorrow 09:00", opt__every="daily"
    )

    result = read_task_form(filled.values, info, now=NOW, zone=ZoneInfo("Europe/Paris"))

    assert isinstance(result, Submission), result
    assert result.when is not None and result.when.interval == 86_400
    assert result.when.start == (NOW + timedelta(days=1)).replace(hour=8)  # 09:00 in Paris, UTC+1


def test_the_schedule_is_in_the_intent_as_the_slash_command_carries_it() -> None:
    filled, info = package(
        target__nodes="web01.example.com", opt__at="tomorrow 09:00", opt__every="daily"
    )

    result = read(filled, info)

    assert isinstance(result, Submission), result
    assert result.intent.later == Later(at="tomorrow 09:00", every="daily")
    assert parse("/task", result.command.removeprefix("/task ")) == result.intent


@pytest.mark.parametrize(
    ("block", "words"),
    [("opt:timeout", "--timeout cannot be scheduled"), ("opt:via", "--via cannot be scheduled")],
)
def test_what_a_schedule_cannot_carry_is_refused_beside_its_field(block: str, words: str) -> None:
    filled, info = package(target__nodes="web01.example.com", opt__every="1h")
    filled.set(block, 60 if block == "opt:timeout" else "lab-ssh")

    result = read(filled, info)

    assert isinstance(result, FormErrors) and words in result.errors.get(block, ""), result


@pytest.mark.parametrize(
    "block, value, words",
    [("opt:at", "yesterday", "not a time I can read"), ("opt:every", "10s", "too often")],
)
def test_schedule_errors_are_inline(block: str, value: str, words: str) -> None:
    filled, info = package(target__nodes="web01.example.com")
    filled.set(block, value)

    result = read(filled, info)

    assert isinstance(result, FormErrors) and words in result.errors[block]


def test_a_task_changed_but_not_reloaded_is_an_error_to_retry() -> None:
    filled, info = package(target__nodes="web01.example.com")
    filled.set("ctx:subject", "service")

    result = read(filled, info)

    assert (
        isinstance(result, FormErrors) and "wait for it to reload" in result.errors["ctx:subject"]
    )


def test_a_task_with_more_parameters_than_fit_keeps_required_ones_first() -> None:
    params = {f"p{i:03d}": {"type": "Optional[String]"} for i in range(150)}
    params["must"] = {"type": "String"}
    info = custom_task(params)

    filled = Filled(task_form(info, environment="production", options=OPTIONS))

    assert len(filled.view["blocks"]) == 100
    shown = [b for b in filled.blocks() if b.startswith("param:")]
    assert "param:must" in shown and len(shown) < 151
    note = next(b for b in filled.view["blocks"] if "did not fit" in str(b))
    assert f"{151 - len(shown)} more parameter(s)" in note["elements"][0]["text"]
    filled.set("ctx:subject", info.name).set("target:nodes", "a.example.com").set("param:must", "x")
    result = read(filled, info)
    assert isinstance(result, Submission) and result.intent.raw_params == {"must": "x"}


def test_a_task_whose_required_parameters_do_not_fit_cannot_run_from_the_form() -> None:
    info = custom_task({f"p{i:03d}": {"type": "String"} for i in range(120)})
    filled = Filled(task_form(info, environment="production"))
    filled.set("ctx:subject", info.name).set("target:nodes", "a.example.com")
    for block in filled.blocks():
        if block.startswith("param:"):
            filled.set(block, "x")

    result = read(filled, info)

    assert isinstance(result, FormErrors)
    assert "cannot be given in this form" in result.errors["ctx:subject"]


def test_a_value_that_does_not_fit_the_metadata_is_caught_before_the_flow() -> None:
    info = task_info("mymodule::sleep")
    filled = Filled(task_form(info, environment="production"))
    filled.set("ctx:subject", info.name).set("target:nodes", "a.example.com")
    filled.set("param:seconds", 4000)  # past Integer[0, 3600]: Slack's client says so first

    assert filled.client_errors() == {"param:seconds": "Must be 3600 or less."}
    result = read(filled, info)
    assert isinstance(result, FormErrors) and "Integer[0, 3600]" in result.errors["param:seconds"]


def test_an_environment_outside_the_list_is_shown_as_text_when_no_list_is_known() -> None:
    filled = Filled(task_form(None, environment="staging"))

    element = filled.block("ctx:environment")["element"]
    assert (element["type"], element["initial_value"]) == ("plain_text_input", "staging")


def test_the_forms_environment_is_always_among_the_choices() -> None:
    filled = Filled(task_form(None, environment="staging", options=OPTIONS))

    element = filled.block("ctx:environment")["element"]
    assert [o["value"] for o in element["options"]] == ["production", "development", "staging"]
    assert element["initial_option"]["value"] == "staging"


def test_a_form_that_would_outgrow_250_kb_shows_fewer_parameters() -> None:
    choices = ", ".join(f"choice_{i:03d}" for i in range(100))  # the type stays under 2000
    params = {
        f"p{i:02d}": {"type": f"Optional[Enum[{choices}]]", "description": "d" * 500}
        for i in range(80)
    }
    info = custom_task(params)

    view = task_form(info, environment="production", options=OPTIONS)

    size = len(__import__("json").dumps(view).encode())
    assert size <= 240_000
    shown = [b["block_id"] for b in view["blocks"] if str(b.get("block_id")).startswith("param:")]
    assert 0 < len(shown) < 80
    assert any("did not fit" in str(b) for b in view["blocks"])
