"""/task target create: the documented validation of POST /command/task_target."""

from __future__ import annotations

from commands import parse
from commands.intents import CreateTaskTarget
from orchestrator.requests import TaskTargetRequest
from tests.commands.helpers import refused

GROUP = "00000000-0000-4000-8000-000000000000"


def create(text: str) -> TaskTargetRequest:
    intent = parse("/task", "target create " + text)
    assert isinstance(intent, CreateTaskTarget)
    return intent.request


def test_tasks_and_node_groups() -> None:
    request = create(f'"web restarts" --tasks service,package --node-groups {GROUP}')
    assert request.body() == {
        "display_name": "web restarts",
        "tasks": ["service", "package"],
        "nodes": [],
        "node_groups": [GROUP],
    }


def test_all_tasks_omits_tasks_and_sends_empty_node_groups() -> None:
    request = create("task_target_example_2 --all-tasks --nodes node1,node2")
    assert request.body() == {
        "display_name": "task_target_example_2",
        "all_tasks": True,
        "nodes": ["node1", "node2"],
        "node_groups": [],
    }


def test_query_only_sends_empty_nodes_and_node_groups() -> None:
    request = create("'by query' --tasks facts --query 'nodes[certname] { }'")
    assert request == TaskTargetRequest(
        display_name="by query", tasks=("facts",), pql_query="nodes[certname] { }"
    )
    assert request.body()["nodes"] == [] and request.body()["node_groups"] == []


def test_every_flag_together() -> None:
    request = create(
        f"all --tasks a::b --nodes n1 --node-groups {GROUP},{GROUP} --query 'nodes[certname] {{ }}'"
    )
    assert request == TaskTargetRequest(
        display_name="all",
        tasks=("a::b",),
        nodes=("n1",),
        node_groups=(GROUP,),
        pql_query="nodes[certname] { }",
    )


def test_empty_display_name_is_refused() -> None:
    assert (
        "Give the task-target a name"
        in refused("/task", "target create '' --all-tasks --nodes a").message
    )
    assert (
        "Give the task-target a name"
        in refused("/task", "target create ' ' --all-tasks --nodes a").message
    )
    assert (
        "Give the task-target a name"
        in refused("/task", "target create --all-tasks --nodes a").message
    )


def test_unquoted_display_name_is_refused_naming_the_second_word() -> None:
    error = refused("/task", "target create web restarts --all-tasks --nodes a")
    assert "Unexpected 'restarts'" in error.message and "quotes" in error.message


def test_tasks_and_all_tasks_together_are_refused() -> None:
    error = refused("/task", "target create x --tasks a --all-tasks --nodes a")
    assert "exactly one of --tasks" in error.message


def test_neither_tasks_nor_all_tasks_is_refused() -> None:
    assert "exactly one of --tasks" in refused("/task", "target create x --nodes a").message


def test_empty_tasks_is_refused() -> None:
    assert "at least one task" in refused("/task", "target create x --tasks , --nodes a").message


def test_bad_task_name_is_named() -> None:
    error = refused("/task", "target create x --tasks Service --nodes a")
    assert "'Service' is not a task name" in error.message


def test_no_nodes_at_all_is_refused() -> None:
    error = refused("/task", "target create x --all-tasks")
    assert "--node-groups" in error.message
    assert error.usage.startswith("/task target create")


def test_bad_node_group_is_named() -> None:
    error = refused("/task", "target create x --all-tasks --node-groups nope")
    assert "'nope' is not a node group id" in error.message


def test_json_query_is_refused_for_pql_query() -> None:
    error = refused("/task", 'target create x --all-tasks --query \'["from", "nodes"]\'')
    assert "PQL query" in error.message


def test_run_flags_do_not_apply() -> None:
    error = refused("/task", "target create x --all-tasks --nodes a --noop")
    assert "'--noop' does not apply to /task target create" in error.message
    error = refused("/task", f"target create x --all-tasks --node-group {GROUP}")
    assert "Did you mean '--node-groups'?" in error.message
