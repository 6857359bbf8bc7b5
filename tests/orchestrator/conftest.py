"""A client over the simulator's in-process transport, on a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from orchestrator.client import OrchestratorClient
from standins.orchestrator import Simulator, default_world
from tests.support.harness import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sim(clock: Clock) -> Simulator:
    return Simulator(default_world(), clock=clock, node_seconds=1.0)


def client_for(sim: Simulator, token: str = "demo-token") -> OrchestratorClient:
    http = httpx.Client(transport=sim.transport())
    return OrchestratorClient(
        http, "https://orchestrator.example.com:8143", token, sleep=lambda s: None
    )


@pytest.fixture
def client(sim: Simulator) -> Iterator[OrchestratorClient]:
    yield client_for(sim)
