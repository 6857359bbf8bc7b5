"""`python bot.py run --mode socket`: the bot opens Socket Mode and takes commands through it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from standins.orchestrator import RunningSimulator
from standins.slack import FakeSlack
from tests.e2e.conftest import ALLOW_ALL
from tests.support.harness import block_text
from tests.support.process import BotProcess
from tests.support.socketmode import SocketModeServer

CHANNEL = "C0DEPLOYS"


@pytest.fixture
def websocket(slack: FakeSlack) -> Iterator[SocketModeServer]:
    server = SocketModeServer()
    slack.socket_mode(server.url)
    yield server
    server.stop()


@pytest.fixture
def socket_bot(
    tmp_path: Path, slack: FakeSlack, orchestrator: RunningSimulator, websocket: SocketModeServer
) -> Iterator[BotProcess]:
    (tmp_path / "policy.toml").write_text(ALLOW_ALL)
    process = BotProcess(
        tmp_path,
        slack.api_url,
        orchestrator.url,
        mode="socket",
        ready=websocket.connected.is_set,
        extra_env={"SLACK_APP_TOKEN": "xapp-1-A0APP-1-test", "SLACK_SIGNING_SECRET": ""},
    )
    try:
        yield process.start()
    finally:
        process.stop()


def test_a_command_over_socket_mode_is_acked_and_runs(
    socket_bot: BotProcess, slack: FakeSlack, websocket: SocketModeServer
) -> None:
    url = slack.new_response_url(channel=CHANNEL, user="U0ALICE")
    started = time.monotonic()
    envelope = websocket.send_command(
        {
            "team_id": "T0TEAM",
            "channel_id": CHANNEL,
            "user_id": "U0ALICE",
            "command": "/deploy",
            "text": "production --nodes web01.example.com --noop",
            "response_url": url,
            "trigger_id": "1.2.3",
            "api_app_id": "A0APP",
        }
    )
    ack = websocket.ack(envelope)
    assert time.monotonic() - started < 2.0
    assert "Working on it" in ack.get("text", "")

    def summary(fake: FakeSlack) -> str | None:
        for card in fake.messages(CHANNEL):
            for reply in fake.thread(CHANNEL, card.ts)[1:]:
                if "nodes succeeded" in (reply.text or ""):
                    return block_text(reply.blocks or [])
        return None

    assert "1/1 nodes succeeded" in slack.wait_for(summary, timeout=30)
    opened = [c for c in slack.calls("apps.connections.open") if c.status == 200]
    assert opened, "the bot never asked Slack where to connect"


def test_a_usage_error_over_socket_mode_is_answered_in_the_ack(
    socket_bot: BotProcess, slack: FakeSlack, websocket: SocketModeServer
) -> None:
    envelope = websocket.send_command(
        {
            "team_id": "T0TEAM",
            "channel_id": CHANNEL,
            "user_id": "U0ALICE",
            "command": "/deploy",
            "text": "production --nodes web01.example.com --nop",
            "response_url": "http://x/y",
            "trigger_id": "1.2.3",
            "api_app_id": "A0APP",
        }
    )
    ack = websocket.ack(envelope)
    assert "--nop" in ack.get("text", "") + str(ack.get("blocks", ""))


def test_socket_mode_serves_health_on_port(socket_bot: BotProcess) -> None:
    """One `web:` process in the Procfile: Socket Mode must still bind $PORT for the platform."""
    answer = httpx.get(f"{socket_bot.url}/health", timeout=5)
    assert answer.json()["store"] == "ok"
    assert httpx.get(f"{socket_bot.url}/slack/events", timeout=5).status_code == 404


def test_procfile_declares_one_process() -> None:
    procfile = (Path(__file__).resolve().parents[2] / "Procfile").read_text().splitlines()
    assert [line for line in procfile if line.strip()] == ["web: python bot.py run"]
