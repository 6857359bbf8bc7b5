"""/plan: run (plain and query/node_group parameters), list and show."""

from __future__ import annotations

from commands import parse
from commands.intents import ListPlans, RunPlan, ShowPlan
from tests.commands.helpers import refused

GROUP = "00000000-0000-4000-8000-000000000000"


def run(text: str) -> RunPlan:
    intent = parse("/plan", text)
    assert isinstance(intent, RunPlan)
    return intent


def test_documented_canary_example() -> None:
    assert run(
        "canary nodes=web01.example.com,web02.example.com command=whoami canary=1"
    ) == RunPlan(
        plan="canary",
        raw_params={
            "nodes": "web01.example.com,web02.example.com",
            "command": "whoami",
            "canary": "1",
        },
    )


def test_query_and_node_group_parameters_are_scoped() -> None:
    intent = run(
        "example_plan message=hello targets=query:'nodes[certname] { }' "
        f"more_targets=node_group:{GROUP}"
    )
    assert intent.raw_params == {"message": "hello"}
    assert intent.scoped_params == {
        "targets": ("query", "nodes[certname] { }"),
        "more_targets": ("node_group", GROUP),
    }


def test_every_flag_maps_to_its_field() -> None:
    intent = run(
        "profile::rolling_update -e staging --timeout 3600 --description 'roll it' "
        "--params '{\"batch\": 2}' --userdata ticket=CHG1"
    )
    assert intent == RunPlan(
        plan="profile::rolling_update",
        environment="staging",
        json_params={"batch": 2},
        timeout=3600,
        description="roll it",
        userdata={"ticket": "CHG1"},
    )


def test_environment_stays_unset_when_not_given() -> None:
    assert run("canary").environment is None


def test_empty_query_parameter_is_refused() -> None:
    assert "names no query" in refused("/plan", "canary targets=query:").message


def test_bad_node_group_parameter_is_named() -> None:
    error = refused("/plan", "canary targets=node_group:web")
    assert "'web' is not a node group id" in error.message


def test_scoped_parameter_also_in_params_is_refused() -> None:
    error = refused("/plan", "canary targets=query:x --params '{\"targets\": []}'")
    assert "'targets' is given both" in error.message


def test_same_parameter_twice_is_refused() -> None:
    assert "given twice" in refused("/plan", "canary a=1 a=query:x").message


def test_bare_word_is_refused() -> None:
    assert "'web01' is not a parameter" in refused("/plan", "canary web01").message


def test_scope_flags_get_a_hint_about_parameters() -> None:
    error = refused("/plan", "canary --nodes web01")
    assert "'--nodes' does not apply here" in error.message
    assert "targets=" in error.message


def test_bad_plan_name_is_named() -> None:
    assert "'Canary' is not a plan name" in refused("/plan", "Canary").message


def test_missing_plan_name_is_refused() -> None:
    assert "Name the plan first" in refused("/plan", "-e dev").message


def test_timeout_must_be_positive() -> None:
    assert "--timeout takes a whole number" in refused("/plan", "canary --timeout 0").message


def test_list_and_show() -> None:
    assert parse("/plan", "list") == ListPlans()
    assert parse("/plan", "list -e dev") == ListPlans("dev")
    assert parse("/plan", "show canary::random") == ShowPlan("canary::random")
    assert parse("/plan", "show canary -e dev") == ShowPlan("canary", "dev")


def test_list_and_show_refuse_extras() -> None:
    assert "Unexpected 'x'" in refused("/plan", "list x").message
    assert "Name the plan to show" in refused("/plan", "show").message
    assert "does not apply to /plan show" in refused("/plan", "show canary --timeout 5").message
