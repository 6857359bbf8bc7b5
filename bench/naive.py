"""A deliberately naive follower, for comparison: every interval it re-reads every unfinished
job's whole node list, and edits the job's card when the counts change.

    python -m bench.naive --orchestrator URL --slack-api URL --jobs 1,2,3 --channels C1,C2
"""

from __future__ import annotations

import argparse
import resource
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from slack_sdk import WebClient

TOKEN = "demo-token"
ENDED = frozenset({"finished", "failed", "errored", "skipped"})


def follow_once(
    http: httpx.Client, slack: WebClient, job: str, card: tuple[str, str], last: dict[str, int]
) -> bool:
    """One naive poll of one job; True when it is done."""
    nodes = http.get(f"/jobs/{job}/nodes", params={"limit": 10_000}).json()["items"]
    done = sum(n["state"] in ENDED for n in nodes)
    if done != last.get(job):
        last[job] = done
        slack.chat_update(
            channel=card[0], ts=card[1], text=f"job {job} ({done}/{len(nodes)} nodes done)"
        )
    if done == len(nodes):
        slack.chat_postMessage(channel=card[0], thread_ts=card[1], text=f"job {job} finished")
        return True
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orchestrator", required=True)
    parser.add_argument("--slack-api", required=True)
    parser.add_argument("--slack-token", default="xoxb-e2e-test-token")
    parser.add_argument("--jobs", required=True)
    parser.add_argument("--channels", required=True)
    parser.add_argument("--interval", type=float, default=2.0)
    args = parser.parse_args(argv)
    jobs = args.jobs.split(",")
    channels = args.channels.split(",")
    http = httpx.Client(
        base_url=args.orchestrator + "/orchestrator/v1",
        headers={"X-Authentication": TOKEN},
        timeout=60,
        limits=httpx.Limits(max_connections=16),
    )
    slack = WebClient(token=args.slack_token, base_url=args.slack_api)
    cards = {}
    for i, job in enumerate(jobs):
        channel = channels[i % len(channels)]
        cards[job] = (channel, slack.chat_postMessage(channel=channel, text=f"job {job}")["ts"])
    last: dict[str, int] = {}
    live = set(jobs)
    with ThreadPoolExecutor(max_workers=8) as pool:
        while live:
            started = time.monotonic()
            finished = pool.map(
                lambda j: (j, follow_once(http, slack, j, cards[j], last)), sorted(live)
            )
            live -= {job for job, done in finished if done}
            time.sleep(max(0.0, args.interval - (time.monotonic() - started)))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"usage {usage.ru_utime + usage.ru_stime} {usage.ru_maxrss * 1024}", flush=True)
    print("cards " + ",".join(f"{job}={cards[job][1]}" for job in jobs), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
