"""The plan form: each TargetSpec parameter as nodes, a query or a group; read back as /plan."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import pytest

from commands import parse
from forms import FormErrors, FormOptions, NodeGroupChoice, Submission, plan_form, read_plan_form
from standins.orchestrator.default_catalog import default_plans
from tests.forms.helpers import GROUPS, NOW, Filled, plan_info

OPTIONS = FormOptions(node_groups=[NodeGroupChoice(gid, name) for name, gid in GROUPS.items()])


def plan(name: str) -> tuple[Filled, Any]:
    info = plan_info(name)
    filled = Filled(plan_form(info, environment="production", options=OPTIONS))
    filled.set("ctx:subject", name)
    return filled, info


def read(filled: Filled, info: Any) -> Submission | FormErrors:
    return read_plan_form(filled.values, info, now=NOW, zone=UTC)


@pytest.mark.parametrize("name", [p["name"] for p in default_plans()])
def test_every_catalog_plan_makes_a_valid_modal(name: str) -> None:
    view = plan_form(plan_info(name), environment="production", options=OPTIONS)

    Filled(view)
    assert view["callback_id"] == "form_plan" and len(view["blocks"]) <= 100


def test_each_target_parameter_gets_nodes_query_and_group() -> None:
    filled, _ = plan("example_plan")

    blocks = filled.blocks()
    for param in ("targets", "more_targets"):
        assert [
            f"target:{param}:{part}" in blocks for part in ("nodes", "query", "node_group")
        ] == [True] * 3
    assert "param:targets" not in blocks
    assert filled.block("param:example_object_param")["element"].get("multiline") is True


def test_nodes_for_a_target_parameter_read_as_name_equals_list() -> None:
    filled, info = plan("canary")
    filled.set("target:nodes:nodes", "web01.example.com web02.example.com").set(
        "param:command", "whoami"
    )

    result = read(filled, info)

    assert isinstance(result, Submission), result
    assert result.intent == parse(
        "plan", "canary nodes=web01.example.com,web02.example.com command=whoami -e production"
    )


def test_a_query_or_group_makes_the_parameter_scoped() -> None:
    filled, info = plan("example_plan")
    filled.set("param:message", "hello").set("target:targets:query", "nodes[certname] { }")
    filled.set("target:more_targets:node_group", GROUPS["App servers"])

    result = read(filled, info)

    assert isinstance(result, Submission), result
    assert dict(result.intent.scoped_params) == {
        "targets": ("query", "nodes[certname] { }"),
        "more_targets": ("node_group", GROUPS["App servers"]),
    }
    assert parse("plan", result.command.removeprefix("/plan ")) == result.intent


def test_an_optional_target_may_be_left_empty_a_required_one_may_not() -> None:
    filled, info = plan("example_plan")
    filled.set("param:message", "hello")

    result = read(filled, info)

    assert isinstance(result, FormErrors)
    assert list(result.errors) == ["target:targets:nodes"]


def test_a_text_value_that_looks_like_a_query_is_not_taken_for_one() -> None:
    filled, info = plan("canary")
    filled.set("target:nodes:nodes", "web01.example.com").set("param:command", "query:rm -rf")

    result = read(filled, info)

    assert isinstance(result, Submission)
    assert result.intent.json_params == {"command": "query:rm -rf"}
    assert "command" not in result.intent.scoped_params


def test_a_plan_the_bot_may_not_run_says_so_on_the_plan_field() -> None:
    filled, info = plan("canary::random")
    filled.set("target:nodes:nodes", "web01.example.com")

    result = read(filled, info)

    assert isinstance(result, FormErrors) and "not permitted" in result.errors["ctx:subject"]


def test_defaults_are_shown_and_left_out_when_unchanged() -> None:
    filled, info = plan("profile::rolling_update")
    assert filled.block("param:package")["element"]["initial_value"] == "openssl"
    filled.set("target:targets:nodes", "db01.example.com")

    result = read(filled, info)

    assert isinstance(result, Submission) and dict(result.intent.raw_params) == {
        "targets": "db01.example.com"
    }
