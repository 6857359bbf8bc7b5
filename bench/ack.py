"""Ack latency under a slow orchestrator: signed slash commands over HTTP, many at a time.

The load generator is kept light (prebuilt signed requests, one keep-alive connection per
sender, opened before the clock starts) and the simulator runs in a process of its own, so
that what is measured is the bot and not the bench.
"""

from __future__ import annotations

import http.client
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench.measure import percentile
from bench.stage import ALLOW_ALL, simulator_process
from standins.slack import FakeSlack
from standins.slack.requests import signed_headers, slash_command
from tests.support.process import BOT_TOKEN, SECRET, BotProcess

CHANNEL = "C0DEPLOYS"


def _requests(slack: FakeSlack, count: int) -> list[tuple[bytes, dict[str, str]]]:
    built = []
    for i in range(count):
        user = f"U0B{i:05d}"
        url = slack.new_response_url(channel=CHANNEL, user=user)
        node = f"web{i % 12 + 1:02d}.example.com"
        body = slash_command(
            "/deploy",
            f"production --nodes {node} --noop",
            user_id=user,
            channel_id=CHANNEL,
            response_url=url,
        )
        built.append((body, signed_headers(body, SECRET)))
    return built


def _sender(
    port: int, lane: int, lanes: int, reqs: list, times: list[float], start: threading.Barrier
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    help_body = slash_command(
        "/deploy",
        "help",
        user_id="U0WARM",
        channel_id=CHANNEL,
        response_url="http://127.0.0.1:9/none",
    )
    conn.request("POST", "/slack/events", body=help_body, headers=signed_headers(help_body, SECRET))
    conn.getresponse().read()  # the connection is open before the clock starts
    start.wait()
    for i in range(lane, len(reqs), lanes):
        body, headers = reqs[i]
        began = time.perf_counter()
        conn.request("POST", "/slack/events", body=body, headers=headers)
        response = conn.getresponse()
        text = response.read()
        times[i] = time.perf_counter() - began
        if response.status != 200 or b"Working on it" not in text:
            raise AssertionError(f"command {i} answered {response.status}")
    conn.close()


def run(
    tmp: Path, *, commands: int = 200, concurrency: int = 20, latency: float = 1.5
) -> dict[str, Any]:
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "policy.toml").write_text(ALLOW_ALL)
    with (
        FakeSlack(BOT_TOKEN, clock=time.time) as slack,
        simulator_process(latency=latency) as sim_url,
    ):
        bot = BotProcess(
            tmp, slack.api_url, sim_url, extra_env={"PE_TIMEOUT": "30", "LOG_LEVEL": "WARNING"}
        )
        try:
            bot.start()
            reqs = _requests(slack, commands)
            times = [0.0] * commands
            start = threading.Barrier(concurrency + 1)
            lanes = [
                threading.Thread(
                    target=_sender, args=(bot.port, lane, concurrency, reqs, times, start)
                )
                for lane in range(concurrency)
            ]
            for lane in lanes:
                lane.start()
            start.wait()
            began = time.monotonic()
            for lane in lanes:
                lane.join()
            acked_in = time.monotonic() - began

            def launched() -> int:
                routes = httpx.get(sim_url + "/_sim/stats", timeout=10).json()["routes"]
                return routes.get("POST /command/deploy", {}).get("requests", 0)

            deadline = time.monotonic() + 120
            while launched() < commands and time.monotonic() < deadline:
                time.sleep(0.2)
            all_launched = time.monotonic() - began
            slack.wait_for(
                lambda f: sum("started as job" in str(r.blocks) for r in f.responses()) >= commands,
                timeout=120,
            )
            told = sum("started as job" in str(r.blocks) for r in slack.responses())
            jobs = launched()
        finally:
            bot.stop()
    return {
        "commands": commands,
        "concurrency": concurrency,
        "latency_s": latency,
        "ack_p50_ms": percentile(times, 50) * 1000,
        "ack_p99_ms": percentile(times, 99) * 1000,
        "ack_max_ms": max(times) * 1000,
        "acked_in_s": acked_in,
        "jobs_launched": jobs,
        "users_told_job_started": told,
        "all_launched_in_s": all_launched,
    }
