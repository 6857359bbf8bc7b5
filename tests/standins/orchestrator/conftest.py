"""Fixtures: a simulator on a fake clock, reached through httpx's MockTransport (no sockets)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from standins.orchestrator import Simulator, default_world

from .helpers import FakeClock, client_for


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim(clock: FakeClock) -> Simulator:
    return Simulator(default_world(), clock=clock)


@pytest.fixture
def client(sim: Simulator) -> Iterator[httpx.Client]:
    with client_for(sim) as c:
        yield c
