"""Read-only endpoints (root, tasks, plans, inventory, usage) and scheduled environment jobs."""

from __future__ import annotations

import httpx
import pytest

from standins.orchestrator import Simulator, world_from_dict
from standins.orchestrator.default_world import LB_GROUP

from .helpers import FakeClock, assert_error, client_for

ORCH = "puppetlabs.orchestrator/"


def test_root_describes_the_api(client: httpx.Client) -> None:
    body = client.get("").json()
    assert body["info"]["title"] == "Application Management API (EXPERIMENTAL)"
    assert [c["name"] for c in body["commands"]] == ["deploy", "stop"]
    assert body["collections"][1]["id"] == "http://sim/orchestrator/v1/jobs"


def test_tasks_list_names_and_links(client: httpx.Client) -> None:
    body = client.get("/tasks").json()
    assert body["environment"] == {"name": "production", "code_id": None}
    items = {t["name"]: t["id"] for t in body["items"]}
    assert items["package"] == "http://sim/orchestrator/v1/tasks/package/init"
    assert items["mymodule::sleep"] == "http://sim/orchestrator/v1/tasks/mymodule/sleep"
    test_env = client.get("/tasks?environment=test-env-1").json()["items"]
    assert {t["name"] for t in test_env} == {"package", "facts"}


def test_task_details_carry_metadata_and_files(client: httpx.Client) -> None:
    body = client.get("/tasks/package/init").json()
    assert body["name"] == "package"
    params = body["metadata"]["parameters"]
    assert params["action"]["type"] == "Enum[install, status, uninstall, upgrade]"
    assert params["version"]["type"] == "Optional[String[1]]"
    assert body["files"][0]["uri"]["params"] == {"environment": "production"}
    sleep = client.get("/tasks/mymodule/sleep").json()
    assert sleep["metadata"]["parameters"]["seconds"]["type"].startswith("Integer")


def test_task_detail_errors(client: httpx.Client) -> None:
    assert_error(client.get("/tasks/package/nope"), 404, ORCH + "unknown-task")
    assert_error(client.get("/tasks/Package!/init"), 400, ORCH + "validation-error")
    assert_error(
        client.get("/tasks/package/init?environment=nope"), 404, ORCH + "unknown-environment"
    )
    assert_error(client.get("/tasks?environment=bad%20name"), 400, ORCH + "validation-error")


def test_plans_list_shows_permission(client: httpx.Client) -> None:
    body = client.get("/plans").json()
    assert body["environment"] == {"name": "production", "code_id": None}
    items = {p["name"]: p for p in body["items"]}
    assert items["profile::firewall"] == {
        "id": "http://sim/orchestrator/v1/plans/profile/firewall",
        "name": "profile::firewall",
        "permitted": True,
    }
    assert items["canary::random"]["permitted"] is False
    assert "profile::experimental" not in items
    dev = {p["name"] for p in client.get("/plans?environment=development").json()["items"]}
    assert "profile::experimental" in dev


def test_plans_list_permission_depends_on_the_user(sim: Simulator) -> None:
    with client_for(sim, token="operator-token") as c:
        items = {p["name"]: p["permitted"] for p in c.get("/plans").json()["items"]}
    assert items["canary"] is True and items["profile::firewall"] is False


def test_plan_details_default_to_production(client: httpx.Client) -> None:
    body = client.get("/plans/canary/init").json()
    assert body["name"] == "canary" and body["environment"]["name"] == "production"
    assert body["metadata"]["parameters"]["canary"] == {
        "type": "Integer",
        "description": "How many canary nodes",
        "default_value": 1,
    }
    assert body["permitted"] is True
    assert_error(client.get("/plans/profile/experimental"), 404, ORCH + "unknown-plan")
    dev = client.get("/plans/profile/experimental?environment=development")
    assert dev.status_code == 200 and dev.json()["environment"]["name"] == "development"
    assert_error(
        client.get("/plans/profile/firewall?environment=nope"), 404, ORCH + "unknown-environment"
    )
    assert_error(client.get("/plans/Profile/fire-wall"), 400, ORCH + "validation-error")


def test_inventory_lists_every_node_and_which_are_not_connected(client: httpx.Client) -> None:
    # 2021.7.1 docs (pe-bodies/pe-2021.7.1/inventory.json): node3 is listed, "connected": false,
    # without broker or timestamp.
    items = {i["name"]: i for i in client.get("/inventory").json()["items"]}
    assert items["db03.example.com"] == {"name": "db03.example.com", "connected": False}
    assert items["sshnode1.example.com"]["connected"] is False  # agentless: no PXP agent
    connected = [i for i in items.values() if i["connected"]]
    assert "web01.example.com" in {i["name"] for i in connected}
    assert all(i["broker"].startswith("pcp://") and i["timestamp"] for i in connected)
    assert client.get("/inventory/db03.example.com").json() == {
        "name": "db03.example.com",
        "connected": False,
    }
    web = client.get("/inventory/web01.example.com").json()
    assert web["connected"] is True and web["timestamp"].endswith("Z")


def test_inventory_checks_a_list_of_nodes(client: httpx.Client) -> None:
    body = client.post("/inventory", json={"nodes": ["web01.example.com", "nope.example.com"]})
    assert [(i["name"], i["connected"]) for i in body.json()["items"]] == [
        ("web01.example.com", True),
        ("nope.example.com", False),
    ]
    assert_error(client.post("/inventory", json={"nodes": "web01"}), 400, ORCH + "validation-error")


def test_inventory_answers_500_when_the_broker_is_down(clock: FakeClock) -> None:
    world = world_from_dict({"flags": {"pcp_broker_down": True}})
    with client_for(Simulator(world, clock=clock)) as c:
        for response in (
            c.get("/inventory"),
            c.get("/inventory/web01.example.com"),
            c.post("/inventory", json={"nodes": []}),
        ):
            assert response.status_code == 500
            assert response.json()["kind"].startswith(ORCH)


def test_usage_reports_days_newest_first(client: httpx.Client) -> None:
    client.post(
        "/command/task",
        json={"task": "facts", "params": {}, "scope": {"nodes": ["lb01.example.com"]}},
    )
    body = client.get("/usage?start_date=2023-11-12&end_date=2023-11-14").json()
    assert [i["date"] for i in body["items"]] == ["2023-11-14", "2023-11-13", "2023-11-12"]
    assert body["items"][0]["nodes_affected_by_task_runs"] == 1
    assert body["items"][0]["total_nodes"] == 34
    assert body["pagination"] == {"start_date": "2023-11-12", "end_date": "2023-11-14"}
    assert_error(client.get("/usage?start_date=yesterday"), 400, ORCH + "validation-error")


SCHEDULE = {
    "type": "deploy",
    "environment": "production",
    "input": {"scope": {"node_group": LB_GROUP}, "noop": True},
    "schedule": {"start_time": "2023-11-14T23:00:00Z", "interval": None},
    "description": "nightly lbs",
}


def test_scheduled_deploy_is_stored_and_runs_at_its_time(
    client: httpx.Client, clock: FakeClock
) -> None:
    response = client.post("/scheduled_jobs/environment_jobs", json=SCHEDULE)
    assert response.status_code == 200
    assert response.json() == {
        "scheduled_job": {
            "id": "http://sim/orchestrator/v1/scheduled_jobs/environment_jobs/1",
            "name": "1",
        }
    }
    item = client.get("/scheduled_jobs/environment_jobs/1").json()
    assert item["next_run"] == {"time": "2023-11-14T23:00:00Z"} and item["last_run"] is None
    assert item["type"] == "deploy" and item["description"] == "nightly lbs"
    assert client.get("/jobs").json()["items"] == []
    clock.tick(3600)
    job = client.get("/jobs").json()["items"][0]
    assert job["options"]["noop"] is True
    # The documented deploy options carry no scheduled job id (2021.7.1 jobs.json; only task
    # and plan jobs do): a scheduled deploy is found through its schedule's last_run.
    assert "scheduled-job-id" not in job["options"]
    ran = client.get("/scheduled_jobs/environment_jobs/1").json()
    # 2021.7.1 docs: last_run.job.name is a number ("name": 42).
    assert ran["last_run"]["job"] == {"id": job["id"], "name": int(job["name"])}
    assert ran["next_run"] is None


def test_scheduled_task_and_plan_are_accepted_and_listed(client: httpx.Client) -> None:
    task = {
        "type": "task",
        "input": {"name": "facts", "parameters": {}, "scope": {"nodes": ["lb01.example.com"]}},
        "schedule": {
            "start_time": "2030-01-01T00:00:00Z",
            "interval": {"value": 3600, "units": "seconds"},
        },
    }
    plan = {
        "type": "plan",
        "input": {
            "name": "profile::firewall",
            "parameters": {"targets": {"value": "lb01.example.com"}},
        },
        "schedule": {"start_time": "2030-01-02T00:00:00Z"},
    }
    for body in (task, plan):
        assert client.post("/scheduled_jobs/environment_jobs", json=body).status_code == 200
    listed = client.get("/scheduled_jobs/environment_jobs?type=plan").json()
    assert [i["type"] for i in listed["items"]] == ["plan"]
    assert listed["pagination"]["total"] == 1
    every = client.get("/scheduled_jobs/environment_jobs?order_by=next_run_time&order=desc").json()
    assert [i["type"] for i in every["items"]] == ["plan", "task"]


@pytest.mark.parametrize(
    "change, status, kind",
    [
        ({"schedule": {"start_time": "2020-01-01T00:00:00Z"}}, 400, "invalid-time"),
        ({"schedule": {"start_time": "whenever"}}, 400, "validation-error"),
        ({"type": "reboot"}, 400, "validation-error"),
        ({"input": None}, 400, "validation-error"),
        ({"environment": "nope"}, 404, "unknown-environment"),
        ({"input": {"scope": {"nodes": []}}}, 400, "empty-target"),
        (
            {"schedule": {"start_time": "2030-01-01T00:00:00Z", "interval": {"value": 5}}},
            400,
            "validation-error",
        ),
    ],
)
def test_scheduled_job_errors(client: httpx.Client, change: dict, status: int, kind: str) -> None:
    body = {k: v for k, v in {**SCHEDULE, **change}.items() if v is not None}
    assert_error(client.post("/scheduled_jobs/environment_jobs", json=body), status, ORCH + kind)


def test_scheduled_job_reads_validate_their_parameters(client: httpx.Client) -> None:
    assert_error(
        client.get("/scheduled_jobs/environment_jobs?order_by=colour"), 400, ORCH + "query-error"
    )
    assert_error(
        client.get("/scheduled_jobs/environment_jobs?limit=ten"), 400, ORCH + "query-error"
    )
    assert_error(client.get("/scheduled_jobs/environment_jobs/5"), 404, ORCH + "unknown-job")
    assert_error(client.get("/scheduled_jobs/environment_jobs/x"), 400, ORCH + "validation-error")


def test_scheduled_job_with_an_interval_runs_repeatedly(
    client: httpx.Client, clock: FakeClock
) -> None:
    body = {
        **SCHEDULE,
        "schedule": {
            "start_time": "2023-11-14T22:30:00Z",
            "interval": {"value": 600, "units": "seconds"},
        },
    }
    assert client.post("/scheduled_jobs/environment_jobs", json=body).status_code == 200
    clock.tick(1000 + 1300)  # start is 1000 s away; then two more intervals
    assert client.get("/jobs").json()["pagination"]["total"] == 3
    item = client.get("/scheduled_jobs/environment_jobs/1").json()
    assert item["next_run"] == {"time": "2023-11-14T23:00:00Z"}
    assert item["last_run"]["job"]["name"] == 3
