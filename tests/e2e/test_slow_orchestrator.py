"""Twenty people at once against a slow orchestrator: every ack comes at once, every job runs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from standins.orchestrator import RunningSimulator, Simulator, default_world, serve
from standins.slack import FakeSlack
from tests.e2e.conftest import ALLOW_ALL
from tests.support.process import BotProcess

LATENCY = 1.5


@pytest.fixture
def slow_bot(tmp_path: Path, slack: FakeSlack) -> Iterator[tuple[BotProcess, RunningSimulator]]:
    (tmp_path / "policy.toml").write_text(ALLOW_ALL)
    with serve(Simulator(default_world(), node_seconds=0.2), port=0, latency=LATENCY) as running:
        process = BotProcess(tmp_path, slack.api_url, running.url, extra_env={"PE_TIMEOUT": "30"})
        try:
            yield process.start(), running
        finally:
            process.stop()


def test_twenty_commands_against_a_slow_orchestrator_are_all_acked_at_once_and_all_run(
    slow_bot: tuple[BotProcess, RunningSimulator], slack: FakeSlack
) -> None:
    bot, orchestrator = slow_bot

    def send(i: int) -> float:
        url = slack.new_response_url(channel="C0DEPLOYS", user=f"U0USER{i:02d}")
        started = time.monotonic()
        response = bot.command(
            f"/deploy production --nodes web{i % 12 + 1:02d}.example.com --noop",
            response_url=url,
            user=f"U0USER{i:02d}",
        )
        assert response.status_code == 200
        return time.monotonic() - started

    with ThreadPoolExecutor(max_workers=20) as pool:
        acks = list(pool.map(send, range(20)))
    # Each orchestrator answer takes 1.5 s, so an ack that waited for one could not be faster.
    assert max(acks) < LATENCY, sorted(acks)[-3:]

    def launched(_: FakeSlack) -> bool:
        routes = orchestrator.sim.stats()["routes"]
        return routes.get("POST /command/deploy", {}).get("requests", 0) == 20

    slack.wait_for(launched, timeout=30)
    slack.wait_for(
        lambda fake: sum("started as job" in str(r.blocks) for r in fake.responses()) == 20,
        timeout=30,
    )
