"""`make bench`: acks, a busy hour and 500 jobs, against a fake Slack enforcing Slack's limits.

python -m bench                          # everything, default sizes (about 10 minutes on 2 cores)
python -m bench --only ack --runs 3      # slash-command and click acks, median of three runs
python -m bench --only busy              # 20 jobs × 50 nodes in 5 channels
python -m bench --only follow --jobs 100 --nodes 100 --skip-naive
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench import ack, follow
from bench.tables import ack_table, busy_table, clicks_table, follow_table

RESULTS = Path(__file__).resolve().parent / "results"
BUSY = follow.Load(jobs=20, nodes=50, interval=2.0, node_seconds=6.0, job_concurrency=5, channels=5)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--only", choices=("ack", "busy", "follow"), help="run one benchmark")
    p.add_argument("--runs", type=int, default=1, help="ack: runs, medians reported (1)")
    p.add_argument("--commands", type=int, default=200, help="ack: slash commands (200)")
    p.add_argument("--concurrency", type=int, default=20, help="ack: at a time (20)")
    p.add_argument("--latency", type=float, default=1.5, help="ack: orchestrator latency (1.5 s)")
    p.add_argument("--clickers", type=int, default=50, help="ack: Approve clicks at once (50)")
    p.add_argument("--jobs", type=int, default=500, help="follow: concurrent jobs (500)")
    p.add_argument("--nodes", type=int, default=200, help="follow: nodes per job (200)")
    p.add_argument("--interval", type=float, default=2.0, help="follow: POLL_INTERVAL (2 s)")
    p.add_argument(
        "--node-seconds", type=float, default=10.0, help="follow: one node run (10 s × factor)"
    )
    p.add_argument("--channels", type=int, default=100, help="follow: channels (100)")
    p.add_argument("--skip-naive", action="store_true", help="follow: no naive comparison")
    return p


def machine() -> str:
    cpus = os.cpu_count()
    try:
        import psutil

        memory = f", {psutil.virtual_memory().total / 2**30:.0f} GiB"
    except ImportError:  # pragma: no cover - psutil is a dev dependency
        memory = ""
    return f"{platform.machine()}, {cpus} cores{memory}, Python {platform.python_version()}"


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Each number the median of the runs; the spread of the ack p99 kept beside it."""
    out: dict[str, Any] = dict(runs[-1])
    for key, value in runs[0].items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out[key] = statistics.median(r[key] for r in runs)
    out["runs"] = len(runs)
    out["ack_p99_runs_ms"] = [round(r["ack_p99_ms"], 1) for r in runs]
    return out


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    started = time.monotonic()
    results: dict[str, Any] = {"machine": machine(), "load_before": load_average()}
    lines = [f"Machine: {machine()}; load average before: {load_average()}", ""]

    def note(what: str) -> None:
        print(f"{what} (load {load_average()})…", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        if args.only in (None, "ack"):
            runs = []
            for run in range(args.runs):
                note(f"slash-command acks, run {run + 1}/{args.runs}")
                runs.append(
                    ack.commands(
                        Path(tmp) / f"ack{run}",
                        count=args.commands,
                        concurrency=args.concurrency,
                        latency=args.latency,
                    )
                )
            results["ack"] = median_of(runs)
            lines += ack_table(results["ack"]) + [""]
            runs = []
            for run in range(args.runs):
                note(f"Approve-click storm, run {run + 1}/{args.runs}")
                runs.append(ack.clicks(Path(tmp) / f"clicks{run}", clickers=args.clickers))
            results["clicks"] = median_of(runs)
            lines += clicks_table(results["clicks"]) + [""]
        if args.only in (None, "busy"):
            note("a busy hour")
            results["busy"] = {"load": BUSY.__dict__, "bot": follow.run_bot(Path(tmp) / "b", BUSY)}
            lines += busy_table(results["busy"]) + [""]
        if args.only in (None, "follow"):
            load = follow.Load(
                jobs=args.jobs,
                nodes=args.nodes,
                interval=args.interval,
                node_seconds=args.node_seconds,
                channels=args.channels,
            )
            naive: dict[str, Any] = {}
            threads: list[threading.Thread] = []

            def start_naive() -> None:
                # The bot's jobs have all ended: what is left is paced by Slack's limits, not by
                # the CPU, so the naive follower runs now, on stand-ins of its own.
                note("following many jobs: the naive follower, beside the bot's last edits")
                thread = threading.Thread(
                    target=lambda: naive.update(follow.run_naive(Path(tmp) / "naive", load))
                )
                thread.start()
                threads.append(thread)

            note("following many jobs: the bot")
            run: dict[str, Any] = {"load": load.__dict__}
            run["bot"] = follow.run_bot(
                Path(tmp) / "follow", load, when_jobs_end=None if args.skip_naive else start_naive
            )
            if not args.skip_naive and not threads:
                start_naive()
            for thread in threads:
                thread.join()
            if naive:
                run["naive"] = naive
            results["follow"] = run
            lines += follow_table(run) + [""]
    results["load_after"] = load_average()
    lines.append(
        f"Total bench time: {time.monotonic() - started:.0f} s; load average after: "
        f"{load_average()}"
    )
    print("\n".join(lines))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2))
    (RESULTS / "latest.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
