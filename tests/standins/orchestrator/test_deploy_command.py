"""POST /command/deploy: the documented request examples, options, and every documented error."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from standins.orchestrator import Simulator, default_world, world_from_dict
from standins.orchestrator.default_world import ALL_NODES, LB_GROUP, PINNED_GROUP

from .helpers import FakeClock, assert_error, client_for, start_deploy

ORCH = "puppetlabs.orchestrator/"

DOC_BODIES = [
    {"environment": "production", "scope": {"node_group": ALL_NODES}},
    {"environment": "production", "scope": {"nodes": ["node1.example.com", "node2.example.com"]}},
    {
        "environment": "",
        "enforce_environment": False,
        "noop": True,
        "scope": {"nodes": ["node1.example.com"]},
        "userdata": {"servicenow_ticket": "INC0011211"},
    },
    {"environment": "production", "scope": {"query": ["from", "nodes", ["~", "certname", ".*"]]}},
]


@pytest.mark.parametrize("body", DOC_BODIES)
def test_documented_deploy_bodies_create_a_job(client: httpx.Client, body: dict[str, Any]) -> None:
    response = client.post("/command/deploy", json=body)
    assert response.status_code == 202
    assert response.json() == {"job": {"id": "http://sim/orchestrator/v1/jobs/1", "name": "1"}}


def test_job_url_is_built_from_the_request_host(sim: Simulator) -> None:
    with client_for(sim, base="http://127.0.0.1:5555") as c:
        job = c.post("/command/deploy", json=DOC_BODIES[0]).json()["job"]
    assert job["id"] == "http://127.0.0.1:5555/orchestrator/v1/jobs/1"


def test_job_ids_count_up(client: httpx.Client) -> None:
    assert [start_deploy(client, scope={"node_group": LB_GROUP}) for _ in range(3)] == [
        "1",
        "2",
        "3",
    ]


def test_options_carry_the_keys_the_request_set(client: httpx.Client) -> None:
    job = start_deploy(
        client,
        scope={"node_group": LB_GROUP},
        description="deploy the lbs",
        noop=True,
        concurrency=1,
        tags="nginx",
        userdata={"ticket": "CHG1"},
        some_future_key=True,
    )
    body = client.get(f"/jobs/{job}").json()
    options = body["options"]
    assert options["environment"] == "production"
    assert options["scope"] == {"node_group": LB_GROUP}
    assert (options["noop"], options["concurrency"], options["tags"]) == (True, 1, "nginx")
    assert options["description"] == body["description"] == "deploy the lbs"
    assert "some_future_key" not in options  # unknown keys are ignored
    assert body["userdata"] == {"ticket": "CHG1"}
    assert body["environment"] == {"name": "production"}
    assert body["owner"]["login"] == "admin" and body["owner"]["id"]
    assert body["node_count"] == 2


def test_deploy_without_scope_runs_the_whole_environment(client: httpx.Client) -> None:
    job = start_deploy(client, environment="development")
    names = {n["name"] for n in client.get(f"/jobs/{job}/nodes").json()["items"]}
    assert names == {
        "web09.example.com",
        "web10.example.com",
        "web11.example.com",
        "web12.example.com",
        "app07.example.com",
        "app08.example.com",
    }


def test_environment_is_required(client: httpx.Client) -> None:
    body = assert_error(
        client.post("/command/deploy", json={"scope": {"nodes": ["lb01.example.com"]}}),
        400,
        ORCH + "validation-error",
    )
    assert "environment" in body["msg"]


@pytest.mark.parametrize(
    "scope",
    [
        {},
        {"nodes": ["lb01.example.com"], "query": "nodes { }"},
        {"application": "Wordpress_app"},
        "lb01.example.com",
    ],
)
def test_scope_needs_exactly_one_known_key(client: httpx.Client, scope: Any) -> None:
    response = client.post("/command/deploy", json={"environment": "production", "scope": scope})
    assert_error(response, 400, ORCH + "validation-error")


def test_empty_environment_requires_enforce_environment_false(client: httpx.Client) -> None:
    for body in (
        {"environment": "", "scope": {"nodes": ["lb01.example.com"]}},
        {"environment": "", "enforce_environment": True, "scope": {"nodes": ["lb01.example.com"]}},
    ):
        body = assert_error(
            client.post("/command/deploy", json=body), 400, ORCH + "validation-error"
        )
        assert "enforce_environment" in body["msg"]


def test_empty_environment_requires_a_scope(client: httpx.Client) -> None:
    response = client.post(
        "/command/deploy", json={"environment": "", "enforce_environment": False}
    )
    assert "scope" in assert_error(response, 400, ORCH + "validation-error")["msg"]


def test_noop_and_no_noop_cannot_both_be_true(client: httpx.Client) -> None:
    response = client.post("/command/deploy", json={**DOC_BODIES[0], "noop": True, "no_noop": True})
    assert_error(response, 400, ORCH + "validation-error")


def test_unknown_environment_is_404(client: httpx.Client) -> None:
    response = client.post("/command/deploy", json={"environment": "doesnotexist"})
    body = assert_error(response, 404, ORCH + "unknown-environment")
    assert body["details"] == {"environment": "doesnotexist"}


def test_environment_without_nodes_is_empty_environment(client: httpx.Client) -> None:
    body = assert_error(
        client.post("/command/deploy", json={"environment": "staging"}),
        400,
        ORCH + "empty-environment",
    )
    assert body["details"] == {"environment": "staging"}


@pytest.mark.parametrize(
    "scope, target",
    [
        ({"query": 'nodes[certname] { certname = "nosuch.example.com" }'}, "query"),
        ({"nodes": []}, "nodes"),
    ],
)
def test_scope_resolving_to_nothing_is_empty_target(
    client: httpx.Client, scope: Any, target: str
) -> None:
    response = client.post("/command/deploy", json={"environment": "production", "scope": scope})
    assert response.status_code == 400
    assert response.json() == {
        "kind": ORCH + "empty-target",
        "msg": "No nodes were found for the specified target. Nothing to do.",
        "details": {"environment": "production", "target": target},
    }


def test_invalid_query_is_query_error(client: httpx.Client) -> None:
    response = client.post(
        "/command/deploy",
        json={"environment": "production", "scope": {"query": "nodes badquery {}"}},
    )
    assert_error(response, 400, ORCH + "query-error")


def test_unreachable_puppetdb_is_puppetdb_error_for_query_scopes(clock: FakeClock) -> None:
    world = world_from_dict({"flags": {"puppetdb_unreachable": True}})
    with client_for(Simulator(world, clock=clock)) as c:
        query = c.post(
            "/command/deploy",
            json={"environment": "production", "scope": {"query": "nodes[certname] { }"}},
        )
        nodes = c.post(
            "/command/deploy",
            json={"environment": "production", "scope": {"nodes": ["lb01.example.com"]}},
        )
    assert_error(query, 400, ORCH + "puppetdb-error")
    assert nodes.status_code == 202


@pytest.mark.parametrize(
    "key, value",
    [
        ("concurrency", "5"),
        ("concurrency", True),
        ("concurrency", 1.5),
        ("noop", "true"),
        ("debug", 1),
        ("description", 42),
        ("userdata", ["x"]),
        ("filetimeout", "30"),
        ("enforce_environment", "false"),
        ("tags", ["a"]),
        ("environment", 7),
        ("scope", ["x"]),
    ],
)
def test_documented_keys_are_type_checked(client: httpx.Client, key: str, value: Any) -> None:
    body = {"environment": "production", "scope": {"node_group": LB_GROUP}, key: value}
    error = assert_error(client.post("/command/deploy", json=body), 400, ORCH + "validation-error")
    assert key in error["msg"]


def test_concurrency_below_one_is_rejected(client: httpx.Client) -> None:
    body = {"environment": "production", "scope": {"node_group": LB_GROUP}, "concurrency": 0}
    assert_error(client.post("/command/deploy", json=body), 400, ORCH + "validation-error")


def test_body_must_be_a_json_object(client: httpx.Client) -> None:
    for content in (b"not json", b"[1, 2]"):
        response = client.post(
            "/command/deploy", content=content, headers={"Content-Type": "application/json"}
        )
        assert_error(response, 400, ORCH + "validation-error")


def test_node_group_without_rules_is_not_a_valid_scope(client: httpx.Client) -> None:
    body = {"environment": "production", "scope": {"node_group": PINNED_GROUP}}
    error = assert_error(client.post("/command/deploy", json=body), 400, ORCH + "validation-error")
    assert "no rules" in error["msg"]


def test_unknown_node_group_is_a_validation_error(client: httpx.Client) -> None:
    body = {
        "environment": "production",
        "scope": {"node_group": "11111111-2222-4333-8444-555555555555"},
    }
    assert_error(client.post("/command/deploy", json=body), 400, ORCH + "validation-error")


def test_viewer_may_not_deploy(sim: Simulator) -> None:
    with client_for(sim, token="viewer-token") as c:
        assert_error(c.post("/command/deploy", json=DOC_BODIES[0]), 403, ORCH + "not-permitted")
        assert c.get("/jobs").json()["pagination"]["total"] == 0


def test_scope_nodes_outside_the_world_error_as_not_connected(
    client: httpx.Client, clock: FakeClock
) -> None:
    job = start_deploy(client, scope={"nodes": ["ghost.example.com"]})
    clock.tick(1)
    node = client.get(f"/jobs/{job}/nodes").json()["items"][0]
    assert node["state"] == "errored"
    assert "not connected to the PCP broker" in node["details"]["message"]


def test_default_world_has_the_documented_nodes() -> None:
    world = default_world()
    for name in (
        "node1.example.com",
        "node2.example.com",
        "sshnode1.example.com",
        "winrmnode.example.com",
        "web12.example.com",
        "db04.example.com",
    ):
        assert world.node(name) is not None
