"""Test helpers: a fake clock, small worlds, clients over the MockTransport, error checks."""

from __future__ import annotations

from typing import Any

import httpx

from standins.orchestrator import Simulator, world_from_dict
from standins.orchestrator.world import World

START = 1_700_000_000.0


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, now: float = START):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += seconds


def small_world(*nodes: dict[str, Any]) -> World:
    """The default tasks, plans, groups and users with only these nodes (factor 1 unless given)."""
    return world_from_dict({"nodes": [{"factor": 1.0, **n} for n in nodes]})


def client_for(
    sim: Simulator, token: str | None = "demo-token", base: str = "http://sim"
) -> httpx.Client:
    headers = {"X-Authentication": token} if token else {}
    return httpx.Client(
        transport=sim.transport(), base_url=f"{base}/orchestrator/v1", headers=headers
    )


def start_deploy(client: httpx.Client, **body: Any) -> str:
    body.setdefault("environment", "production")
    response = client.post("/command/deploy", json=body)
    assert response.status_code == 202, response.text
    return response.json()["job"]["name"]


def events(client: httpx.Client, job: str, start: int | None = None) -> list[dict[str, Any]]:
    suffix = "" if start is None else f"?start={start}"
    response = client.get(f"/jobs/{job}/events{suffix}")
    assert response.status_code == 200, response.text
    return response.json()["items"]


def assert_error(response: httpx.Response, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"kind", "msg", "details"}
    assert body["kind"] == kind
    assert isinstance(body["msg"], str) and body["msg"]
    return body
