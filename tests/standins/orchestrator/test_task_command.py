"""POST /command/task and /command/task_target: the documented examples and validations."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from standins.orchestrator import Simulator
from standins.orchestrator.default_world import ALL_NODES, LB_GROUP

from .helpers import FakeClock, assert_error, client_for

ORCH = "puppetlabs.orchestrator/"
DOC_TASK = {
    "environment": "test-env-1",
    "task": "package",
    "params": {"action": "install", "name": "httpd"},
    "scope": {"nodes": ["node1.example.com"]},
}
DOC_TARGETS = [
    {
        "hostnames": ["sshnode1.example.com", "sshnode2.example.com"],
        "private-key-content": "<SSH_KEY>",
        "port": 4444,
        "user": "<USER_NAME>",
        "transport": "ssh",
    },
    {
        "hostnames": ["winrmnode.example.com"],
        "password": "<PASSWORD>",
        "port": 4444,
        "user": "<USER_NAME>",
        "transport": "winrm",
    },
]
AGENTLESS = ["sshnode1.example.com", "sshnode2.example.com", "winrmnode.example.com"]


def run_task(client: httpx.Client, **body: Any) -> httpx.Response:
    return client.post("/command/task", json={**DOC_TASK, **body})


def test_documented_task_request_creates_a_task_job(client: httpx.Client) -> None:
    response = run_task(client)
    assert response.status_code == 202
    assert response.json()["job"]["name"] == "1"
    job = client.get("/jobs/1").json()
    assert (job["type"], job["command"]) == ("task", "task")
    options = job["options"]
    assert options["task"] == "package" and options["transport"] == "pxp"
    assert options["params"] == {"action": "install", "name": "httpd"}
    assert options["environment"] == "test-env-1"
    assert options["scope"] == {"nodes": ["node1.example.com"]}


def test_task_environment_defaults_to_production(client: httpx.Client) -> None:
    body = {k: v for k, v in DOC_TASK.items() if k != "environment"}
    assert client.post("/command/task", json=body).status_code == 202
    assert client.get("/jobs/1").json()["environment"] == {"name": "production"}


def test_unknown_task_is_404(client: httpx.Client) -> None:
    body = assert_error(run_task(client, task="nosuch::task"), 404, ORCH + "unknown-task")
    assert body["details"]["task"] == "nosuch::task"


def test_task_missing_from_the_environment_is_404(client: httpx.Client) -> None:
    response = run_task(client, task="service", params={"action": "status", "name": "sshd"})
    assert_error(response, 404, ORCH + "unknown-task")  # service is not in test-env-1


@pytest.mark.parametrize("key", ["task", "params", "scope"])
def test_task_requires_task_params_and_scope(client: httpx.Client, key: str) -> None:
    body = {k: v for k, v in DOC_TASK.items() if k != key}
    assert_error(client.post("/command/task", json=body), 400, ORCH + "validation-error")


@pytest.mark.parametrize(
    "task, params",
    [
        ("package", {"name": "httpd"}),  # action is required
        ("package", {"action": "explode", "name": "httpd"}),  # not in the Enum
        ("package", {"action": "install", "name": ""}),  # String[1]
        ("package", {"action": "install", "name": "httpd", "version": 5}),  # Optional[String[1]]
        ("package", {"action": "install", "name": "httpd", "colour": "red"}),  # not a parameter
        ("mymodule::sleep", {"seconds": "10"}),  # Integer
        ("mymodule::sleep", {"seconds": 99999}),  # Integer[0, 3600]
        ("mymodule::flush_cache", {"force": "yes"}),  # Boolean
    ],
)
def test_task_params_are_checked_against_metadata(
    client: httpx.Client, task: str, params: dict[str, Any]
) -> None:
    response = run_task(client, environment="production", task=task, params=params)
    assert_error(response, 400, ORCH + "validation-error")


@pytest.mark.parametrize(
    "task, params",
    [
        ("package", {"action": "status", "name": "openssl", "version": None}),
        ("mymodule::sleep", {"seconds": 10}),
        ("mymodule::flush_cache", {"force": False}),
        ("facts", {}),
    ],
)
def test_task_params_fitting_their_types_are_accepted(
    client: httpx.Client, task: str, params: dict[str, Any]
) -> None:
    assert run_task(client, environment="production", task=task, params=params).status_code == 202


def test_noop_is_refused_for_a_task_without_noop_support(client: httpx.Client) -> None:
    response = run_task(client, task="facts", params={}, noop=True)
    assert_error(response, 400, ORCH + "validation-error")
    assert run_task(client, noop=True).status_code == 202


def test_task_scope_errors_match_deploy(client: httpx.Client) -> None:
    assert_error(run_task(client, scope={"nodes": []}), 400, ORCH + "empty-target")
    assert_error(run_task(client, scope={"query": "nodes {"}), 400, ORCH + "query-error")
    assert_error(run_task(client, environment="nope"), 404, ORCH + "unknown-environment")


def test_documented_targets_run_agentless_nodes_over_ssh_and_winrm(
    client: httpx.Client, clock: FakeClock
) -> None:
    response = run_task(
        client, environment="production", scope={"nodes": AGENTLESS}, targets=DOC_TARGETS
    )
    assert response.status_code == 202
    clock.tick(60)
    nodes = {n["name"]: n for n in client.get("/jobs/1/nodes").json()["items"]}
    assert {n["state"] for n in nodes.values()} == {"finished"}
    assert nodes["sshnode1.example.com"]["transport"] == "ssh"
    assert nodes["winrmnode.example.com"]["transport"] == "winrm"


def test_agentless_nodes_without_targets_are_not_connected(
    client: httpx.Client, clock: FakeClock
) -> None:
    assert run_task(client, scope={"nodes": AGENTLESS}).status_code == 202
    clock.tick(60)
    assert client.get("/jobs/1").json()["node_states"] == {"errored": 3}


def test_target_hostname_outside_the_scope_is_empty_target(client: httpx.Client) -> None:
    response = run_task(client, scope={"nodes": ["sshnode1.example.com"]}, targets=DOC_TARGETS)
    body = assert_error(response, 400, ORCH + "empty-target")
    assert "sshnode2.example.com" in body["msg"]


@pytest.mark.parametrize(
    "change",
    [
        {"user": None},
        {"transport": None},
        {"hostnames": None},
        {"private-key-content": None},  # neither password nor key
        {"transport": "telnet"},
        {"port": "22"},
        {"tty": "yes"},
        {"hostnames": "sshnode1"},
    ],
)
def test_targets_are_validated(client: httpx.Client, change: dict[str, Any]) -> None:
    target = {**DOC_TARGETS[0], **change}
    target = {k: v for k, v in target.items() if v is not None}
    response = run_task(client, scope={"nodes": AGENTLESS}, targets=[target])
    assert_error(response, 400, ORCH + "validation-error")


@pytest.mark.parametrize("token, task", [("viewer-token", "package"), ("operator-token", "exec")])
def test_users_without_task_permission_get_403(sim: Simulator, token: str, task: str) -> None:
    with client_for(sim, token=token) as c:
        response = c.post(
            "/command/task",
            json={
                **DOC_TASK,
                "environment": "production",
                "task": task,
                "params": {"command": "id"} if task == "exec" else DOC_TASK["params"],
            },
        )
    assert_error(response, 403, ORCH + "not-permitted")


def test_operator_may_run_the_tasks_it_is_granted(sim: Simulator) -> None:
    with client_for(sim, token="operator-token") as c:
        assert c.post("/command/task", json=DOC_TASK).status_code == 202
        assert c.get("/jobs/1").json()["owner"]["login"] == "operator"


TASK_TARGET = {
    "display_name": "task_target_example_1",
    "tasks": ["task_1", "task_2"],
    "nodes": ["node1", "node2"],
    "node_groups": [ALL_NODES],
}


def test_task_target_is_created_and_can_be_read_back(client: httpx.Client) -> None:
    response = client.post("/command/task_target", json=TASK_TARGET)
    assert response.status_code == 200
    assert response.json() == {
        "task_target": {"id": "http://sim/orchestrator/v1/scopes/task_targets/1", "name": "1"}
    }
    record = client.get("/scopes/task_targets/1").json()
    assert record["display_name"] == "task_target_example_1"
    assert record["tasks"] == ["task_1", "task_2"] and record["node_groups"] == [ALL_NODES]
    assert client.get("/scopes/task_targets").json()["items"][0]["name"] == "1"


def test_task_target_with_all_tasks_ignores_tasks(client: httpx.Client) -> None:
    body = {**TASK_TARGET, "all_tasks": True, "tasks": [], "pql_query": "nodes[certname] { }"}
    assert client.post("/command/task_target", json=body).status_code == 200
    record = client.get("/scopes/task_targets/1").json()
    assert record["all_tasks"] is True and "tasks" not in record
    assert record["pql_query"] == "nodes[certname] { }"


@pytest.mark.parametrize(
    "change",
    [
        {"display_name": None},
        {"display_name": ""},
        {"display_name": 5},
        {"tasks": None},
        {"tasks": []},
        {"tasks": ["ok", 1]},
        {"all_tasks": "true"},  # the docs' own example sends a string; the error list forbids it
        {"all_tasks": False, "tasks": []},
        {"nodes": None},
        {"nodes": ["node1", 2]},
        {"node_groups": "group"},
        {"node_groups": None},
        {"pql_query": ["from", "nodes"]},
    ],
)
def test_task_target_validation_errors(client: httpx.Client, change: dict[str, Any]) -> None:
    body = {k: v for k, v in {**TASK_TARGET, **change}.items() if v is not None}
    assert_error(client.post("/command/task_target", json=body), 400, ORCH + "validation-error")


def test_unknown_task_target_is_404(client: httpx.Client) -> None:
    assert_error(client.get("/scopes/task_targets/9"), 404, ORCH + "unknown-task-target")
    assert_error(client.get("/scopes/task_targets/x"), 400, ORCH + "validation-error")


def test_task_on_a_node_group_scope(client: httpx.Client) -> None:
    response = run_task(client, environment="production", scope={"node_group": LB_GROUP})
    assert response.status_code == 202
    assert client.get("/jobs/1").json()["node_count"] == 2
