"""GET /jobs and /jobs/<id>/nodes: filters, ordering, paging and the pagination object."""

from __future__ import annotations

import httpx
import pytest

from .helpers import FakeClock, assert_error, start_deploy

ORCH = "puppetlabs.orchestrator/"


def start_task(client: httpx.Client, task: str = "package") -> str:
    params = {"action": "status", "name": "openssl"} if task == "package" else {}
    response = client.post(
        "/command/task",
        json={"task": task, "params": params, "scope": {"nodes": ["lb01.example.com"]}},
    )
    assert response.status_code == 202
    return response.json()["job"]["name"]


def test_empty_job_list_has_total_zero(client: httpx.Client) -> None:
    assert client.get("/jobs").json() == {
        "items": [],
        "pagination": {
            "limit": None,
            "offset": 0,
            "order": "asc",
            "order_by": "timestamp",
            "total": 0,
            "type": "",
        },
    }


def test_jobs_are_paged_with_limit_and_offset(client: httpx.Client, clock: FakeClock) -> None:
    for _ in range(5):
        start_deploy(client, scope={"nodes": ["lb01.example.com"]})
        clock.tick(1)
    body = client.get("/jobs?limit=2&offset=2&order_by=name").json()
    assert [j["name"] for j in body["items"]] == ["3", "4"]
    assert body["pagination"] == {
        "limit": 2,
        "offset": 2,
        "order": "asc",
        "order_by": "name",
        "total": 5,
        "type": "",
    }
    latest = client.get("/jobs?order=desc&order_by=name&limit=1").json()["items"]
    assert [j["name"] for j in latest] == ["5"]
    # `timestamp` is the last state change: job 4 finished after job 5 started
    changed = client.get("/jobs?order=desc&order_by=timestamp&limit=2").json()["items"]
    assert [j["name"] for j in changed] == ["4", "5"]


def test_jobs_filter_by_type_and_task(client: httpx.Client) -> None:
    start_deploy(client, scope={"nodes": ["lb01.example.com"]})
    package = start_task(client)
    facts = start_task(client, "facts")
    assert [j["name"] for j in client.get("/jobs?type=task").json()["items"]] == [package, facts]
    assert [j["name"] for j in client.get("/jobs?task=pack").json()["items"]] == [package]
    assert client.get("/jobs?type=deploy").json()["pagination"]["total"] == 1
    assert_error(client.get("/jobs?type=deploy&task=package"), 400, ORCH + "validation-error")


def test_jobs_filter_by_finish_time(client: httpx.Client, clock: FakeClock) -> None:
    done = start_deploy(client, scope={"nodes": ["lb01.example.com"]})
    clock.tick(10)
    start_deploy(client, scope={"nodes": ["lb02.example.com"]})
    items = client.get("/jobs?min_finish_timestamp=2023-11-14T00:00:00Z").json()["items"]
    assert [j["name"] for j in items] == [done]
    assert client.get("/jobs?max_finish_timestamp=2020-01-01T00:00:00Z").json()["items"] == []


@pytest.mark.parametrize(
    "query",
    [
        "limit=x",
        "limit=-1",
        "offset=1.5",
        "order=up",
        "order_by=colour",
        "type=apply",
        "min_finish_timestamp=soon",
    ],
)
def test_bad_job_list_parameters_are_validation_errors(client: httpx.Client, query: str) -> None:
    assert_error(client.get(f"/jobs?{query}"), 400, ORCH + "validation-error")


def test_job_items_have_the_documented_fields(client: httpx.Client) -> None:
    start_deploy(client, scope={"nodes": ["lb01.example.com", "db03.example.com"]})
    item = client.get("/jobs").json()["items"][0]
    assert {
        "id",
        "name",
        "state",
        "command",
        "type",
        "options",
        "owner",
        "description",
        "timestamp",
        "started_timestamp",
        "finished_timestamp",
        "duration",
        "environment",
        "node_count",
        "node_states",
        "userdata",
        "nodes",
        "report",
        "events",
    } <= set(item)
    assert item["node_states"] == {"running": 1, "errored": 1}  # zero states are left out
    assert item["events"] == {"id": "http://sim/orchestrator/v1/jobs/1/events"}


def test_job_nodes_filter_order_and_page(client: httpx.Client, clock: FakeClock) -> None:
    names = ["lb01.example.com", "lb02.example.com", "db03.example.com", "web07.example.com"]
    job = start_deploy(client, scope={"nodes": names})
    clock.tick(10)
    body = client.get(f"/jobs/{job}/nodes?order_by=name&order=desc&limit=2&offset=1").json()
    assert [n["name"] for n in body["items"]] == ["lb02.example.com", "lb01.example.com"]
    last = int(client.get(f"/jobs/{job}/events").json()["items"][-1]["id"])
    assert body["next-events"] == {
        "id": f"http://sim/orchestrator/v1/jobs/{job}/events?start={last + 1}",
        "event": str(last + 1),
    }
    errored = client.get(f"/jobs/{job}/nodes?state=errored").json()["items"]
    assert [n["name"] for n in errored] == ["db03.example.com"]
    by_state = client.get(f"/jobs/{job}/nodes?order_by=state").json()["items"]
    assert [n["state"] for n in by_state] == ["errored", "failed", "finished", "finished"]


@pytest.mark.parametrize("query", ["state=exploded", "order_by=colour", "limit=many"])
def test_bad_node_list_parameters_are_validation_errors(client: httpx.Client, query: str) -> None:
    job = start_deploy(client, scope={"nodes": ["lb01.example.com"]})
    assert_error(client.get(f"/jobs/{job}/nodes?{query}"), 400, ORCH + "validation-error")
