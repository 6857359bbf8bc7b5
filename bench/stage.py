"""The stage the benchmarks run on: a simulator, a fake Slack and the bot, each a process."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.process import BOT_TOKEN, ROOT, free_port

BENCH_GROUP = "11111111-2222-4333-8444-555555555555"
ALLOW_ALL = 'defaults = false\n\n[[rule]]\nname = "bench runs everything"\naction = "run"\n'


def bench_world(nodes: int) -> dict:
    """`nodes` generated nodes in production (1 in 20 fails, 1 in 50 is not connected) and a
    node group holding them all."""
    return {
        "environments": ["production"],
        "generate": {
            "pattern": "bench{n:05d}.example.com",
            "count": nodes,
            "failed_every": 20,
            "unreachable_every": 50,
            "changed_every": 3,
            "environment": "production",
        },
        "node_groups": [{"id": BENCH_GROUP, "name": "Bench", "rules": True, "nodes": ["bench*"]}],
    }


@contextmanager
def simulator_process(
    *, latency: float = 0.0, node_seconds: float = 1.0, world: Path | None = None
) -> Iterator[str]:
    """The simulator in a process of its own, so that it does not share a GIL with the load
    generator or the fake Slack; yields its URL (its figures come from /_sim/)."""
    port = free_port()
    args = [
        sys.executable,
        "-m",
        "standins.orchestrator",
        "--port",
        str(port),
        "--latency",
        str(latency),
        "--node-seconds",
        str(node_seconds),
    ]
    if world is not None:
        args += ["--world", str(world)]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(url + "/_sim/stats", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@dataclass(frozen=True)
class SlackProcess:
    """The fake Slack in a process of its own, read back through its /_fake/ admin API."""

    api_url: str

    @property
    def base(self) -> str:
        return self.api_url.removesuffix("api/")

    def add_channels(self, channels: list[str]) -> None:
        httpx.post(self.base + "_fake/channels", json={"channels": channels}, timeout=30)

    def response_url(self, channel: str, user: str) -> str:
        return httpx.post(
            self.base + "_fake/response_url", json={"channel": channel, "user": user}, timeout=30
        ).json()["url"]

    def calls(self, method: str | None = None, *, blocks: bool = False) -> list[dict]:
        params = {k: v for k, v in (("method", method), ("blocks", "1" if blocks else None)) if v}
        return httpx.get(self.base + "_fake/calls", params=params, timeout=300).json()["calls"]

    def messages(self, channel: str) -> list[dict]:
        """What the channel shows now: ts, text, blocks and metadata of each message."""
        answer = httpx.get(self.base + "_fake/messages", params={"channel": channel}, timeout=60)
        return answer.json()["messages"]

    def refused(self) -> dict[str, int]:
        """429s the fake's enforced limits sent, per method."""
        return httpx.get(self.base + "_fake/rate_limits", timeout=30).json()["refused"]


@contextmanager
def slack_process(*, rate_limits: bool = True) -> Iterator[SlackProcess]:
    """The fake Slack in a process of its own, enforcing Slack's published limits."""
    args = [sys.executable, "-m", "standins.slack", "--token", BOT_TOKEN]
    proc = subprocess.Popen(
        args + ([] if rate_limits else ["--no-rate-limits"]),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        yield SlackProcess(proc.stdout.readline().strip())
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True))
