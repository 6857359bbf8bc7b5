"""The load generator, in a process of its own so that it never shares a GIL with the bot, the
fake Slack or the simulator: prebuilt signed requests, sent over kept-alive connections opened
(and warmed) before the clock starts, `lanes` at a time.

    python -m bench.load < spec.json    # prints {"times": [...], "statuses": [...]}

spec: {"port": N, "lanes": N, "requests": [{"body": str, "headers": {...}}, ...],
       "warm": {"body": str, "headers": {...}}}. Request i goes on lane i % lanes; each lane sends
its requests one after another; all lanes start together.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
from typing import Any

from tests.support.process import ROOT

PATH = "/slack/events"


def _lane(
    port: int,
    lane: int,
    spec: dict[str, Any],
    out: dict[str, list[Any]],
    start: threading.Barrier,
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    warm = spec["warm"]
    conn.request("POST", PATH, body=warm["body"].encode(), headers=warm["headers"])
    conn.getresponse().read()  # the connection is open and used before the clock starts
    requests = spec["requests"]
    start.wait()
    for i in range(lane, len(requests), spec["lanes"]):
        body, headers = requests[i]["body"].encode(), requests[i]["headers"]
        began = time.perf_counter()
        conn.request("POST", PATH, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read()
        out["times"][i] = time.perf_counter() - began
        out["statuses"][i] = response.status
        out["bodies"][i] = text[:200].decode("utf-8", "replace")
    conn.close()


def main() -> int:
    spec = json.load(sys.stdin)
    count = len(spec["requests"])
    out: dict[str, list[Any]] = {"times": [0.0] * count, "statuses": [0] * count}
    out["bodies"] = [""] * count
    lanes = spec["lanes"]
    start = threading.Barrier(lanes)
    threads = [
        threading.Thread(target=_lane, args=(spec["port"], lane, spec, out, start))
        for lane in range(lanes)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    json.dump(out, sys.stdout)
    return 0


def run(
    port: int, requests: list[tuple[bytes, dict[str, str]]], *, lanes: int, warm: tuple
) -> dict[str, list[Any]]:
    """Run the load generator as a subprocess; its timings, statuses and the start of each
    answer."""
    spec = {
        "port": port,
        "lanes": lanes,
        "requests": [{"body": b.decode(), "headers": h} for b, h in requests],
        "warm": {"body": warm[0].decode(), "headers": warm[1]},
    }
    done = subprocess.run(
        [sys.executable, "-m", "bench.load"],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        check=True,
    )
    return json.loads(done.stdout)


if __name__ == "__main__":
    raise SystemExit(main())
