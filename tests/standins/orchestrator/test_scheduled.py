"""Scheduled environment jobs on the simulator's clock: edit, soft delete, runs, other users.

Sources: orchestrator-api.md (scheduled jobs), help.puppet.com's PUT /scheduled_jobs/
environment_jobs/<job-id> page (top-level keys replace; `{"enabled": false}` is the soft
delete; 400 disabled-scheduled-job after it) and DELETE /scheduled_jobs/<job-id> (deprecated,
"always 204"); pe-bodies/pe-2021.7.1/jobs.json and plan-jobs.json for where a run carries the
scheduled job id (task `scheduled-job-id`, plan `scheduled_job_id`; none documented on deploys).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from standins.orchestrator import Simulator, default_world, serve, world_from_dict

from .helpers import FakeClock, assert_error, client_for

ORCH = "puppetlabs.orchestrator/"
JOBS = "/scheduled_jobs/environment_jobs"
SOON = "2023-11-14T22:30:00Z"  # the fake clock starts at 22:13:20Z
NODE = {"nodes": ["web01.example.com"]}


def create(client: httpx.Client, kind: str, data: dict[str, Any], **extra: Any) -> str:
    body = {
        "type": kind,
        "environment": "production",
        "input": data,
        "schedule": {"start_time": SOON, "interval": None},
        **extra,
    }
    reply = client.post(JOBS, json=body)
    assert reply.status_code == 200, reply.text
    return reply.json()["scheduled_job"]["name"]


def deploy(client: httpx.Client, **extra: Any) -> str:
    return create(client, "deploy", {"scope": NODE, "noop": True}, **extra)


def test_put_replaces_the_given_keys_and_leaves_the_rest(client: httpx.Client) -> None:
    sched = deploy(client, description="nightly", userdata={"ticket": "T-1"})
    reply = client.put(f"{JOBS}/{sched}", json={"description": "weekly"})
    assert reply.status_code == 200
    assert reply.json() == {
        "scheduled_job": {"id": f"http://sim/orchestrator/v1{JOBS}/{sched}", "name": sched}
    }
    item = client.get(f"{JOBS}/{sched}").json()
    assert item["description"] == "weekly" and item["userdata"] == {"ticket": "T-1"}
    assert item["input"] == {"scope": NODE, "noop": True} and item["enabled"] is True


def test_put_of_a_new_schedule_moves_the_next_run(client: httpx.Client, clock: FakeClock) -> None:
    sched = deploy(client)
    later = {"start_time": "2023-11-15T06:00:00Z", "interval": {"value": 3600, "units": "seconds"}}
    assert client.put(f"{JOBS}/{sched}", json={"schedule": later}).status_code == 200
    clock.tick(3600)  # past the first start time: nothing runs there any more
    assert client.get("/jobs").json()["items"] == []
    item = client.get(f"{JOBS}/{sched}").json()
    assert item["next_run"] == {"time": "2023-11-15T06:00:00Z"}
    assert item["schedule"] == later
    clock.tick(8 * 3600)  # 06:00 and 07:00 have come
    assert client.get("/jobs").json()["pagination"]["total"] == 2


def test_disabling_is_the_soft_delete(client: httpx.Client, clock: FakeClock) -> None:
    sched = deploy(client)
    assert client.put(f"{JOBS}/{sched}", json={"enabled": False}).status_code == 200
    clock.tick(3600)
    assert client.get("/jobs").json()["items"] == []  # it never runs
    item = client.get(f"{JOBS}/{sched}").json()
    assert item["enabled"] is False and item["next_run"] is None and item["last_run"] is None
    assert [i["name"] for i in client.get(JOBS).json()["items"]] == [sched]  # still listed
    # Any further edit, re-enabling included, is refused (the PUT page).
    for body in ({"enabled": True}, {"description": "again"}):
        answer = assert_error(
            client.put(f"{JOBS}/{sched}", json=body), 400, ORCH + "disabled-scheduled-job"
        )
        assert answer["details"] == {"id": sched}


@pytest.mark.parametrize(
    "body, status, kind",
    [
        (
            {"schedule": {"start_time": "2020-01-01T00:00:00Z", "interval": None}},
            400,
            "invalid-time",
        ),
        ({"enabled": "no"}, 400, "validation-error"),
        ({"owner": "someone"}, 400, "validation-error"),  # not an editable key
        ({"environment": "nope"}, 404, "unknown-environment"),  # re-checked like a new request
        ({"input": {"scope": {"nodes": []}}}, 400, "empty-target"),
    ],
)
def test_put_is_validated_like_a_new_request(
    client: httpx.Client, body: dict, status: int, kind: str
) -> None:
    sched = deploy(client)
    assert_error(client.put(f"{JOBS}/{sched}", json=body), status, ORCH + kind)
    assert client.get(f"{JOBS}/{sched}").json()["input"] == {"scope": NODE, "noop": True}


def test_put_on_unknown_or_malformed_ids(client: httpx.Client) -> None:
    assert_error(client.put(f"{JOBS}/9", json={"enabled": False}), 404, ORCH + "unknown-job")
    assert_error(client.put(f"{JOBS}/x", json={"enabled": False}), 400, ORCH + "validation-error")


def test_there_is_no_delete_but_the_deprecated_one_answers_204(client: httpx.Client) -> None:
    sched = deploy(client)
    refused = assert_error(client.delete(f"{JOBS}/{sched}"), 405, ORCH + "method-not-allowed")
    assert refused["details"]["allowed"] == ["GET", "PUT"]
    gone = client.delete(f"/scheduled_jobs/{sched}")  # deprecated: "always 204 No Content"
    assert gone.status_code == 204 and gone.content == b""
    assert client.get(f"{JOBS}/{sched}").json()["enabled"] is True  # it found nothing to delete


def test_runs_carry_the_scheduled_job_id_where_pe_documents_it(
    client: httpx.Client, clock: FakeClock
) -> None:
    task = create(client, "task", {"name": "facts", "parameters": {}, "scope": NODE})
    plan = create(
        client,
        "plan",
        {"name": "canary", "parameters": {"nodes": {"value": "web01.example.com"},
                                          "command": {"value": "id"}}},
    )  # fmt: skip
    deployed = deploy(client)
    now_task = client.post(
        "/command/task", json={"task": "facts", "params": {}, "scope": NODE}
    ).json()["job"]["name"]
    clock.tick(1200)
    jobs = {j["name"]: j for j in client.get("/jobs?type=task").json()["items"]}
    scheduled_task = client.get(f"{JOBS}/{task}").json()["last_run"]["job"]["name"]
    assert jobs[str(scheduled_task)]["options"]["scheduled-job-id"] == task
    assert jobs[now_task]["options"]["scheduled-job-id"] is None  # 2021.7.1 jobs.json: null
    plan_job = client.get(f"{JOBS}/{plan}").json()["last_run"]["job"]
    assert plan_job["id"].endswith(f"/plan_jobs/{plan_job['name']}")
    assert (
        client.get(f"/plan_jobs/{plan_job['name']}").json()["options"]["scheduled_job_id"] == plan
    )
    deploy_job = client.get(f"{JOBS}/{deployed}").json()["last_run"]["job"]["name"]
    assert "scheduled-job-id" not in client.get(f"/jobs/{deploy_job}").json()["options"]


def test_a_run_pe_cannot_submit_shows_in_last_run_and_the_schedule_goes_on(
    sim: Simulator, client: httpx.Client, clock: FakeClock
) -> None:
    every = {"start_time": SOON, "interval": {"value": 600, "units": "seconds"}}
    sched = create(client, "deploy", {"scope": {"query": "nodes[certname] { }"}}, schedule=every)
    sim.set_faults(puppetdb_unreachable=True)
    clock.tick(1100)  # the first run (22:30) cannot resolve its query
    last = client.get(f"{JOBS}/{sched}").json()["last_run"]
    assert last["time"] == "2023-11-14T22:30:00Z"
    assert last["job"]["submission_error"]["kind"] == ORCH + "puppetdb-error"
    assert isinstance(last["job"]["name"], int)
    sim.clear_faults()
    clock.tick(600)  # 22:40 runs
    last = client.get(f"{JOBS}/{sched}").json()["last_run"]
    assert last["time"] == "2023-11-14T22:40:00Z" and "submission_error" not in last["job"]
    assert client.get(f"/jobs/{last['job']['name']}").json()["node_count"] >= 30


def test_pagination_and_order(client: httpx.Client) -> None:
    for hour in (3, 1, 2):
        create(client, "deploy", {"scope": NODE},
               schedule={"start_time": f"2023-11-15T0{hour}:00:00Z", "interval": None})  # fmt: skip
    page = client.get(f"{JOBS}?limit=2&offset=1&order=desc").json()
    assert [i["next_run"]["time"][11:13] for i in page["items"]] == ["02", "01"]
    assert page["pagination"] == {
        "limit": 2, "offset": 1, "order": "desc", "order_by": "next_run_time", "total": 3,
    }  # fmt: skip
    by_name = client.get(f"{JOBS}?order_by=name").json()["items"]
    assert [i["name"] for i in by_name] == ["1", "2", "3"]
    assert_error(client.get(f"{JOBS}?offset=-1"), 400, ORCH + "query-error")


def test_old_pe_answers_404_to_every_scheduled_jobs_route(clock: FakeClock) -> None:
    world = world_from_dict({"settings": {"pe_version": "2021.5"}})
    client = client_for(Simulator(world, clock=clock))
    body = {"type": "deploy", "input": {"scope": NODE},
            "schedule": {"start_time": SOON, "interval": None}}  # fmt: skip
    for method, path in (("POST", JOBS), ("GET", JOBS), ("GET", f"{JOBS}/1"), ("PUT", f"{JOBS}/1")):
        reply = client.request(method, path, json=body if method != "GET" else None)
        assert_error(reply, 404, ORCH + "not-found")


# -- jobs started elsewhere: /_sim/as/<login>/orchestrator/v1/... -------------------------------


def test_a_job_started_by_another_pe_user_is_theirs(sim: Simulator, client: httpx.Client) -> None:
    with httpx.Client(transport=sim.transport(), base_url="http://sim/_sim/as/alice") as alice:
        reply = alice.post(
            "/orchestrator/v1/command/deploy", json={"environment": "production", "scope": NODE}
        )
        assert reply.status_code == 202, reply.text
        job = client.get(f"/jobs/{reply.json()['job']['name']}").json()
    assert (
        job["owner"]["login"] == "alice" and job["owner"]["id"] != sim.world.user("demo-token").id
    )
    assert job["userdata"] == {}
    assert "POST /command/deploy" not in sim.stats()["routes"]  # the harness is not counted


def test_acting_as_a_world_user_keeps_their_rbac(sim: Simulator) -> None:
    with httpx.Client(transport=sim.transport(), base_url="http://sim/_sim/as/viewer") as viewer:
        reply = viewer.post(
            "/orchestrator/v1/command/deploy", json={"environment": "production", "scope": NODE}
        )
    assert_error(reply, 403, ORCH + "not-permitted")


def test_start_elsewhere_over_real_http_with_faults_on(clock: FakeClock) -> None:
    sim = Simulator(default_world(), clock=clock)
    with serve(sim, port=0) as running, httpx.Client(base_url=running.url) as http:
        sim.set_faults(unavailable=True)  # the bot's view is down; the harness still acts
        started = http.post(
            "/_sim/as/carol/orchestrator/v1/command/task",
            json={"task": "facts", "params": {}, "scope": NODE, "environment": "production"},
        )
        assert started.status_code == 202, started.text
        down = http.get("/orchestrator/v1/jobs", headers={"X-Authentication": "demo-token"})
        assert down.status_code == 503
        sim.clear_faults()
        job = http.get(
            f"/orchestrator/v1/jobs/{started.json()['job']['name']}",
            headers={"X-Authentication": "demo-token"},
        ).json()
        assert job["owner"]["login"] == "carol" and job["type"] == "task"
        listing = http.get("/_sim/nowhere").json()["routes"]
        assert any(r["path"].startswith("/_sim/as/") for r in listing)


def test_acting_as_another_user_still_meets_puppetdb_down(sim: Simulator) -> None:
    sim.set_faults(puppetdb_unreachable=True, non_json_errors=True)
    with httpx.Client(transport=sim.transport(), base_url="http://sim/_sim/as/alice") as alice:
        reply = alice.post(
            "/orchestrator/v1/command/deploy",
            json={"environment": "production", "scope": {"query": "nodes[certname] { }"}},
        )
    assert_error(reply, 400, ORCH + "puppetdb-error")  # JSON: the transport fault is skipped


def test_only_a_user_who_could_make_it_may_disable_it(sim: Simulator, client: httpx.Client) -> None:
    """The PUT page lists POST's errors: a viewer is refused the soft delete, an operator who may
    run Puppet is not (owner or not), and a refused PUT changes nothing."""
    sched = deploy(client)
    with client_for(sim, "viewer-token") as viewer:
        refused = viewer.put(f"{JOBS}/{sched}", json={"enabled": False})
    assert_error(refused, 403, ORCH + "not-permitted")
    assert "viewer may not edit or disable" in refused.json()["msg"]
    assert client.get(f"{JOBS}/{sched}").json()["enabled"] is True
    with client_for(sim, "operator-token") as operator:
        assert operator.put(f"{JOBS}/{sched}", json={"enabled": False}).status_code == 200
    assert client.get(f"{JOBS}/{sched}").json()["enabled"] is False


def test_a_task_schedule_needs_the_task_to_be_disabled(
    sim: Simulator, client: httpx.Client
) -> None:
    sched = create(client, "task", {"name": "exec", "parameters": {"command": "id"}, "scope": NODE})
    with client_for(sim, "operator-token") as operator:  # may run package, service, facts only
        assert_error(
            operator.put(f"{JOBS}/{sched}", json={"enabled": False}), 403, ORCH + "not-permitted"
        )
