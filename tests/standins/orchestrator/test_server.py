"""Real HTTP: serve() on a free port, per-request latency without serialising, and the CLI."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from standins.orchestrator import Simulator, default_world, serve

REPO = Path(__file__).resolve().parents[3]
AUTH = {"X-Authentication": "demo-token"}


def test_serve_answers_over_http_with_urls_from_the_host_header() -> None:
    with serve(Simulator(default_world()), port=0) as running:
        assert running.url == f"http://127.0.0.1:{running.port}"
        with httpx.Client(base_url=running.url, headers=AUTH) as client:
            response = client.post(
                "/orchestrator/v1/command/deploy",
                json={"environment": "production", "scope": {"nodes": ["lb01.example.com"]}},
            )
            assert response.status_code == 202
            job = response.json()["job"]
            assert job["id"] == f"{running.url}/orchestrator/v1/jobs/1"
            assert client.get("/orchestrator/v1/jobs/1").json()["state"] == "running"
            assert client.get("/_sim/stats").json()["total"]["requests"] == 2
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{running.url}/orchestrator/v1/jobs", timeout=1)


def test_latency_is_applied_per_request_without_serialising_them() -> None:
    running = serve(Simulator(default_world()), port=0, latency=0.5)
    try:
        with httpx.Client(base_url=running.url, headers=AUTH, timeout=10) as client:
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=10) as pool:
                statuses = list(
                    pool.map(lambda _: client.get("/orchestrator/v1/jobs").status_code, range(10))
                )
            elapsed = time.perf_counter() - started
    finally:
        running.stop()
    assert statuses == [200] * 10
    assert 0.5 <= elapsed < 2.0  # ten serialised requests would take five seconds


def test_hundreds_of_concurrent_requests_are_served() -> None:
    limits = httpx.Limits(max_connections=200)
    with (
        serve(Simulator(default_world()), port=0) as running,
        httpx.Client(base_url=running.url, headers=AUTH, timeout=10, limits=limits) as client,
        ThreadPoolExecutor(200) as pool,
    ):
        statuses = list(
            pool.map(lambda _: client.get("/orchestrator/v1/inventory").status_code, range(600))
        )
    assert statuses == [200] * 600


def test_cli_serves_a_world_file_until_interrupted(tmp_path: Path) -> None:
    world = tmp_path / "world.json"
    world.write_text(json.dumps({"nodes": [{"certname": "only.example.com"}]}))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "standins.orchestrator",
            "--port",
            "0",
            "--token",
            "t0k",
            "--world",
            str(world),
            "--node-seconds",
            "0.1",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert "t0k" in line
        url = line.split()[3].removesuffix("/orchestrator/v1")
        items = httpx.get(
            f"{url}/orchestrator/v1/inventory", headers={"X-Authentication": "t0k"}, timeout=5
        ).json()["items"]
        assert [i["name"] for i in items] == ["only.example.com"]
    finally:
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert "Traceback" not in stderr


def test_cli_rejects_a_bad_world_file(tmp_path: Path) -> None:
    world = tmp_path / "world.json"
    world.write_text(json.dumps({"nodez": []}))
    result = subprocess.run(
        [sys.executable, "-m", "standins.orchestrator", "--port", "0", "--world", str(world)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert result.returncode == 2
    assert "nodez" in result.stderr and "Traceback" not in result.stderr
