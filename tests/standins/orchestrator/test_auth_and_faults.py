"""Authentication, routing errors, fault injection, statistics and the event log."""

from __future__ import annotations

import time

import httpx
import pytest

from standins.orchestrator import Simulator, default_world

from .helpers import FakeClock, assert_error, client_for, start_deploy

ORCH = "puppetlabs.orchestrator/"
RBAC = "puppetlabs.rbac/"
LB = {"environment": "production", "scope": {"nodes": ["lb01.example.com"]}}


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", ""),
        ("GET", "/jobs"),
        ("GET", "/jobs/1"),
        ("GET", "/plans"),
        ("GET", "/inventory"),
        ("POST", "/command/deploy"),
        ("POST", "/command/stop"),
        ("GET", "/no/such/route"),
    ],
)
def test_every_route_requires_authentication(sim: Simulator, method: str, path: str) -> None:
    with client_for(sim, token=None) as c:
        response = c.request(method, path, json=LB if method == "POST" else None)
    assert response.status_code == 401
    assert response.json() == {
        "kind": RBAC + "user-unauthenticated",
        "msg": "Route requires authentication",
        "details": {},
    }
    assert sim.stats()["statuses"] == {"401": 1}


@pytest.mark.parametrize(
    "token, kind, msg",
    [
        ("wrong", "invalid-token", "The provided token is invalid."),
        ("expired-token", "token-expired", "The provided token has expired."),
        ("revoked-token", "token-revoked", "The provided token has been revoked."),
    ],
)
def test_bad_tokens_are_401_with_an_rbac_kind(
    sim: Simulator, token: str, kind: str, msg: str
) -> None:
    with client_for(sim, token=token) as c:
        body = assert_error(c.get("/jobs"), 401, RBAC + kind)
    assert body["msg"] == msg


def test_token_may_come_as_a_query_parameter(sim: Simulator) -> None:
    with client_for(sim, token=None) as c:
        assert c.get("/jobs?token=demo-token").status_code == 200


def test_the_configured_token_authenticates_admin(clock: FakeClock) -> None:
    sim = Simulator(default_world(), clock=clock, token="s3cret")
    with client_for(sim, token="demo-token") as old:
        assert_error(old.get("/jobs"), 401, RBAC + "invalid-token")
    with client_for(sim, token="s3cret") as new:
        job = start_deploy(new, **LB)
        assert new.get(f"/jobs/{job}").json()["owner"]["login"] == "admin"


def test_unknown_routes_and_methods(client: httpx.Client) -> None:
    assert_error(client.get("/no/such/route"), 404, ORCH + "not-found")
    assert_error(client.delete("/jobs"), 405, ORCH + "method-not-allowed")
    assert_error(client.get("/command/deploy"), 405, ORCH + "method-not-allowed")


def test_unavailable_answers_503_with_an_html_page(sim: Simulator, client: httpx.Client) -> None:
    sim.set_faults(unavailable=True)
    response = client.post("/command/deploy", json=LB)
    assert response.status_code == 503
    assert response.headers["content-type"] == "text/html"
    assert response.text.startswith("<html>")
    sim.clear_faults()
    assert client.get("/jobs").json()["pagination"]["total"] == 0  # the POST did nothing


def test_status_500_every_n_requests(sim: Simulator, client: httpx.Client) -> None:
    sim.set_faults(status_500_every=3)
    statuses = [client.post("/command/deploy", json=LB).status_code for _ in range(6)]
    assert statuses == [202, 202, 500, 202, 202, 500]
    sim.clear_faults()
    assert client.get("/jobs").json()["pagination"]["total"] == 4


def test_non_json_errors_fault_sends_html_error_bodies(
    sim: Simulator, client: httpx.Client
) -> None:
    sim.set_faults(non_json_errors=True)
    response = client.get("/jobs/42")
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html"
    assert client.get("/jobs").status_code == 200  # successes stay JSON
    assert client.get("/jobs").json()["items"] == []


def test_expire_token_fault_expires_the_token_mid_session(
    sim: Simulator, client: httpx.Client
) -> None:
    job = start_deploy(client, **LB)
    sim.set_faults(expire_token=True)
    body = assert_error(client.get(f"/jobs/{job}"), 401, RBAC + "token-expired")
    assert body["msg"] == "The provided token has expired."
    sim.set_faults(expire_token="operator-token")  # only that token
    assert client.get(f"/jobs/{job}").status_code == 200


def test_format_faults_send_numbers_where_pe_sometimes_does(
    sim: Simulator, client: httpx.Client, clock: FakeClock
) -> None:
    job = start_deploy(client, **LB)
    clock.tick(10)
    assert client.get(f"/jobs/{job}").json()["duration"] == "2.0"
    sim.set_faults(duration_as_number=True, ids_as_numbers=True)
    body = client.get(f"/jobs/{job}").json()
    assert body["duration"] == 2.0 and body["name"] == 1
    assert all(isinstance(e["id"], int) for e in client.get(f"/jobs/{job}/events").json()["items"])


def test_latency_fault_delays_each_response(sim: Simulator, client: httpx.Client) -> None:
    sim.set_faults(latency=0.2)
    started = time.perf_counter()
    assert client.get("/jobs").status_code == 200
    assert time.perf_counter() - started >= 0.2


def test_faults_over_the_admin_api(sim: Simulator, client: httpx.Client) -> None:
    admin = httpx.Client(transport=sim.transport(), base_url="http://sim/_sim")
    with admin:
        assert admin.post("/faults", json={"unavailable": True}).json()["unavailable"] is True
        assert client.get("/jobs").status_code == 503
        assert admin.post("/faults", json={}).json()["unavailable"] is False
        assert client.get("/jobs").status_code == 200
        bad = admin.post("/faults", json={"meteor_strike": True})
        assert bad.status_code == 400 and "meteor_strike" in bad.json()["error"]
        assert admin.post("/faults", json={"latency": "slow"}).status_code == 400
        assert admin.get("/faults").json()["latency"] == 0.0


def test_set_faults_rejects_unknown_faults(sim: Simulator) -> None:
    with pytest.raises(ValueError, match="unknown faults"):
        sim.set_faults(meteor_strike=True)
    with pytest.raises(ValueError):
        sim.set_faults(status_500_every=True)


def test_stats_count_requests_and_bytes_per_route_and_job(
    sim: Simulator, client: httpx.Client, clock: FakeClock
) -> None:
    job = start_deploy(client, **LB)
    clock.tick(10)
    size = len(client.get(f"/jobs/{job}/events").content)
    size += len(client.get(f"/jobs/{job}").content)
    client.get("/jobs/99")
    with httpx.Client(transport=sim.transport(), base_url="http://sim/_sim") as admin:
        stats = admin.get("/stats").json()
        assert stats["jobs"][job] == {"requests": 2, "bytes": size}
        assert stats["routes"]["GET /jobs/{job_id}/events"]["requests"] == 1
        assert stats["routes"]["POST /command/deploy"]["requests"] == 1
        assert stats["statuses"] == {"202": 1, "200": 2, "404": 1}
        assert stats["total"]["requests"] == 4
        assert admin.post("/stats/reset").json()["total"] == {"requests": 0, "bytes": 0}
    assert sim.stats()["routes"] == {}


def test_event_log_has_every_event_with_its_time(
    sim: Simulator, client: httpx.Client, clock: FakeClock
) -> None:
    job = start_deploy(client, **LB)
    started = clock.now
    clock.tick(10)
    log = sim.event_log()
    assert [(e["type"], e["node"]) for e in log] == [
        ("node_running", "lb01.example.com"),
        ("node_finished", "lb01.example.com"),
        ("job_finished", None),
    ]
    assert log[0]["time"] == started and log[1]["time"] == started + 2.0
    assert {e["job_id"] for e in log} == {job} and {e["scope"] for e in log} == {"job"}
    with httpx.Client(transport=sim.transport(), base_url="http://sim/_sim") as admin:
        tail = admin.get(f"/event_log?since={log[0]['event_id']}").json()
        assert [e["event_id"] for e in tail["items"]] == [log[1]["event_id"], log[2]["event_id"]]
        assert tail["last"] == log[2]["event_id"]
        assert admin.get("/event_log?since=x").status_code == 400
        assert admin.get("/nothing").status_code == 404
