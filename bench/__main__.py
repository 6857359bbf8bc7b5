"""`make bench`: ack latency under a slow orchestrator, and following many jobs, as a table.

python -m bench                       # both, default sizes (under 5 minutes on 2 cores)
python -m bench --only ack --commands 100 --concurrency 10
python -m bench --only follow --jobs 100 --nodes 100
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import ack, follow

RESULTS = Path(__file__).resolve().parent / "results"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--only", choices=("ack", "follow"), help="run one benchmark")
    p.add_argument("--commands", type=int, default=200, help="ack: slash commands (200)")
    p.add_argument("--concurrency", type=int, default=20, help="ack: at a time (20)")
    p.add_argument("--latency", type=float, default=1.5, help="ack: orchestrator latency (1.5 s)")
    p.add_argument("--jobs", type=int, default=500, help="follow: concurrent jobs (500)")
    p.add_argument("--nodes", type=int, default=200, help="follow: nodes per job (200)")
    p.add_argument("--interval", type=float, default=2.0, help="follow: POLL_INTERVAL (2 s)")
    p.add_argument(
        "--node-seconds",
        type=float,
        default=10.0,
        help="follow: one node run, times its factor (10 s)",
    )
    p.add_argument(
        "--channels",
        type=int,
        default=100,
        help="follow: channels the jobs are spread over (100: 5 jobs each; Slack "
        "posts about one message a second per channel, so more jobs per "
        "channel means later cards)",
    )
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


def _row(name: str, value: str, target: str = "", ok: bool | None = None) -> str:
    verdict = "" if ok is None else ("met" if ok else "MISSED")
    return f"| {name} | {value} | {target} | {verdict} |"


def ack_table(r: dict[str, Any]) -> list[str]:
    return [
        f"**Ack latency**: {r['commands']} signed slash commands over HTTP, {r['concurrency']} at "
        f"a time, orchestrator answering in {r['latency_s']} s",
        "",
        "| figure | value | target | |",
        "|---|---|---|---|",
        _row("ack p50", f"{r['ack_p50_ms']:.1f} ms"),
        _row("ack p99", f"{r['ack_p99_ms']:.1f} ms", "< 50 ms", r["ack_p99_ms"] < 50),
        _row("ack max", f"{r['ack_max_ms']:.1f} ms", "< 3000 ms (Slack)", r["ack_max_ms"] < 3000),
        _row(
            "commands that became jobs",
            f"{r['jobs_launched']}/{r['commands']}",
            "all",
            r["jobs_launched"] == r["commands"],
        ),
        _row(
            "requesters told the job id",
            f"{r['users_told_job_started']}/{r['commands']}",
            "all",
            r["users_told_job_started"] == r["commands"],
        ),
        _row("all launched after", f"{r['all_launched_in_s']:.1f} s"),
    ]


def follow_table(r: dict[str, Any]) -> list[str]:
    load, bot, naive = r["load"], r["bot"], r.get("naive")
    interval = load["interval"]
    limit = 2 * interval + 1

    def pair(key: str, fmt: str) -> str:
        mine = fmt.format(bot[key])
        if not naive:
            return mine
        ratio = naive[key] / bot[key] if bot[key] else float("inf")
        return f"{mine} · naive {fmt.format(naive[key])} ({ratio:.1f}×)"

    return [
        f"**Following many jobs**: {load['jobs']} concurrent jobs of {load['nodes']} nodes, "
        f"POLL_INTERVAL={interval:g} s, {load['channels']} channels; naive = re-reading every "
        "job's node list each interval",
        "",
        "| figure | bot (· naive, naive/bot) | target | |",
        "|---|---|---|---|",
        _row("node event → card update, p50", pair("delay_p50_s", "{:.2f} s")),
        _row(
            "node event → card update, p99",
            pair("delay_p99_s", "{:.2f} s"),
            f"< {limit:g} s",
            bot["delay_p99_s"] < limit,
        ),
        _row("orchestrator requests per job", pair("orchestrator_requests_per_job", "{:.1f}")),
        _row("bytes fetched per job", pair("bytes_per_job", "{:,.0f}")),
        _row(
            "bytes fetched / the job's own events",
            pair("bytes_vs_own_events", "{:.2f}×"),
            "≤ 1.5×",
            bot["bytes_vs_own_events"] <= 1.5,
        ),
        _row("Slack API calls per job", pair("slack_calls_per_job", "{:.1f}")),
        _row(
            "thread messages per job (max)",
            str(bot["thread_messages_per_job_max"]),
            "≤ 5 + failed/25",
            bot["jobs_over_message_budget"] == 0,
        ),
        _row("CPU (cores)", pair("cpu_cores", "{:.2f}"), "< 0.5", bot["cpu_cores"] < 0.5),
        _row("peak RSS", pair("peak_rss_mb", "{:.0f} MB"), "< 200 MB", bot["peak_rss_mb"] < 200),
        _row("node events matched to an update", f"{bot['node_events_matched']:,}"),
    ]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    started = time.monotonic()
    results: dict[str, Any] = {"machine": machine()}
    lines = [f"Machine: {machine()}", ""]
    with tempfile.TemporaryDirectory() as tmp:
        if args.only in (None, "ack"):
            print("ack latency: running…", file=sys.stderr, flush=True)
            results["ack"] = ack.run(
                Path(tmp) / "ack",
                commands=args.commands,
                concurrency=args.concurrency,
                latency=args.latency,
            )
            lines += ack_table(results["ack"]) + [""]
        if args.only in (None, "follow"):
            load = follow.Load(
                jobs=args.jobs,
                nodes=args.nodes,
                interval=args.interval,
                node_seconds=args.node_seconds,
                channels=args.channels,
            )
            print("following many jobs: running the bot…", file=sys.stderr, flush=True)
            run: dict[str, Any] = {
                "load": load.__dict__,
                "bot": follow.run_bot(Path(tmp) / "follow", load),
            }
            if not args.skip_naive:
                print(
                    "following many jobs: running the naive follower…", file=sys.stderr, flush=True
                )
                run["naive"] = follow.run_naive(Path(tmp) / "naive", load)
            results["follow"] = run
            lines += follow_table(run) + [""]
    lines.append(f"Total bench time: {time.monotonic() - started:.0f} s")
    print("\n".join(lines))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2))
    (RESULTS / "latest.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
