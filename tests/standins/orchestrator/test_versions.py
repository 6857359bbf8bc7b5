"""The simulator speaking older and newer PE: settings.pe_version, and the shapes real PE sends."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from standins.orchestrator import Simulator, world_from_dict
from standins.orchestrator.versions import Dialect, parse_version
from standins.orchestrator.world import WorldError

from .helpers import FakeClock, client_for

NODES = {"nodes": ["web01.example.com", "web02.example.com"]}


def speaking(version: str | None, clock: FakeClock, **world: Any) -> httpx.Client:
    data = {**world, "settings": {"pe_version": version}} if version else world
    return client_for(Simulator(world_from_dict(data), clock=clock, node_seconds=1.0))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def deploy(client: httpx.Client, **body: Any) -> str:
    body = {"environment": "production", "scope": NODES, "userdata": {"ticket": "T-1"}, **body}
    reply = client.post("/command/deploy", json=body)
    assert reply.status_code == 202, reply.text
    return reply.json()["job"]["name"]


def test_the_default_is_the_newest_shape(clock: FakeClock) -> None:
    client = speaking(None, clock)
    job = client.get(f"/jobs/{deploy(client)}").json()
    assert job["userdata"] == {"ticket": "T-1"} and job["type"] == "deploy"
    assert set(client.get("/jobs").json()["pagination"]) == {
        "limit", "offset", "order", "order_by", "total", "type"
    }  # fmt: skip


def test_pe_2019_8_drops_userdata_type_and_most_of_pagination(clock: FakeClock) -> None:
    client = speaking("2019.8", clock)
    job = client.get(f"/jobs/{deploy(client)}").json()
    assert "userdata" not in job and "type" not in job and job["command"] == "deploy"
    listing = client.get("/jobs").json()
    assert "userdata" not in listing["items"][0]
    assert listing["pagination"] == {"limit": None, "offset": 0, "total": 1}
    plan = client.post(
        "/command/plan_run",
        json={"plan_name": "canary", "params": {"nodes": "web01.example.com", "command": "id"}},
    ).json()["name"]
    assert client.get(f"/plan_jobs/{plan}").json()["state"] == "running"  # no pending before 2023
    assert "userdata" not in client.get(f"/plan_jobs/{plan}").json()
    # 2019.5 docs: out_message and plan_end events without id
    clock.tick(30)
    events = client.get(f"/plan_jobs/{plan}/events").json()["items"]
    assert [("id" in e) for e in events if e["type"] == "out_message"] == [False, False]
    assert all("id" in e for e in events if e["type"] != "out_message")
    assert client.get("/scheduled_jobs/environment_jobs").status_code == 404  # 2021.7 on


def test_pe_2019_7_has_no_pagination_at_all(clock: FakeClock) -> None:
    client = speaking("2019.7", clock)
    deploy(client)
    assert "pagination" not in client.get("/jobs").json()


def test_pe_2016_speaks_the_2016_captures(clock: FakeClock) -> None:
    client = speaking("2016.4", clock)
    name = deploy(client)
    clock.tick(30)
    job = client.get(f"/jobs/{name}").json()
    assert job["owner"].keys() == {"id", "login"}
    for gone in ("command", "type", "userdata", "node_states", "duration", "started_timestamp"):
        assert gone not in job
    nodes = client.get(f"/jobs/{name}/nodes").json()
    assert set(nodes) == {"items"}
    node = nodes["items"][0]
    assert "result" not in node and "start_timestamp" not in node
    assert node["details"]["metrics"]["total"] > 0 and node["details"]["report-url"]
    assert client.post("/command/task", json={}).status_code == 404  # tasks came in 2017.3
    assert client.get("/plans").status_code == 404  # plans in 2019


def test_a_bad_pe_version_is_refused() -> None:
    with pytest.raises(WorldError, match="pe_version"):
        world_from_dict({"settings": {"pe_version": "latest"}})
    assert parse_version("2021.7.1") == (2021, 7)
    assert Dialect("2023.8").plan_pending and not Dialect("2021.7").plan_pending


def test_a_task_that_prints_an_error_finishes_with_an_error_result(clock: FakeClock) -> None:
    client = speaking(None, clock)
    reply = client.post(
        "/command/task",
        json={
            "environment": "production",
            "task": "service",
            "params": {"action": "status", "name": "nginx"},
            "scope": {"nodes": ["cache03.example.com", "cache01.example.com"]},
        },
    )
    name = reply.json()["job"]["name"]
    clock.tick(30)
    nodes = {n["name"]: n for n in client.get(f"/jobs/{name}/nodes").json()["items"]}
    erred = nodes["cache03.example.com"]
    assert erred["state"] == "finished"  # as PE reports it; Bolt counts it a failure
    assert erred["result"]["_error"]["msg"] == (
        "Unit nginx.service could not be found on cache03.example.com"
    )
    assert "_error" not in nodes["cache01.example.com"]["result"]
    finished = [
        e for e in client.get(f"/jobs/{name}/events").json()["items"]
        if e["type"] == "node_finished"
    ]  # fmt: skip
    assert any("_error" in e["details"]["detail"] for e in finished)


def test_a_sub_plan_reports_its_start_and_end(clock: FakeClock) -> None:
    client = speaking(None, clock)
    plan = client.post(
        "/command/plan_run",
        json={
            "plan_name": "profile::rolling_update",
            "params": {"targets": ["web01.example.com", "web02.example.com"]},
        },
    ).json()["name"]
    clock.tick(30)
    events = client.get(f"/plan_jobs/{plan}/events").json()["items"]
    assert [e["type"] for e in events] == [
        "task_start",
        "plan_start",
        "task_start",
        "plan_end",
        "plan_finished",
    ]
    assert events[1]["details"] == {"plan": "profile::rolling_update::rest"}
    assert events[3]["details"]["plan"] == "profile::rolling_update::rest"
    assert events[3]["details"]["duration"] > 0
    assert client.get(f"/plan_jobs/{plan}").json()["state"] == "success"


def test_next_events_echoes_the_request(clock: FakeClock) -> None:
    client = speaking(None, clock)
    name = deploy(client)
    clock.tick(30)
    page = client.get(f"/jobs/{name}/events?start=3").json()
    assert page["next-events"] == {"id": f"http://sim/orchestrator/v1/jobs/{name}/events?start=3"}
    assert int(page["items"][0]["id"]) == 3


def test_a_stopped_pending_plan_never_runs(clock: FakeClock) -> None:
    client = speaking(None, clock)
    plan = client.post(
        "/command/plan_run",
        json={"plan_name": "canary", "params": {"nodes": "web01.example.com", "command": "id"}},
    ).json()["name"]
    assert client.post("/command/stop_plan", json={"plan_job": plan}).status_code == 202
    clock.tick(30)
    assert client.get(f"/plan_jobs/{plan}").json()["state"] == "failure"
    assert client.get("/jobs").json()["items"] == []


def test_scheduled_jobs_as_documented(clock: FakeClock) -> None:
    client = speaking(None, clock)
    # 2021.7.1 docs: a start_time with a UTC offset; plan parameters as {"value": …}.
    created = client.post(
        "/scheduled_jobs/environment_jobs",
        json={
            "type": "plan",
            "environment": "production",
            "input": {
                "name": "canary",
                "parameters": {"nodes": {"value": "web01.example.com"}, "command": {"value": "id"}},
            },
            "schedule": {"start_time": "2023-11-15T00:00:00+01:00", "interval": None},
        },
    )
    assert created.status_code == 200, created.text
    item = client.get("/scheduled_jobs/environment_jobs/1").json()
    assert item["schedule"]["start_time"] == "2023-11-14T23:00:00Z"
    plain = client.post(
        "/scheduled_jobs/environment_jobs",
        json={
            "type": "plan",
            "input": {"name": "canary", "parameters": {"nodes": "web01.example.com"}},
            "schedule": {"start_time": "2023-11-15T00:00:00Z", "interval": None},
        },
    )
    assert plain.status_code == 400  # a plan parameter must be {"value": …}
    assert client.get("/scheduled_jobs").json() == {"items": []}  # deprecated, always empty


def test_inventory_says_not_connected_exactly_where_pcp_runs_error(clock: FakeClock) -> None:
    client = speaking(None, clock)
    inventory = {i["name"]: i for i in client.get("/inventory").json()["items"]}
    name = deploy(client, scope={"nodes": sorted(inventory)}, concurrency=100)
    clock.tick(60)
    nodes = {n["name"]: n for n in client.get(f"/jobs/{name}/nodes").json()["items"]}
    for node, record in inventory.items():
        unreachable = "not connected to the PCP broker" in nodes[node]["details"]["message"]
        assert record["connected"] is not unreachable, node
        assert ("broker" in record) is record["connected"]
        assert ("timestamp" in record) is record["connected"]
