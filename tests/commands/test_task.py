"""/task: run, list, show; parameters, scope, --via and the sub-command words."""

from __future__ import annotations

import pytest

from commands import parse
from commands.intents import ListTasks, RunTask, ShowTask
from orchestrator.requests import Scope
from tests.commands.helpers import refused

GROUP = "00000000-0000-4000-8000-000000000000"


def run(text: str) -> RunTask:
    intent = parse("/task", text)
    assert isinstance(intent, RunTask)
    return intent


def test_documented_example_becomes_a_run_task() -> None:
    assert run("package action=install name=httpd --nodes web01.example.com") == RunTask(
        task="package",
        scope=Scope.nodes(("web01.example.com",)),
        environment="production",
        raw_params={"action": "install", "name": "httpd"},
    )


def test_every_flag_maps_to_its_field() -> None:
    intent = run(
        "service action=restart --nodes a.example.com,b.example.com -e test_env_1 --noop "
        '--timeout 60 --description \'restart nginx\' --params \'{"name": "nginx", "n": 2}\' '
        "--userdata ticket=INC1 --via linux_ssh"
    )
    assert intent == RunTask(
        task="service",
        scope=Scope.nodes(("a.example.com", "b.example.com")),
        environment="test_env_1",
        raw_params={"action": "restart"},
        json_params={"name": "nginx", "n": 2},
        noop=True,
        timeout=60,
        description="restart nginx",
        userdata={"ticket": "INC1"},
        via="linux_ssh",
    )


def test_flags_may_come_before_the_task() -> None:
    assert run("--nodes a package action=status").task == "package"


def test_query_and_node_group_scopes() -> None:
    assert run("facts --query 'nodes[certname] { }'").scope == Scope.query("nodes[certname] { }")
    assert run(f"facts --node-group {GROUP}").scope == Scope.node_group(GROUP)
    assert run('facts -q \'["from", "nodes"]\'').scope == Scope.query(["from", "nodes"])


def test_value_keeps_everything_after_the_first_equals_sign() -> None:
    assert run("exec command='a=b c' --nodes a").raw_params == {"command": "a=b c"}


def test_empty_value_is_an_empty_string() -> None:
    assert run("exec command= --nodes a").raw_params == {"command": ""}


def test_module_task_name() -> None:
    assert run("puppet_conf::get setting=server --nodes a").task == "puppet_conf::get"


def test_bare_word_that_is_not_key_value_is_refused() -> None:
    error = refused("/task", "package install --nodes a")
    assert "'install' is not a parameter" in error.message
    assert "name=value" in error.message


def test_same_parameter_twice_is_refused() -> None:
    error = refused("/task", "package name=a name=b --nodes a")
    assert "'name' is given twice" in error.message


def test_parameter_in_key_value_and_params_is_refused() -> None:
    error = refused("/task", 'package name=a --params \'{"name": "b"}\' --nodes a')
    assert "'name' is given both" in error.message


@pytest.mark.parametrize("params", ["'[1, 2]'", "'\"x\"'", "'{bad'"])
def test_params_must_be_a_json_object(params: str) -> None:
    assert "--params" in refused("/task", f"package --nodes a --params {params}").message


def test_params_twice_is_refused() -> None:
    error = refused("/task", "package --nodes a --params '{}' --params '{}'")
    assert "--params is given twice" in error.message


def test_bad_parameter_name_is_named() -> None:
    assert "'Name' is not a parameter name" in refused("/task", "package Name=x --nodes a").message
    error = refused("/task", "package --nodes a --params '{\"Bad-Name\": 1}'")
    assert "'Bad-Name' is not a parameter name" in error.message


@pytest.mark.parametrize("name", ["Package", "package::", "a::b::c", "9lives", "pkg-x"])
def test_bad_task_name_is_named(name: str) -> None:
    assert f"'{name}' is not a task name" in refused("/task", f"{name} --nodes a").message


def test_missing_task_name_is_refused() -> None:
    assert "Name the task first" in refused("/task", "--nodes a").message
    assert "Name the task first" in refused("/task", "action=install --nodes a").message


def test_missing_scope_is_refused() -> None:
    assert "--node-group" in refused("/task", "package action=status").message


def test_two_scopes_are_refused() -> None:
    error = refused("/task", "package --nodes a --query 'nodes[certname] { }'")
    assert "'--nodes' and '--query'" in error.message


def test_via_needs_a_node_list() -> None:
    error = refused("/task", f"package --node-group {GROUP} --via linux_ssh")
    assert "--via needs the nodes listed with --nodes" in error.message


def test_bad_profile_name_is_refused() -> None:
    assert "connection profile" in refused("/task", "package --nodes a --via 'a b'").message


def test_bad_environment_is_named() -> None:
    assert "'Prod' is not an environment" in refused("/task", "package --nodes a -e Prod").message


def test_target_create_flags_do_not_apply_to_a_run() -> None:
    error = refused("/task", f"package --nodes a --node-groups {GROUP}")
    assert "'--node-groups' does not apply to running a task" in error.message
    assert "--node-group" in error.message


def test_deploy_only_flag_is_unknown_here() -> None:
    error = refused("/task", "package --nodes a --no-noop")
    assert "Unknown flag '--no-noop'" in error.message


def test_list() -> None:
    assert parse("/task", "list") == ListTasks()
    assert parse("/task", "list -e development") == ListTasks("development")
    assert parse("/task", "-e development list") == ListTasks("development")


def test_list_refuses_run_flags_and_extra_words() -> None:
    assert "does not apply to /task list" in refused("/task", "list --nodes a").message
    assert "Unexpected 'package'" in refused("/task", "list package").message


def test_show() -> None:
    assert parse("/task", "show package") == ShowTask("package")
    assert parse("/task", "show package -e dev") == ShowTask("package", "dev")


def test_show_needs_a_valid_task() -> None:
    assert "Name the task to show" in refused("/task", "show").message
    assert "'Bad' is not a task name" in refused("/task", "show Bad").message
    assert refused("/task", "show").usage == "/task show <task> [-e ENV]"


def test_task_called_target_runs_when_not_followed_by_create() -> None:
    assert run("target action=x --nodes a").task == "target"


def test_subcommand_word_wins_over_a_task_of_that_name() -> None:
    assert isinstance(parse("/task", "List"), ListTasks)
    assert run("list::init --nodes a").task == "list::init"
