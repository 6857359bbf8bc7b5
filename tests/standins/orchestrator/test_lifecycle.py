"""Job lifecycle on a fake clock: concurrency, node outcomes, events, stop and force stop."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from standins.orchestrator import Simulator
from standins.orchestrator.world import World

from .helpers import FakeClock, assert_error, client_for, events, small_world, start_deploy

ORCH = "puppetlabs.orchestrator/"


def nodes_world(count: int, **node: object) -> World:
    return small_world(*({"certname": f"n{i}.example.com", **node} for i in range(1, count + 1)))


@pytest.fixture
def five(clock: FakeClock) -> Iterator[httpx.Client]:
    """Five nodes n1..n5 whose runs take exactly two seconds."""
    with client_for(Simulator(nodes_world(5), clock=clock)) as c:
        yield c


def test_job_goes_new_ready_running_at_creation(client: httpx.Client, clock: FakeClock) -> None:
    job = client.get(f"/jobs/{start_deploy(client, scope={'nodes': ['lb01.example.com']})}").json()
    assert job["state"] == "running"
    assert [s["state"] for s in job["status"]] == ["new", "ready", "running"]
    assert job["status"][-1]["exit_time"] is None
    assert job["started_timestamp"] == job["timestamp"] == "2023-11-14T22:13:20Z"
    assert job["finished_timestamp"] is None and job["duration"] is None


def test_concurrency_is_honoured(five: httpx.Client, clock: FakeClock) -> None:
    job = start_deploy(five, scope={"query": "nodes[certname] { }"}, concurrency=2)
    assert five.get(f"/jobs/{job}").json()["node_states"] == {"running": 2, "new": 3}
    clock.tick(2)
    assert five.get(f"/jobs/{job}").json()["node_states"] == {"finished": 2, "running": 2, "new": 1}
    clock.tick(2)
    assert five.get(f"/jobs/{job}").json()["node_states"] == {"finished": 4, "running": 1}
    clock.tick(2)
    body = five.get(f"/jobs/{job}").json()
    assert body["node_states"] == {"finished": 5}
    assert body["state"] == "finished"
    assert body["duration"] == "6.0"


def test_default_concurrency_applies_when_unset(clock: FakeClock) -> None:
    with client_for(Simulator(nodes_world(12), clock=clock)) as c:
        job = start_deploy(c, scope={"query": "nodes[certname] { }"})
        assert c.get(f"/jobs/{job}").json()["node_states"] == {"running": 10, "new": 2}


def test_run_time_is_node_seconds_times_the_node_factor(clock: FakeClock) -> None:
    world = small_world({"certname": "slow.example.com", "factor": 1.5})
    with client_for(Simulator(world, clock=clock, node_seconds=4)) as c:
        job = start_deploy(c, scope={"nodes": ["slow.example.com"]})
        clock.tick(5.9)
        assert c.get(f"/jobs/{job}").json()["state"] == "running"
        clock.tick(0.1)
        node = c.get(f"/jobs/{job}/nodes").json()["items"][0]
    assert node["state"] == "finished" and node["duration"] == 6.0


def test_finished_job_closes_its_history_and_ends_with_job_finished(
    five: httpx.Client, clock: FakeClock
) -> None:
    job = start_deploy(five, scope={"query": "nodes[certname] { }"})
    clock.tick(10)
    body = five.get(f"/jobs/{job}").json()
    assert body["state"] == "finished"
    assert [s["state"] for s in body["status"]] == ["new", "ready", "running", "finished"]
    assert body["status"][2]["exit_time"] == body["finished_timestamp"]
    items = events(five, job)
    assert items[-1]["type"] == "job_finished"
    assert [e["type"] for e in items].count("node_finished") == 5


def test_a_failed_node_fails_the_job(client: httpx.Client, clock: FakeClock) -> None:
    job = start_deploy(client, scope={"nodes": ["web06.example.com", "web07.example.com"]})
    clock.tick(10)
    body = client.get(f"/jobs/{job}").json()
    assert body["state"] == "failed"
    assert body["node_states"] == {"finished": 1, "failed": 1}
    failed = client.get(f"/jobs/{job}/nodes?state=failed").json()["items"][0]
    assert failed["result"]["status"] == "failed" and failed["result"]["metrics"]["failed"] == 1
    assert "report-url" in failed["details"]
    types = [e["type"] for e in events(client, job)]
    assert "node_failed" in types and types[-1] == "job_finished"


def test_unreachable_node_errors_at_once_and_fails_the_job(client: httpx.Client) -> None:
    job = start_deploy(client, scope={"nodes": ["db03.example.com"]})
    body = client.get(f"/jobs/{job}").json()  # no time has passed
    assert body["state"] == "failed" and body["node_states"] == {"errored": 1}
    items = events(client, job)
    assert [e["type"] for e in items] == ["node_errored", "job_finished"]
    assert items[0]["message"] == (
        "Error running puppet on db03.example.com: db03.example.com "
        "is not connected to the PCP broker"
    )
    node = client.get(f"/jobs/{job}/nodes").json()["items"][0]
    assert node["result"]["kind"] == ORCH + "execution-failure"


def test_node_events_carry_node_detail_and_message(client: httpx.Client, clock: FakeClock) -> None:
    job = start_deploy(client, scope={"nodes": ["lb01.example.com"]})
    clock.tick(10)
    running, finished, done = events(client, job)
    assert running["type"] == "node_running"
    assert running["details"] == {"node": "lb01.example.com", "detail": {"noop": False}}
    assert running["message"] == "Started puppet run on lb01.example.com ..."
    assert finished["type"] == "node_finished"
    assert finished["message"] == "Finished puppet run on lb01.example.com - Success! "
    detail = finished["details"]["detail"]
    assert detail["status"] == "unchanged" and detail["report-url"].startswith("https://")
    assert set(detail["metrics"]) >= {"total", "changed", "failed", "out_of_sync"}
    assert done["type"] == "job_finished"
    assert all(isinstance(e["id"], str) for e in (running, finished, done))


def test_changed_nodes_report_changes_unless_noop(client: httpx.Client, clock: FakeClock) -> None:
    real = start_deploy(client, scope={"nodes": ["web03.example.com"]})
    noop = start_deploy(client, scope={"nodes": ["web03.example.com"]}, noop=True)
    clock.tick(10)
    real_result = client.get(f"/jobs/{real}/nodes").json()["items"][0]["result"]
    noop_result = client.get(f"/jobs/{noop}/nodes").json()["items"][0]["result"]
    assert real_result["status"] == "changed" and real_result["metrics"]["changed"] > 0
    assert noop_result["status"] == "unchanged" and noop_result["metrics"]["changed"] == 0
    assert noop_result["metrics"]["out_of_sync"] > 0
    assert noop_result["noop"] == {"noop": True, "no_noop": False}


def test_running_node_reports_run_time_and_no_result(five: httpx.Client, clock: FakeClock) -> None:
    job = start_deploy(five, scope={"nodes": ["n1.example.com"]})
    clock.tick(1.5)
    node = five.get(f"/jobs/{job}/nodes").json()["items"][0]
    assert node["state"] == "running" and node["result"] is None
    assert node["details"]["run-time"] == 1.5 and node["duration"] == 1.5
    assert node["finish_timestamp"] is None and node["start_timestamp"] is not None


def test_events_from_start_are_ascending_and_next_events_echoes_the_request(
    five: httpx.Client, clock: FakeClock
) -> None:
    job = start_deploy(five, scope={"query": "nodes[certname] { }"}, concurrency=2)
    clock.tick(3)
    first = five.get(f"/jobs/{job}/events").json()
    ids = [int(e["id"]) for e in first["items"]]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    # 2023.8 docs: next-events.id is the request URI (2021.7.1 job-events.json: start=1272 and
    # the first item 1272); clients go on from the highest id + 1.
    assert first["next-events"] == {"id": f"http://sim/orchestrator/v1/jobs/{job}/events"}
    assert [int(e["id"]) for e in events(five, job, start=ids[2])] == ids[2:]
    empty = five.get(f"/jobs/{job}/events?start={ids[-1] + 1}").json()
    assert empty["items"] == []
    assert empty["next-events"]["id"].endswith(f"?start={ids[-1] + 1}")
    clock.tick(10)
    later = events(five, job, start=ids[-1] + 1)
    assert later and int(later[0]["id"]) == ids[-1] + 1 and later[-1]["type"] == "job_finished"


def test_event_ids_are_global_across_jobs(five: httpx.Client, clock: FakeClock) -> None:
    one = start_deploy(five, scope={"nodes": ["n1.example.com"]})
    two = start_deploy(five, scope={"nodes": ["n2.example.com"]})
    clock.tick(5)
    ids_one = [int(e["id"]) for e in events(five, one)]
    ids_two = [int(e["id"]) for e in events(five, two)]
    assert not set(ids_one) & set(ids_two)
    assert ids_two[0] > ids_one[0]


def test_event_start_must_be_an_integer_and_job_must_exist(client: httpx.Client) -> None:
    job = start_deploy(client, scope={"nodes": ["lb01.example.com"]})
    assert_error(client.get(f"/jobs/{job}/events?start=abc"), 400, ORCH + "validation-error")
    assert_error(client.get("/jobs/99/events?start=1"), 404, ORCH + "unknown-job")


@pytest.mark.parametrize("suffix", ["", "/nodes", "/report", "/events"])
def test_job_ids_must_be_integers_and_exist(client: httpx.Client, suffix: str) -> None:
    assert_error(client.get(f"/jobs/abc{suffix}"), 400, ORCH + "validation-error")
    assert_error(client.get(f"/jobs/404{suffix}"), 404, ORCH + "unknown-job")


def test_graceful_stop_skips_pending_nodes_and_lets_running_ones_finish(
    five: httpx.Client, clock: FakeClock
) -> None:
    job = start_deploy(five, scope={"query": "nodes[certname] { }"}, concurrency=2)
    clock.tick(1)
    response = five.post("/command/stop", json={"job": job})
    assert response.status_code == 202
    assert response.json()["job"] == {
        "id": f"http://sim/orchestrator/v1/jobs/{job}",
        "name": job,
        "nodes": {"new": 0, "running": 2, "failed": 0, "errored": 0, "skipped": 3, "finished": 0},
    }
    assert five.get(f"/jobs/{job}").json()["state"] == "stopping"
    clock.tick(1)
    body = five.get(f"/jobs/{job}").json()
    assert body["state"] == "stopped" and body["node_states"] == {"finished": 2, "skipped": 3}
    assert [s["state"] for s in body["status"]][-2:] == ["stopping", "stopped"]
    types = [e["type"] for e in events(five, job)]
    assert types.index("job_stopping") < types.index("node_skipped")
    assert types.count("node_skipped") == 3 and types[-1] == "job_finished"
    skipped = five.get(f"/jobs/{job}/nodes?state=skipped").json()["items"][0]
    assert skipped["start_timestamp"] is None and skipped["duration"] is None


def test_force_stop_ends_running_nodes_at_once(five: httpx.Client, clock: FakeClock) -> None:
    job = start_deploy(five, scope={"query": "nodes[certname] { }"}, concurrency=2)
    clock.tick(1)
    response = five.post("/command/stop", json={"job": job, "force": True})
    assert response.json()["job"]["nodes"]["failed"] == 2
    body = five.get(f"/jobs/{job}").json()
    assert body["state"] == "stopped" and body["node_states"] == {"failed": 2, "skipped": 3}
    forced = five.get(f"/jobs/{job}/nodes?state=failed").json()["items"][0]
    assert forced["details"]["message"] == "Run was forcibly stopped"
    count = len(events(five, job))
    clock.tick(30)
    assert len(events(five, job)) == count  # nothing happens after a forced stop
    assert events(five, job)[-1]["type"] == "job_finished"


def test_stop_is_idempotent(five: httpx.Client, clock: FakeClock) -> None:
    job = start_deploy(five, scope={"query": "nodes[certname] { }"}, concurrency=2)
    first = five.post("/command/stop", json={"job": job})
    second = five.post("/command/stop", json={"job": int(job)})
    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()
    assert [e["type"] for e in events(five, job)].count("job_stopping") == 1


def test_stop_on_a_finished_job_changes_nothing(five: httpx.Client, clock: FakeClock) -> None:
    job = start_deploy(five, scope={"nodes": ["n1.example.com"]})
    clock.tick(5)
    before = events(five, job)
    response = five.post("/command/stop", json={"job": job, "force": True})
    assert response.status_code == 202
    assert response.json()["job"]["nodes"]["finished"] == 1
    assert five.get(f"/jobs/{job}").json()["state"] == "finished"
    assert events(five, job) == before


@pytest.mark.parametrize(
    "body, status, kind",
    [
        ({"job": "abc"}, 400, "validation-error"),
        ({}, 400, "validation-error"),
        ({"job": True}, 400, "validation-error"),
        ({"job": "1", "force": "yes"}, 400, "validation-error"),
        ({"job": "77"}, 404, "unknown-job"),
    ],
)
def test_stop_errors(client: httpx.Client, body: dict, status: int, kind: str) -> None:
    start_deploy(client, scope={"nodes": ["lb01.example.com"]})
    assert_error(client.post("/command/stop", json=body), status, ORCH + kind)


def test_task_job_nodes_report_task_output_and_errors(
    client: httpx.Client, clock: FakeClock
) -> None:
    response = client.post(
        "/command/task",
        json={
            "task": "package",
            "params": {"action": "install", "name": "httpd"},
            "scope": {"nodes": ["db01.example.com", "db02.example.com"]},
        },
    )
    job = response.json()["job"]["name"]
    clock.tick(10)
    nodes = {n["name"]: n for n in client.get(f"/jobs/{job}/nodes").json()["items"]}
    assert nodes["db01.example.com"]["result"]["status"] == "install ok"
    assert nodes["db02.example.com"]["state"] == "failed"
    assert nodes["db02.example.com"]["result"]["_error"]["kind"] == "puppetlabs.tasks/task-error"
    assert client.get(f"/jobs/{job}").json()["state"] == "failed"
    assert events(client, job)[0]["message"].startswith("Started task package on db0")


def test_facts_task_returns_the_node_facts(client: httpx.Client, clock: FakeClock) -> None:
    response = client.post(
        "/command/task",
        json={"task": "facts", "params": {}, "scope": {"nodes": ["lb01.example.com"]}},
    )
    clock.tick(10)
    node = client.get(f"/jobs/{response.json()['job']['name']}/nodes").json()["items"][0]
    assert node["result"]["networking"]["fqdn"] == "lb01.example.com"


def test_job_report_lists_every_node_with_its_events(
    client: httpx.Client, clock: FakeClock
) -> None:
    job = start_deploy(client, scope={"nodes": ["lb01.example.com", "db03.example.com"]})
    clock.tick(10)
    items = {i["node"]: i for i in client.get(f"/jobs/{job}/report").json()["items"]}
    assert [e["type"] for e in items["lb01.example.com"]["events"]] == [
        "node_running",
        "node_finished",
    ]
    assert items["db03.example.com"]["state"] == "errored"


def test_force_stop_after_a_graceful_stop_ends_the_job_at_once(
    five: httpx.Client, clock: FakeClock
) -> None:
    job = start_deploy(five, scope={"query": "nodes[certname] { }"}, concurrency=2)
    five.post("/command/stop", json={"job": job})
    assert five.get(f"/jobs/{job}").json()["state"] == "stopping"
    five.post("/command/stop", json={"job": job, "force": True})
    body = five.get(f"/jobs/{job}").json()
    assert body["state"] == "stopped" and body["node_states"] == {"failed": 2, "skipped": 3}
