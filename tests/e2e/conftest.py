"""Real processes and real HTTP: the simulator and the fake Slack on free ports, the bot as a
subprocess. Everything started here is stopped here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from standins.orchestrator import RunningSimulator, Simulator, default_world, serve
from standins.slack import FakeSlack
from tests.support.process import BOT_TOKEN, BotProcess

ALLOW_ALL = 'defaults = false\n\n[[rule]]\nname = "e2e runs everything"\naction = "run"\n'


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack(BOT_TOKEN) as fake:
        yield fake


@pytest.fixture
def orchestrator() -> Iterator[RunningSimulator]:
    with serve(Simulator(default_world(), node_seconds=0.3), port=0) as running:
        yield running


@pytest.fixture
def bot(tmp_path: Path, slack: FakeSlack, orchestrator: RunningSimulator) -> Iterator[BotProcess]:
    (tmp_path / "policy.toml").write_text(ALLOW_ALL)
    process = BotProcess(tmp_path, slack.api_url, orchestrator.url)
    try:
        yield process.start()
    finally:
        process.stop()
