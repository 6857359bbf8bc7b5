"""The bench's figures as Markdown tables: each with its target or bound, and met or MISSED."""

from __future__ import annotations

from typing import Any

HEADER = ["| figure | value | target (bound) | |", "|---|---|---|---|"]


def row(name: str, value: str, target: str = "", ok: bool | None = None) -> str:
    verdict = "" if ok is None else ("met" if ok else "MISSED")
    return f"| {name} | {value} | {target} | {verdict} |"


def _runs(r: dict[str, Any]) -> str:
    if r.get("runs", 1) <= 1:
        return ""
    return f"; median of {r['runs']} runs (p99 of each: {r['ack_p99_runs_ms']} ms)"


def ack_table(r: dict[str, Any]) -> list[str]:
    n = r["commands"]
    return [
        f"**Slash-command acks**: {n} signed /deploy commands over HTTP, {r['concurrency']} at "
        f"a time from a load generator in its own process, orchestrator answering in "
        f"{r['latency_s']:g} s{_runs(r)}",
        "",
        *HEADER,
        row("ack p50", f"{r['ack_p50_ms']:.1f} ms"),
        row("ack p99", f"{r['ack_p99_ms']:.1f} ms", "< 50 ms", r["ack_p99_ms"] < 50),
        row("ack max", f"{r['ack_max_ms']:.1f} ms", "< 3000 ms (Slack)", r["ack_max_ms"] < 3000),
        row(
            "acked with ⏳ Working on it",
            f"{r['acked_working']:.0f}/{n}",
            "all",
            r["acked_working"] == n,
        ),
        row(
            "commands that became jobs",
            f"{r['jobs_launched']:.0f}/{n}",
            "all",
            r["jobs_launched"] == n,
        ),
        row(
            "requesters told the job id",
            f"{r['users_told_job_started']:.0f}/{n}",
            "all",
            r["users_told_job_started"] == n,
        ),
        row("Slack 429s", f"{r['slack_429s']:.0f}", "0", r["slack_429s"] == 0),
    ]


def clicks_table(r: dict[str, Any]) -> list[str]:
    n = r["clickers"]
    return [
        f"**Approve-click storm**: {n} people press Approve on one approval card at the same "
        f"moment (default policy: one approval needed){_runs(r)}",
        "",
        *HEADER,
        row("click ack p50", f"{r['ack_p50_ms']:.1f} ms"),
        row("click ack p99", f"{r['ack_p99_ms']:.1f} ms", "< 100 ms", r["ack_p99_ms"] < 100),
        row("clicks acked", f"{r['acked_200']:.0f}/{n}", "all", r["acked_200"] == n),
        row("deploys launched", f"{r['deploys_launched']:.0f}", "1", r["deploys_launched"] == 1),
        row(
            "others told who decided",
            f"{r['losers_told_who_decided']:.0f}/{n - 1}",
            "all",
            r["losers_told_who_decided"] == n - 1,
        ),
        row("all answered after", f"{r['all_answered_in_s']:.1f} s"),
        row("Slack 429s", f"{r['slack_429s']:.0f}", "0", r["slack_429s"] == 0),
    ]


def _delivery_rows(bot: dict[str, Any], jobs: int) -> list[str]:
    return [
        row("Slack 429s", str(bot["slack_429s"]), "0", bot["slack_429s"] == 0),
        row(
            "one card and one summary per job",
            f"{bot['cards_once']}/{jobs} cards, {bot['summaries_once']}/{jobs} summaries",
            "all",
            bot["cards_once"] == jobs and bot["summaries_once"] == jobs,
        ),
        row(
            "posts doubled; node events never shown",
            f"{bot['keys_doubled']}; {bot['node_events'] - bot['node_events_matched']}",
            "0; 0",
            bot["keys_doubled"] == 0 and bot["node_events"] == bot["node_events_matched"],
        ),
    ]


def busy_table(run: dict[str, Any]) -> list[str]:
    load, bot = run["load"], run["bot"]
    jobs, interval = load["jobs"], load["interval"]
    bound = bot["update_bound_s"]
    return [
        f"**A busy hour**: {jobs} concurrent jobs × {load['nodes']} nodes in {load['channels']} "
        f"channels, job concurrency {load['job_concurrency']}, each node run "
        f"{load['node_seconds']:g} s × its factor (about "
        f"{jobs * load['nodes'] * load['node_seconds']:,.0f} node-seconds in all), "
        f"POLL_INTERVAL={interval:g} s",
        "",
        *HEADER,
        *_delivery_rows(bot, jobs),
        row("final card states", f"{bot['cards_final']}/{jobs}", "all", bot["cards_final"] == jobs),
        row("cards changing at once (most)", str(bot["changing_at_once"])),
        row("node event → card update, p50", f"{bot['delay_p50_s']:.1f} s"),
        row(
            "node event → card update, p99",
            f"{bot['delay_p99_s']:.2f} s",
            f"≤ {bound:.2f} s = max(10 s, 1.2 s × {bot['changing_at_once']})",
            bot["delay_p99_s"] <= bound,
        ),
        row("job end → summary, p50", f"{bot['summary_p50_s']:.2f} s"),
        row(
            "job end → summary, p99",
            f"{bot['summary_p99_s']:.2f} s",
            f"< {2 + interval:g} s (2 s + 1 interval)",
            bot["summary_p99_s"] < 2 + interval,
        ),
        row(
            "CPU (cores) while jobs ran; peak RSS",
            f"{bot['cpu_cores_running']:.2f}; {bot['peak_rss_mb']:.0f} MB",
        ),
    ]


def follow_table(run: dict[str, Any]) -> list[str]:
    load, bot, naive = run["load"], run["bot"], run.get("naive")
    jobs = load["jobs"]

    def pair(key: str, fmt: str) -> str:
        mine = fmt.format(bot[key])
        if not naive:
            return mine
        ratio = naive[key] / bot[key] if bot[key] else float("inf")
        return f"{mine} · naive {fmt.format(naive[key])} ({ratio:.1f}×)"

    bound = bot["final_bound_s"]
    return [
        f"**Following many jobs**: {jobs} concurrent jobs × {load['nodes']} nodes, "
        f"POLL_INTERVAL={load['interval']:g} s, {load['channels']} channels, each node run "
        f"{load['node_seconds']:g} s × its factor; naive = re-reading every job's node list "
        "each interval, against a fake Slack limited the same way (stand-ins of its own, started "
        "once the bot's jobs had all ended, beside the bot's last card edits)",
        "",
        *HEADER,
        *_delivery_rows(bot, jobs),
        row(
            "naive follower: 429s earned; node events never shown",
            f"{naive['slack_429s']}; {naive['node_events'] - naive['node_events_matched']:,} "
            f"of {naive['node_events']:,}"
            if naive
            else "(not run)",
        ),
        row(
            "cards not final when the last job ended",
            f"{bot['not_final_at_last_end']} (budget bound {bound:.0f} s at 50 edits a minute)",
        ),
        row(
            "every card final, after the last job ended",
            f"{bot['final_tail_s']:.0f} s ({bot['cards_final']}/{jobs} final)",
            f"≤ {1.1 * bound:.0f} s (bound + 10%)",
            bot["cards_final"] == jobs and bot["final_tail_s"] <= 1.1 * bound + 1,
        ),
        row("node event → card update, p50", pair("delay_p50_s", "{:.1f} s")),
        row("node event → card update, p99", pair("delay_p99_s", "{:.1f} s")),
        row(
            "job end → summary, p50 · p99",
            f"{bot['summary_p50_s']:.0f} s · {bot['summary_p99_s']:.0f} s",
        ),
        row("orchestrator requests per job", pair("orchestrator_requests_per_job", "{:.1f}")),
        row("bytes fetched per job", pair("bytes_per_job", "{:,.0f}")),
        row(
            "bytes fetched / the job's own events",
            pair("bytes_vs_own_events", "{:.2f}×"),
            "≤ 1.5×",
            bot["bytes_vs_own_events"] <= 1.5,
        ),
        row("Slack API calls per job", pair("slack_calls_per_job", "{:.1f}")),
        row(
            "thread messages per job (max)",
            str(bot["thread_messages_per_job_max"]),
            "≤ 5 + failed/25",
            bot["jobs_over_message_budget"] == 0,
        ),
        row(
            "CPU (cores) while jobs ran",
            pair("cpu_cores_running", "{:.2f}"),
            "< 0.5",
            bot["cpu_cores_running"] < 0.5,
        ),
        row(
            "… of which: launching the jobs (first command to the last job's first event); "
            "following them after",
            f"{bot.get('cpu_cores_launching', 0):.2f} ({bot.get('launch_s', 0):.0f} s); "
            f"{bot.get('cpu_cores_following', 0):.2f}",
        ),
        row(
            "CPU (cores) over the whole run",
            pair("cpu_cores", "{:.2f}"),
            "< 0.5",
            bot["cpu_cores"] < 0.5,
        ),
        row("peak RSS", pair("peak_rss_mb", "{:.0f} MB"), "< 200 MB", bot["peak_rss_mb"] < 200),
        row("bot run, first command to last card final", f"{bot['wall_s']:.0f} s"),
    ]
