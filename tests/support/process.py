"""The bot as a real process: `python bot.py run --mode http`, on free ports, always stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from standins.slack.requests import block_actions, signed_headers, slash_command

ROOT = Path(__file__).resolve().parents[2]
SECRET = "e2e-signing-secret"
BOT_TOKEN = "xoxb-e2e-test-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class BotProcess:
    """One `bot.py run` subprocess; restartable against the same database."""

    tmp: Path
    slack_api_url: str
    orchestrator_url: str
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0
    # Socket Mode has no /health to wait for: the test says when the bot is ready.
    mode: str = "http"
    ready: Callable[[], bool] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.tmp / "bot.log"

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SLACK_", "PE_")) and "proxy" not in k.lower()
        }
        env.update(
            {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": self.slack_api_url,
                "PORT": str(self.port),
                "PE_ORCHESTRATOR_URL": self.orchestrator_url,
                # The simulator answers PuppetDB and classifier requests on its own port.
                "PUPPETDB_URL": self.orchestrator_url,
                "PE_CLASSIFIER_URL": self.orchestrator_url,
                "PE_RBAC_TOKEN": "demo-token",
                "DATABASE_PATH": str(self.tmp / "bot.db"),
                "POLICY_FILE": str(self.tmp / "policy.toml"),
                "CONNECTIONS_FILE": str(self.tmp / "connections.toml"),
                "POLL_INTERVAL": "0.5",
                "LOG_LEVEL": "INFO",
            }
        )
        env.update(self.extra_env)
        return env

    def start(self, *, timeout: float = 30.0) -> BotProcess:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "bot.py"), "run", "--mode", self.mode],
            cwd=self.tmp,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the bot exited: {self.log_path.read_text()[-3000:]}")
            if self.ready is not None:
                if self.ready():
                    return self
                time.sleep(0.1)
                continue
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code in (200, 503):
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError(f"the bot did not come up: {self.log_path.read_text()[-3000:]}")

    def kill(self) -> None:
        """kill -9: no cleanup, no flush, exactly as a crash."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def post(
        self, body: bytes, *, headers: dict[str, str] | None = None, timeout: float = 10.0
    ) -> httpx.Response:
        return httpx.post(
            self.url + "/slack/events",
            content=body,
            headers=headers or signed_headers(body, SECRET),
            timeout=timeout,
        )

    def command(
        self, text: str, *, response_url: str, user: str = "U0ALICE", channel: str = "C0DEPLOYS"
    ) -> httpx.Response:
        name, _, rest = text.partition(" ")
        return self.post(
            slash_command(name, rest, user_id=user, channel_id=channel, response_url=response_url)
        )

    def click(
        self,
        action_id: str,
        value: str,
        *,
        response_url: str,
        user: str,
        channel: str = "C0DEPLOYS",
        message_ts: str = "0",
    ) -> httpx.Response:
        return self.post(
            block_actions(
                action_id,
                value,
                user_id=user,
                channel_id=channel,
                message_ts=message_ts,
                response_url=response_url,
            )
        )

    def health(self) -> dict[str, Any]:
        return httpx.get(self.url + "/health", timeout=5).json()
