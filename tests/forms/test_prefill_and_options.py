"""Run again (a stored body → the form's first values) and type-ahead answers."""

from __future__ import annotations

import json

import pytest

from forms import (
    FormContext,
    NodeGroupChoice,
    deploy_form,
    plan_form,
    prefill_from_body,
    suggest,
    suggest_groups,
    task_form,
)
from forms.targets import Target
from tests.forms.helpers import Filled, custom_task, plan_info

SECRET = "hunter2-do-not-show"


def test_a_task_body_fills_parameters_scope_and_options() -> None:
    body = {
        "environment": "development",
        "task": "mymodule::custom",
        "params": {"action": "status", "count": 3, "tags": ["a", "b"]},
        "scope": {"query": ["from", "nodes"]},
        "noop": True,
        "timeout": 45,
        "description": "again",
        "userdata": {"chatops_marker": "m-1"},
    }
    info = custom_task(
        {
            "action": {"type": "Enum[install, status]"},
            "count": {"type": "Integer"},
            "tags": {"type": "Array[String]"},
        }
    )

    prefill = prefill_from_body("task", body)
    filled = Filled(
        task_form(info, environment="development", prefill=prefill, extra={"rerun": "r-9"})
    )

    assert prefill.target == Target("query", '["from", "nodes"]')
    assert (
        filled.values["param:action"][filled.block("param:action")["element"]["action_id"]][
            "selected_option"
        ]["value"]
        == "status"
    )
    assert filled.block("param:count")["element"]["initial_value"] == "3"
    assert json.loads(filled.block("param:tags")["element"]["initial_value"]) == ["a", "b"]
    assert filled.block("target:query")["element"]["initial_value"] == '["from", "nodes"]'
    assert filled.block("opt:noop")["element"]["initial_options"][0]["value"] == "noop"
    assert filled.block("opt:timeout")["element"]["initial_value"] == "45"
    assert FormContext.decode(filled.view["private_metadata"]).extra == {"rerun": "r-9"}
    assert "chatops_marker" not in json.dumps(filled.view)


def test_sensitive_values_are_never_shown_again() -> None:
    info = custom_task(
        {"user": {"type": "String"}, "password": {"type": "String", "sensitive": True}}
    )
    params = {"user": "admin", "password": SECRET}
    body = {"task": info.name, "environment": "production", "params": params,
            "scope": {"nodes": ["a.example.com"]}}  # fmt: skip

    view = task_form(info, environment="production", prefill=prefill_from_body("task", body))

    assert SECRET not in json.dumps(view)
    assert "admin" in json.dumps(view)


def test_a_value_a_text_field_cannot_show_becomes_json() -> None:
    info = custom_task({"anything": {"type": "Any"}})
    body = {"task": info.name, "environment": "production", "params": {"anything": {"k": [1]}},
            "scope": {"nodes": ["a.example.com"]}}  # fmt: skip

    filled = Filled(
        task_form(info, environment="production", prefill=prefill_from_body("task", body))
    )

    element = filled.block("param:anything")["element"]
    assert element.get("multiline") is True and json.loads(element["initial_value"]) == {"k": [1]}


def test_an_environment_plan_run_body_fills_query_and_group_targets() -> None:
    body = {
        "plan_name": "example_plan",
        "environment": "production",
        "params": {
            "message": {"value": "hi"},
            "targets": {"type": "query", "value": "nodes { }"},
            "more_targets": {"type": "node_group", "value": "6f1a6b5e-0c3d-4b1e-9a53-3c0c5e1b2a01"},
        },
    }

    prefill = prefill_from_body("environment_plan_run", body)
    filled = Filled(plan_form(plan_info("example_plan"), environment="production", prefill=prefill))

    assert prefill.params == {"message": "hi"}
    assert filled.block("target:targets:query")["element"]["initial_value"] == "nodes { }"
    assert filled.block("target:more_targets:node_group")["element"]["initial_value"] == (
        "6f1a6b5e-0c3d-4b1e-9a53-3c0c5e1b2a01"
    )


def test_a_deploy_body_fills_the_deploy_options() -> None:
    body = {"environment": "production", "scope": {"nodes": ["a.example.com"]},
            "no_noop": True, "tags": "ntp,ssh", "enforce_environment": False, "trace": True,
            "filetimeout": 9}  # fmt: skip

    filled = Filled(
        deploy_form(environment="production", prefill=prefill_from_body("deploy", body))
    )

    assert filled.block("deploy:mode")["element"]["initial_option"]["value"] == "no_noop"
    assert filled.block("deploy:enforce")["element"]["initial_option"]["value"] == "own"
    assert filled.block("deploy:tags")["element"]["initial_value"] == "ntp,ssh"
    assert [o["value"] for o in filled.block("deploy:agent")["element"]["initial_options"]] == [
        "trace"
    ]
    assert filled.block("deploy:filetimeout")["element"]["initial_value"] == "9"


def test_other_endpoints_have_no_form() -> None:
    with pytest.raises(ValueError):
        prefill_from_body("stop", {"job": "1"})


def test_suggestions_rank_prefixes_first_and_stop_at_100() -> None:
    names = ["service", "package", "mymodule::sleep", "mymodule::flush_cache", "facts"]
    names += [f"zz::task_{i}" for i in range(200)]

    assert [o["value"] for o in suggest(names, "s")["options"][:2]] == [
        "service",
        "mymodule::sleep",
    ]
    assert [o["value"] for o in suggest(names, "FLUSH")["options"]] == ["mymodule::flush_cache"]
    assert len(suggest(names, "")["options"]) == 100
    assert suggest(names, "nothing-like-it") == {"options": []}


def test_group_suggestions_match_names_and_ids() -> None:
    groups = [
        NodeGroupChoice(f"00000000-0000-4000-8000-{i:012d}", f"Group {i}") for i in range(150)
    ]

    found = suggest_groups(groups, "group 14")["options"]

    assert [o["text"]["text"] for o in found] == ["Group 14"] + [f"Group 14{i}" for i in range(10)]
    assert suggest_groups(groups, "000000000149")["options"][0]["text"]["text"] == "Group 149"
