"""The stage the benchmarks run on: a simulator, a fake Slack and the bot as a process."""

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

from standins.orchestrator import RunningSimulator, Simulator, serve, world_from_dict
from standins.slack import FakeSlack
from tests.support.process import BOT_TOKEN, ROOT, BotProcess, free_port

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


@dataclass
class Stage:
    slack: FakeSlack
    orchestrator: RunningSimulator
    bot: BotProcess
    channels: list[str]
    tmp: Path

    def channel(self, i: int) -> str:
        return self.channels[i % len(self.channels)]


@contextmanager
def stage(
    tmp: Path,
    *,
    nodes: int = 34,
    node_seconds: float = 1.0,
    latency: float = 0.0,
    channels: int = 1,
    env: dict[str, str] | None = None,
    world: dict | None = None,
) -> Iterator[Stage]:
    """Everything up, then everything stopped, whatever happens in between."""
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "policy.toml").write_text(ALLOW_ALL)
    sim = Simulator(
        world_from_dict(world) if world is not None else world_from_dict(bench_world(nodes)),
        node_seconds=node_seconds,
    )
    with (
        FakeSlack(BOT_TOKEN, clock=time.time) as slack,
        serve(sim, port=0, latency=latency) as running,
    ):
        names = [f"C0BENCH{i:03d}" for i in range(channels)]
        for name in names:
            slack.add_channel(name, name.lower())
        bot = BotProcess(tmp, slack.api_url, running.url, extra_env=env or {})
        try:
            bot.start()
            yield Stage(slack, running, bot, names, tmp)
        finally:
            bot.stop()


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

    def calls(self) -> list[dict]:
        return httpx.get(self.base + "_fake/calls", timeout=300).json()["calls"]


@contextmanager
def slack_process() -> Iterator[SlackProcess]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "standins.slack", "--token", BOT_TOKEN],
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
