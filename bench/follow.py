"""Following many jobs: the bot against a naive node-list follower, measured side by side,
both against a fake Slack that enforces Slack's published rate limits.

The simulator and the fake Slack each run in a process of their own and are read back through
their admin APIs (/_sim/, /_fake/), so that neither shares a GIL with what is measured.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.measure import (
    Sampler,
    SlackRecord,
    delays,
    delivery,
    done_count,
    end_times,
    job_ends,
    job_spans,
    percentile,
    share_between,
    share_until,
)
from bench.stage import (
    ALLOW_ALL,
    BENCH_GROUP,
    SlackProcess,
    bench_world,
    simulator_process,
    slack_process,
    write_json,
)
from orchestrator.client import OrchestratorClient
from orchestrator.requests import DeployRequest, Scope
from tests.support.process import BotProcess


@dataclass(frozen=True)
class Load:
    """The workload: how many jobs of how many nodes, and how fast they run."""

    jobs: int = 500
    nodes: int = 200
    interval: float = 2.0
    node_seconds: float = 10.0
    job_concurrency: int = 50
    channels: int = 100


@dataclass(frozen=True)
class Usage:
    """CPU and memory of a process, however they were measured."""

    cpu_share: float
    peak_rss: int
    wall: float
    samples: tuple[tuple[float, float], ...] = ()


def _sim_get(sim_url: str, path: str) -> Any:
    return httpx.get(sim_url + path, timeout=300).json()


def _orchestrator_requests(stats: dict[str, Any]) -> int:
    """Requests to the orchestrator API only: resolving a request's targets with PuppetDB and
    the classifier (on the simulator's port) is launching, not following."""
    routes = stats["routes"]
    pe_services = sum(
        v["requests"] for k, v in routes.items() if " /pdb/" in k or " /classifier-api/" in k
    )
    return int(stats["total"]["requests"]) - pe_services


def _own_event_bytes(sim_url: str, names: list[str]) -> dict[str, int]:
    """What each job's complete event list weighs, read once at the end."""
    with httpx.Client(
        base_url=sim_url + "/orchestrator/v1",
        timeout=60,
        headers={"X-Authentication": "demo-token"},
    ) as http:
        return {n: len(http.get(f"/jobs/{n}/events", params={"start": 0}).content) for n in names}


def _updates(calls: list[dict], card_of: dict[str, str]) -> dict[str, list[tuple[float, int]]]:
    """Per job, (time, nodes done shown) of its card's first post and of every accepted edit."""
    job_of = {ts: job for job, ts in card_of.items()}
    out: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for call in calls:
        if call["status"] != 200:
            continue
        params = call["params"]
        if call["method"] == "chat.update":
            job = job_of.get(str(params.get("ts")))
        elif call["method"] == "chat.postMessage" and not params.get("thread_ts"):
            key = str(((params.get("metadata") or {}).get("event_payload") or {}).get("key", ""))
            job = key.removeprefix("job:").removesuffix("/card") if key.endswith("/card") else None
        else:
            continue
        done = done_count(str(params.get("text", "")))
        if job is not None and done is not None:
            out[job].append((call["time"], done))
    return out


def _replies(calls: list[dict], card_of: dict[str, str]) -> dict[str, int]:
    """Per job, the messages posted in its card's thread."""
    job_of = {ts: job for job, ts in card_of.items()}
    counts: dict[str, int] = defaultdict(int)
    for call in calls:
        if call["method"] == "chat.postMessage" and call["status"] == 200:
            job = job_of.get(str(call["params"].get("thread_ts")))
            if job is not None:
                counts[job] += 1
    return counts


def figures(
    *,
    sim_url: str,
    slack: SlackProcess,
    names: list[str],
    card_of: dict[str, str],
    failed: dict[str, int],
    usage: Usage,
) -> dict[str, Any]:
    stats = _sim_get(sim_url, "/_sim/stats")
    events = _sim_get(sim_url, "/_sim/event_log?since=0")["items"]
    calls = slack.calls()
    ends = {job: times for job, times in end_times(events).items() if job in names}
    waits = delays(ends, _updates(calls, card_of))
    fetched = {n: stats["jobs"].get(n, {}).get("bytes", 0) for n in names}
    own = _own_event_bytes(sim_url, names)
    last_end = max(job_ends(events).values(), default=0)
    # The last job's first node event: every command has been launched by then.
    launched = max((start for start, _ in job_spans(events).values()), default=0)
    threads = _replies(calls, card_of)
    over_budget = [j for j in names if threads.get(j, 0) > 5 + failed.get(j, 0) / 25]
    jobs = len(names)
    return {
        "jobs": jobs,
        "node_events": sum(len(t) for t in ends.values()),
        "node_events_matched": len(waits),
        "delay_p50_s": percentile(waits, 50),
        "delay_p99_s": percentile(waits, 99),
        "orchestrator_requests_per_job": _orchestrator_requests(stats) / jobs,
        "bytes_per_job": sum(fetched.values()) / jobs,
        "bytes_vs_own_events": sum(fetched.values()) / max(1, sum(own.values())),
        "slack_calls_per_job": len(calls) / jobs,
        "thread_messages_per_job_max": max(threads.values() or [0]),
        "jobs_over_message_budget": len(over_budget),
        "cpu_cores": usage.cpu_share,
        # While jobs ran (until the last one ended): the part of the run the poller is busy.
        "cpu_cores_running": share_until(usage.samples, last_end)
        if usage.samples
        else usage.cpu_share,
        # The two parts of that: launching the jobs (with polling the first), then only polling.
        "cpu_cores_launching": share_until(usage.samples, launched),
        "cpu_cores_following": share_between(usage.samples, launched, last_end),
        "launch_s": launched - usage.samples[0][0] if usage.samples else 0.0,
        "peak_rss_mb": usage.peak_rss / 2**20,
        "wall_s": usage.wall,
        **delivery(events, SlackRecord.read(calls, card_of), names),
    }


@contextmanager
def _stage(tmp: Path, load: Load) -> Iterator[tuple[str, SlackProcess, list[str]]]:
    """A simulator process with the bench world and a fake Slack process with its channels."""
    tmp.mkdir(parents=True, exist_ok=True)
    world = tmp / "world.json"
    write_json(world, bench_world(load.nodes))
    channels = [f"C0BENCH{i:03d}" for i in range(load.channels)]
    with (
        slack_process() as slack,
        simulator_process(node_seconds=load.node_seconds, world=world) as sim_url,
    ):
        slack.add_channels(channels)
        yield sim_url, slack, channels


def _bot_state(path: Path) -> tuple[dict[str, str], dict[str, int], int, int]:
    """Cards by job, failed nodes by job, how much is still to do, and how many jobs still run,
    from the bot's store."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        cards = dict(conn.execute("SELECT name, card_ts FROM jobs").fetchall())
        failed = dict(
            conn.execute(
                "SELECT substr(job_id, 5), count(*) FROM job_nodes WHERE state IN "
                "('failed', 'errored') GROUP BY job_id"
            ).fetchall()
        )
        running = conn.execute("SELECT count(*) FROM jobs WHERE done = 0").fetchone()[0]
        behind = (
            running
            + conn.execute(
                "SELECT (SELECT count(*) FROM posts WHERE state IN ('pending', 'sending')) + "
                "(SELECT count(*) FROM jobs WHERE card_version > card_sent_version)"
            ).fetchone()[0]
        )
    finally:
        conn.close()
    return cards, failed, behind, running


def run_bot(
    tmp: Path, load: Load, *, when_jobs_end: Callable[[], None] | None = None
) -> dict[str, Any]:
    """The bot follows the load; `when_jobs_end` is called once every job has ended, while the
    bot still works through the posts and edits the limits held back."""
    with _stage(tmp, load) as (sim_url, slack, channels):
        (tmp / "policy.toml").write_text(ALLOW_ALL)
        env = {"POLL_INTERVAL": str(load.interval), "LOG_LEVEL": "WARNING"}
        bot = BotProcess(tmp, slack.api_url, sim_url, extra_env=env)
        try:
            bot.start()
            httpx.post(sim_url + "/_sim/stats/reset", timeout=10)
            text = (
                f"/deploy production --node-group {BENCH_GROUP} --concurrency "
                f"{load.job_concurrency} --noop"
            )
            urls = [
                slack.response_url(channels[i % len(channels)], "U0BENCH") for i in range(load.jobs)
            ]
            with Sampler(bot.proc.pid) as sampler:

                def send(i: int) -> None:
                    bot.command(
                        text,
                        response_url=urls[i],
                        user="U0BENCH",
                        channel=channels[i % len(channels)],
                    )

                with ThreadPoolExecutor(max_workers=20) as pool:
                    list(pool.map(send, range(load.jobs)))
                deadline = time.monotonic() + 1800
                while time.monotonic() < deadline:
                    time.sleep(1.0)
                    cards, failed, behind, running = _bot_state(tmp / "bot.db")
                    if when_jobs_end is not None and len(cards) == load.jobs and not running:
                        when_jobs_end()
                        when_jobs_end = None
                    if len(cards) == load.jobs and behind == 0:
                        break
            usage = Usage(sampler.cpu_share, sampler.peak_rss, sampler.wall, tuple(sampler.samples))
            return figures(
                sim_url=sim_url,
                slack=slack,
                names=sorted(cards),
                card_of=cards,
                failed=failed,
                usage=usage,
            )
        finally:
            bot.stop()


def run_naive(tmp: Path, load: Load) -> dict[str, Any]:
    with _stage(tmp, load) as (sim_url, slack, channels):
        client = OrchestratorClient(httpx.Client(timeout=30), sim_url, "demo-token")
        request = DeployRequest(
            environment="production",
            scope=Scope.node_group(BENCH_GROUP),
            concurrency=load.job_concurrency,
            noop=True,
        )
        names = [client.deploy(request).name for _ in range(load.jobs)]
        client.close()
        httpx.post(sim_url + "/_sim/stats/reset", timeout=10)
        started = time.monotonic()
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.naive",
                "--orchestrator",
                sim_url,
                "--slack-api",
                slack.api_url,
                "--jobs",
                ",".join(names),
                "--channels",
                ",".join(channels),
                "--interval",
                str(load.interval),
            ],
            capture_output=True,
            text=True,
            timeout=900,
            check=True,
        ).stdout
        wall = time.monotonic() - started
        cpu, rss = (float(x) for x in out.split("usage ", 1)[1].split("\n", 1)[0].split())
        cards = dict(pair.split("=") for pair in out.split("cards ", 1)[1].strip().split(","))
        failed: dict[str, int] = defaultdict(int)
        for event in _sim_get(sim_url, "/_sim/event_log?since=0")["items"]:
            if event["type"] in ("node_failed", "node_errored"):
                failed[str(event["job_id"])] += 1
        return figures(
            sim_url=sim_url,
            slack=slack,
            names=names,
            card_of=cards,
            failed=dict(failed),
            usage=Usage(cpu / wall, int(rss), wall),
        )
