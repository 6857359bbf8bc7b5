"""The client: retries only where safe, errors in one tree, lenient parsing, TLS rules."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from orchestrator import errors as oe
from orchestrator.client import OrchestratorClient
from orchestrator.connection import ConnectionSettingsError, connect, read_token
from orchestrator.requests import DeployRequest, Scope
from standins.orchestrator import Simulator, default_world, serve
from tests.orchestrator.conftest import client_for
from tests.support.harness import Clock

DEPLOY = DeployRequest(environment="production", scope=Scope.nodes(["web01.example.com"]))


class Flaky(httpx.BaseTransport):
    """The simulator behind a transport that fails the first `failures` requests."""

    def __init__(self, sim: Simulator, failures: int, fault: str) -> None:
        self.inner = sim.transport()
        self.failures = failures
        self.fault = fault
        self.seen: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(f"{request.method} {request.url.path}")
        if self.failures > 0:
            self.failures -= 1
            if self.fault == "connect":
                raise httpx.ConnectError("connection refused", request=request)
            if self.fault == "timeout":
                raise httpx.ReadTimeout("read timed out", request=request)
            return httpx.Response(int(self.fault), text="<html>bad gateway</html>")
        return self.inner.handle_request(request)


def flaky_client(sim: Simulator, failures: int, fault: str) -> tuple[OrchestratorClient, Flaky]:
    transport = Flaky(sim, failures, fault)
    client = OrchestratorClient(
        httpx.Client(transport=transport),
        "https://pe:8143",
        "demo-token",
        attempts=3,
        sleep=lambda s: None,
    )
    return client, transport


@pytest.mark.parametrize("fault", ["connect", "timeout", "502", "503", "504"])
def test_gets_are_retried_on_connection_errors_and_gateway_statuses(sim, fault) -> None:
    client, transport = flaky_client(sim, 2, fault)
    assert client.plans().environment == "production"
    assert len(transport.seen) == 3


def test_gets_give_up_after_their_attempts(sim) -> None:
    client, transport = flaky_client(sim, 5, "503")
    with pytest.raises(oe.Unavailable) as raised:
        client.plans()
    assert raised.value.status == 503 and len(transport.seen) == 3


def test_a_command_post_is_never_retried(sim) -> None:
    client, transport = flaky_client(sim, 1, "connect")
    with pytest.raises(oe.Unavailable):
        client.deploy(DEPLOY)
    assert transport.seen == ["POST /orchestrator/v1/command/deploy"]


def test_stop_is_retried_because_it_is_idempotent(sim) -> None:
    job = client_for(sim).deploy(DEPLOY)
    client, transport = flaky_client(sim, 1, "503")
    assert client.stop(job.name).job.name == job.name
    assert transport.seen.count("POST /orchestrator/v1/command/stop") == 2


def test_500_is_unavailable_and_not_retried(sim) -> None:
    client, transport = flaky_client(sim, 1, "500")
    with pytest.raises(oe.Unavailable):
        client.plans()
    assert len(transport.seen) == 1


def test_non_json_error_bodies_are_unavailable(sim) -> None:
    sim.set_faults(non_json_errors=True)
    with pytest.raises(oe.Unavailable) as raised:
        client_for(sim).job("987654")
    assert raised.value.status == 404


def test_ids_and_durations_are_parsed_leniently(sim, clock: Clock) -> None:
    sim.set_faults(ids_as_numbers=True, duration_as_number=True)
    client = client_for(sim)
    ref = client.deploy(DEPLOY)
    clock.advance(30)
    job = client.job(ref.name)
    assert job.name == ref.name and job.done and isinstance(job.duration, float)
    page = client.job_events(ref.name)
    assert page.items and all(isinstance(e.id, int) for e in page.items)
    assert page.next_start == page.items[-1].id + 1
    assert client.job_events(ref.name, page.next_start).items == ()


def test_the_token_travels_in_the_header_never_the_url(sim) -> None:
    seen: list[httpx.Request] = []
    inner = sim.transport()

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return inner.handle_request(request)

    client = OrchestratorClient(
        httpx.Client(transport=httpx.MockTransport(handler)), "https://pe:8143", "demo-token"
    )
    client.plans()
    assert seen[0].headers["X-Authentication"] == "demo-token"
    assert "demo-token" not in str(seen[0].url)
    assert "demo-token" not in repr(client)


def test_the_client_works_over_real_http() -> None:
    sim = Simulator(default_world(), node_seconds=0.05)
    with serve(sim, port=0) as running:
        client = connect(running.url, token="demo-token", timeout=5)
        ref = client.deploy(DEPLOY)
        assert client.job(ref.name).name == ref.name
        with pytest.raises(oe.UnknownEnvironment):
            client.deploy(DeployRequest(environment="nosuch", scope=Scope.nodes(["a"])))
        client.close()


def test_https_requires_the_pe_ca_certificate() -> None:
    with pytest.raises(ConnectionSettingsError, match="PE_CA_CERT"):
        connect("https://puppet.example.com:8143", token="t")


def test_a_missing_ca_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConnectionSettingsError, match="cannot load"):
        connect("https://puppet.example.com:8143", token="t", ca_cert=str(tmp_path / "no.pem"))


def test_plain_http_is_refused_off_loopback() -> None:
    with pytest.raises(ConnectionSettingsError, match="loopback"):
        connect("http://puppet.example.com:8143", token="t")


def test_plain_http_on_loopback_warns(caplog) -> None:
    connect("http://127.0.0.1:8143", token="t")
    assert "never for a real PE server" in caplog.text


def test_token_from_a_file_or_a_clear_error(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("abc123\n")
    assert read_token(None, str(token)) == "abc123"
    with pytest.raises(ConnectionSettingsError, match="cannot read"):
        read_token(None, str(tmp_path / "missing"))
    with pytest.raises(ConnectionSettingsError, match="puppet access login"):
        read_token(None, None)


def test_scheduling_goes_through_scheduled_jobs(sim, clock: Clock) -> None:
    from orchestrator.requests import ScheduleRequest

    client = client_for(sim)
    start = clock() + 3600
    stamp = __import__("datetime").datetime.fromtimestamp(start, __import__("datetime").UTC)
    ref = client.schedule(
        ScheduleRequest(
            type="deploy",
            environment="production",
            input={"scope": {"nodes": ["web01.example.com"]}, "noop": True},
            schedule={"start_time": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), "interval": None},
            description="nightly noop",
        )
    )
    assert ref.name and "scheduled_jobs" in ref.id
    past = stamp.replace(year=2020).strftime("%Y-%m-%dT%H:%M:%SZ")
    with pytest.raises(oe.InvalidTime):
        client.schedule(
            ScheduleRequest(
                type="deploy",
                environment="production",
                input={"scope": {"nodes": ["web01.example.com"]}},
                schedule={"start_time": past, "interval": None},
            )
        )


def test_the_reads_following_needs(sim, clock: Clock) -> None:
    client = client_for(sim)
    ref = client.deploy(DEPLOY)
    clock.advance(30)
    listing = client.jobs(order="desc", order_by="timestamp", limit=5)
    assert listing.total >= 1 and listing.items[0].name == ref.name
    nodes = client.all_job_nodes(ref.name)
    assert [n.name for n in nodes] == ["web01.example.com"] and nodes[0].state == "finished"
    assert {t.name for t in client.tasks().items} >= {"package", "service"}
    assert client.task_info("package").parameters["action"].required
    # GET /inventory lists nodes with whether they are connected (2021.7.1 inventory.json);
    # asking about nodes by name answers for each.
    listed = {n.name: n.connected for n in client.inventory()}
    assert listed["web01.example.com"] is True and listed["db03.example.com"] is False
    asked = client.inventory(["web01.example.com", "db03.example.com"])
    assert [(n.name, n.connected) for n in asked] == [
        ("web01.example.com", True),
        ("db03.example.com", False),
    ]
