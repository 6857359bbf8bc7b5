"""Plan jobs: plan_run, environment_plan_run, child jobs, events, failure and stop_plan."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from standins.orchestrator import Simulator
from standins.orchestrator.default_world import ALL_NODES, LB_GROUP

from .helpers import FakeClock, assert_error, client_for

ORCH = "puppetlabs.orchestrator/"
DOC_CANARY = {
    "plan_name": "canary",
    "description": "Start the canary plan on node1 and node2",
    "params": {
        "nodes": ["node1.example.com", "node2.example.com"],
        "command": "whoami",
        "canary": 1,
    },
}
DOC_EXAMPLE = {
    "plan_name": "example_plan",
    "description": "Output 'message' on the targets contained in 'targets' and 'more targets'",
    "params": {
        "message": {"value": "hello"},
        "example_object_param": {"value": {"value": "xyz"}},
        "targets": {"type": "query", "value": "nodes[certname] { }"},
        "more_targets": {"type": "node_group", "value": LB_GROUP},
    },
}


def run_plan(client: httpx.Client, body: dict[str, Any], path: str = "plan_run") -> str:
    response = client.post(f"/command/{path}", json=body)
    assert response.status_code == 202, response.text
    return response.json()["name"]


def plan_events(client: httpx.Client, plan: str, start: int | None = None) -> list[dict]:
    suffix = "" if start is None else f"?start={start}"
    return client.get(f"/plan_jobs/{plan}/events{suffix}").json()["items"]


def test_documented_plan_run_starts_a_pending_then_running_plan_job(
    client: httpx.Client, clock: FakeClock
) -> None:
    assert client.post("/command/plan_run", json=DOC_CANARY).json() == {"name": "1"}
    # help.puppet.com (current) GET /plan_jobs/<id>: states pending, running, success, failure.
    assert client.get("/plan_jobs/1").json()["state"] == "pending"
    assert client.get("/plan_jobs/1/events").json()["items"] == []
    clock.tick(0.2)
    plan = client.get("/plan_jobs/1").json()
    assert plan["state"] == "running" and plan["result"] is None
    assert plan["id"] == "http://sim/orchestrator/v1/plan_jobs/1"
    assert plan["options"]["plan_name"] == "canary"
    assert plan["options"]["parameters"] == DOC_CANARY["params"]
    assert plan["options"]["description"] == DOC_CANARY["description"]
    assert plan["owner"]["login"] == "admin" and plan["finished_timestamp"] is None


def test_plan_steps_run_as_plan_task_child_jobs(client: httpx.Client, clock: FakeClock) -> None:
    plan = run_plan(client, DOC_CANARY)
    clock.tick(30)
    body = client.get(f"/plan_jobs/{plan}").json()
    assert body["state"] == "success"
    assert body["result"] == {"output": "'whoami' ran on every node"}
    items = plan_events(client, plan)
    assert [e["type"] for e in items] == [
        "out_message",
        "task_start",
        "out_message",
        "task_start",
        "plan_finished",
    ]
    assert items[0]["details"] == {"message": "Running 'whoami' on 1 canary node(s)"}
    assert items[-1]["details"] == {"plan-id": plan, "result": body["result"]}
    children = [e["details"]["job-id"] for e in items if e["type"] == "task_start"]
    assert all(isinstance(c, int) for c in children)  # 2019.5 docs: "job-id": 69
    assert sorted(body["status"]) == sorted(map(str, children))
    assert body["status"][str(children[0])][-1]["state"] == "finished"
    canary = client.get(f"/jobs/{children[0]}").json()
    assert canary["type"] == "plan_task" and canary["options"]["plan_job"] == int(plan)
    assert canary["options"]["task"] == "exec" and canary["node_count"] == 1
    assert (
        client.get(f"/jobs/{children[1]}/nodes").json()["items"][0]["name"] == "node2.example.com"
    )
    listed = client.get("/jobs?type=plan_task").json()["items"]
    assert [j["name"] for j in listed] == [str(c) for c in children]
    # 2021.7.1 docs' /jobs: a plan's child job says command plan_task, environment name "".
    assert {(j["command"], j["environment"]["name"]) for j in listed} == {("plan_task", "")}


def test_plan_job_ids_have_their_own_counter(client: httpx.Client) -> None:
    response = client.post(
        "/command/deploy", json={"environment": "production", "scope": {"node_group": LB_GROUP}}
    )
    assert response.json()["job"]["name"] == "1"
    assert run_plan(client, DOC_CANARY) == "1"


def test_a_failing_child_job_fails_the_plan(client: httpx.Client, clock: FakeClock) -> None:
    plan = run_plan(
        client,
        {
            "plan_name": "package::install",
            "params": {"targets": "db01.example.com,db02.example.com", "name": "httpd"},
        },
    )
    clock.tick(30)
    body = client.get(f"/plan_jobs/{plan}").json()
    assert body["state"] == "failure"
    assert body["result"]["kind"] == "bolt/run-failure"
    assert "failed on 1 target" in body["result"]["msg"]
    assert plan_events(client, plan)[-1]["type"] == "plan_failed"


def test_a_plan_marked_to_fail_ends_in_failure(client: httpx.Client, clock: FakeClock) -> None:
    plan = run_plan(
        client, {"plan_name": "profile::migrate_db", "params": {"targets": ["db01.example.com"]}}
    )
    clock.tick(30)
    body = client.get(f"/plan_jobs/{plan}").json()
    assert body["state"] == "failure"
    assert "schema lock" in body["result"]["msg"]


def test_stop_plan_fails_the_plan_and_lets_the_child_job_finish(
    client: httpx.Client, clock: FakeClock
) -> None:
    plan = run_plan(client, DOC_CANARY)
    clock.tick(0.5)
    response = client.post("/command/stop_plan", json={"plan_job": plan})
    assert response.status_code == 202 and response.json() == {"name": plan}
    body = client.get(f"/plan_jobs/{plan}").json()
    assert body["state"] == "failure" and "stopped" in body["result"]["msg"]
    assert plan_events(client, plan)[-1]["type"] == "plan_failed"
    child = plan_events(client, plan)[1]["details"]["job-id"]
    assert client.get(f"/jobs/{child}").json()["state"] == "running"
    clock.tick(30)
    assert client.get(f"/jobs/{child}").json()["state"] == "finished"
    assert [e["type"] for e in plan_events(client, plan)].count("task_start") == 1


def test_stop_plan_is_idempotent_and_harmless_on_finished_plans(
    client: httpx.Client, clock: FakeClock
) -> None:
    plan = run_plan(client, DOC_CANARY)
    clock.tick(30)
    before = client.get(f"/plan_jobs/{plan}").json()
    for _ in range(2):
        assert client.post("/command/stop_plan", json={"plan_job": plan}).status_code == 202
    assert client.get(f"/plan_jobs/{plan}").json() == before


@pytest.mark.parametrize(
    "body, status, kind",
    [
        ({"plan_job": "x"}, 400, "validation-error"),
        ({}, 400, "validation-error"),
        ({"plan_job": "12"}, 404, "unknown-job"),
    ],
)
def test_stop_plan_errors(client: httpx.Client, body: dict, status: int, kind: str) -> None:
    assert_error(client.post("/command/stop_plan", json=body), status, ORCH + kind)


def test_unknown_plans_and_environments(client: httpx.Client) -> None:
    assert_error(
        client.post("/command/plan_run", json={"plan_name": "nope::nope"}),
        404,
        ORCH + "unknown-plan",
    )
    dev_only = {"plan_name": "profile::experimental", "params": {"targets": "web09.example.com"}}
    assert_error(client.post("/command/plan_run", json=dev_only), 404, ORCH + "unknown-plan")
    assert (
        client.post(
            "/command/plan_run", json={**dev_only, "environment": "development"}
        ).status_code
        == 202
    )
    assert_error(
        client.post("/command/plan_run", json={**DOC_CANARY, "environment": "nope"}),
        404,
        ORCH + "unknown-environment",
    )


@pytest.mark.parametrize(
    "token, plan",
    [
        ("demo-token", "canary::random"),
        ("viewer-token", "canary"),
        ("operator-token", "package::install"),
    ],
)
def test_plans_not_permitted_get_403(sim: Simulator, token: str, plan: str) -> None:
    with client_for(sim, token=token) as c:
        response = c.post("/command/plan_run", json={"plan_name": plan, "params": {}})
    assert_error(response, 403, ORCH + "not-permitted")


@pytest.mark.parametrize(
    "params",
    [
        {"command": "whoami"},  # nodes is required
        {"nodes": "node1.example.com", "command": "whoami", "canary": "1"},  # Integer
        {"nodes": 7, "command": "whoami"},  # TargetSpec
        {"nodes": "node1.example.com", "command": "whoami", "colour": "red"},  # unknown
    ],
)
def test_plan_params_are_checked_against_metadata(client: httpx.Client, params: dict) -> None:
    response = client.post("/command/plan_run", json={"plan_name": "canary", "params": params})
    assert_error(response, 400, ORCH + "validation-error")


@pytest.mark.parametrize("name", [None, 42, ""])
def test_plan_name_must_be_a_string(client: httpx.Client, name: Any) -> None:
    body = {"params": {}} if name is None else {"plan_name": name}
    assert_error(client.post("/command/plan_run", json=body), 400, ORCH + "validation-error")


def test_environment_plan_run_resolves_query_and_node_group_params(
    client: httpx.Client, clock: FakeClock
) -> None:
    plan = run_plan(client, DOC_EXAMPLE, path="environment_plan_run")
    parameters = client.get(f"/plan_jobs/{plan}").json()["options"]["parameters"]
    assert parameters["message"] == "hello"
    assert parameters["example_object_param"] == {"value": "xyz"}
    assert len(parameters["targets"]) == 34 and "web01.example.com" in parameters["targets"]
    assert parameters["more_targets"] == ["lb01.example.com", "lb02.example.com"]
    clock.tick(60)
    body = client.get(f"/plan_jobs/{plan}").json()
    # every node includes unreachable ones, so the first step fails and the plan stops there
    assert body["state"] == "failure" and list(body["status"]) == ["1"]
    assert client.get("/jobs/1").json()["node_count"] == 34
    assert plan_events(client, plan)[0]["details"] == {"message": "hello"}


def test_environment_plan_run_passes_resolved_nodes_to_the_steps(
    client: httpx.Client, clock: FakeClock
) -> None:
    params = {
        **DOC_EXAMPLE["params"],
        "targets": {"type": "query", "value": ["from", "nodes", ["~", "certname", "^web0[1-2]"]]},
    }
    plan = run_plan(client, {**DOC_EXAMPLE, "params": params}, path="environment_plan_run")
    clock.tick(60)
    body = client.get(f"/plan_jobs/{plan}").json()
    assert body["state"] == "success" and body["result"] == {"message": "hello"}
    nodes = [
        [n["name"] for n in client.get(f"/jobs/{i}/nodes").json()["items"]] for i in body["status"]
    ]
    assert nodes == [
        ["web01.example.com", "web02.example.com"],
        ["lb01.example.com", "lb02.example.com"],
    ]


def test_environment_plan_run_accepts_an_all_nodes_group(client: httpx.Client) -> None:
    body = {
        "plan_name": "profile::firewall",
        "params": {"targets": {"type": "node_group", "value": ALL_NODES}},
    }
    assert client.post("/command/environment_plan_run", json=body).status_code == 202


@pytest.mark.parametrize(
    "param, status, kind",
    [
        ("hello", 400, "validation-error"),  # not {"value": ...}
        ({"type": "query"}, 400, "validation-error"),  # no value
        ({"type": "magic", "value": "x"}, 400, "validation-error"),
        ({"type": "query", "value": "nodes {"}, 400, "query-error"),
        ({"type": "node_group", "value": "no-such-group"}, 400, "validation-error"),
    ],
)
def test_environment_plan_run_param_errors(
    client: httpx.Client, param: Any, status: int, kind: str
) -> None:
    body = {"plan_name": "profile::firewall", "params": {"targets": param}}
    assert_error(client.post("/command/environment_plan_run", json=body), status, ORCH + kind)


def test_environment_plan_run_requires_params(client: httpx.Client) -> None:
    body = {"plan_name": "profile::firewall"}
    assert_error(
        client.post("/command/environment_plan_run", json=body), 400, ORCH + "validation-error"
    )


def test_plan_events_from_start_and_one_event(client: httpx.Client, clock: FakeClock) -> None:
    plan = run_plan(client, DOC_CANARY)
    other = run_plan(client, DOC_CANARY)
    clock.tick(30)
    items = plan_events(client, plan)
    ids = [int(e["id"]) for e in items]
    assert ids == sorted(ids)
    assert [int(e["id"]) for e in plan_events(client, plan, start=ids[1])] == ids[1:]
    page = client.get(f"/plan_jobs/{plan}/events?start={ids[-1] + 1}").json()
    assert page["items"] == [] and page["next-events"]["event"] == str(ids[-1] + 1)
    assert client.get(f"/plan_jobs/{plan}/event/{ids[0]}").json() == items[0]
    other_id = plan_events(client, other)[0]["id"]
    assert_error(
        client.get(f"/plan_jobs/{plan}/event/{other_id}"), 404, ORCH + "mismatched-job-event-id"
    )
    assert_error(client.get(f"/plan_jobs/{plan}/event/abc"), 400, ORCH + "validation-error")
    assert_error(client.get(f"/plan_jobs/{plan}/events?start=x"), 400, ORCH + "validation-error")
    assert_error(client.get("/plan_jobs/99/events"), 404, ORCH + "unknown-job")
    assert_error(client.get("/plan_jobs/x"), 400, ORCH + "validation-error")


def test_long_out_messages_are_truncated_in_the_event_list_only(
    client: httpx.Client, clock: FakeClock
) -> None:
    message = "x" * 3000
    body = {**DOC_EXAMPLE, "params": {**DOC_EXAMPLE["params"], "message": {"value": message}}}
    plan = run_plan(client, body, path="environment_plan_run")
    clock.tick(0.5)
    listed = plan_events(client, plan)[0]
    assert len(listed["details"]["message"]) == 1024
    whole = client.get(f"/plan_jobs/{plan}/event/{listed['id']}").json()
    assert whole["details"]["message"] == message


def test_plan_jobs_list_pages_and_can_leave_out_results(
    client: httpx.Client, clock: FakeClock
) -> None:
    for _ in range(3):
        run_plan(client, DOC_CANARY)
    clock.tick(30)
    body = client.get("/plan_jobs?limit=2&offset=1&order_by=name").json()
    assert [p["name"] for p in body["items"]] == ["2", "3"]
    assert body["pagination"] == {"limit": 2, "offset": 1, "total": 3}
    excluded = client.get("/plan_jobs?results=exclude").json()["items"]
    assert all("result" not in p for p in excluded)
    assert_error(client.get("/plan_jobs?results=maybe"), 400, ORCH + "validation-error")
