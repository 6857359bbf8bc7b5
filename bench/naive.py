"""A deliberately naive follower, for comparison: every interval it re-reads every unfinished
job's whole node list, and edits the job's card when the counts change. It knows nothing of
Slack's limits: an edit answered 429 is counted and lost (made again only when the counts change
again); a card or a final message answered 429 is tried again the next interval.

    python -m bench.naive --orchestrator URL --slack-api URL --jobs 1,2,3 --channels C1,C2
"""

from __future__ import annotations

import argparse
import resource
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

TOKEN = "demo-token"
ENDED = frozenset({"finished", "failed", "errored", "skipped"})


class Naive:
    """The follower's state: a card per job (once Slack let it post one), last counts shown."""

    def __init__(self, http: httpx.Client, slack: WebClient, channels: dict[str, str]) -> None:
        self.http = http
        self.slack = slack
        self.channels = channels
        self.cards: dict[str, str] = {}
        self.shown: dict[str, int] = {}
        self.limited = 0
        self._lock = threading.Lock()

    def _call(self, fn: Callable[..., Any], **kwargs: Any) -> Any:
        try:
            return fn(**kwargs)
        except SlackApiError as exc:
            if exc.response.status_code != 429:
                raise
            with self._lock:
                self.limited += 1
            return None

    def post_card(self, job: str) -> None:
        posted = self._call(self.slack.chat_postMessage, channel=self.channels[job], text=job)
        if posted is not None:
            self.cards[job] = str(posted["ts"])

    def follow_once(self, job: str) -> bool:
        """One naive poll of one job; True when it is done and said so."""
        if job not in self.cards:
            self.post_card(job)
        nodes = self.http.get(f"/jobs/{job}/nodes", params={"limit": 10_000}).json()["items"]
        done = sum(n["state"] in ENDED for n in nodes)
        card, channel = self.cards.get(job), self.channels[job]
        if done != self.shown.get(job):
            self.shown[job] = done
            if card:
                text = f"job {job} ({done}/{len(nodes)} nodes done)"
                self._call(self.slack.chat_update, channel=channel, ts=card, text=text)
        if done < len(nodes) or not card:
            return False
        text = f"job {job} finished"
        said = self._call(self.slack.chat_postMessage, channel=channel, thread_ts=card, text=text)
        return said is not None


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
    slack = WebClient(token=args.slack_token, base_url=args.slack_api, retry_handlers=[])
    naive = Naive(http, slack, {job: channels[i % len(channels)] for i, job in enumerate(jobs)})
    for job in jobs:
        naive.post_card(job)
    live = set(jobs)
    with ThreadPoolExecutor(max_workers=8) as pool:
        while live:
            started = time.monotonic()
            finished = pool.map(lambda j: (j, naive.follow_once(j)), sorted(live))
            live -= {job for job, done in finished if done}
            time.sleep(max(0.0, args.interval - (time.monotonic() - started)))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"usage {usage.ru_utime + usage.ru_stime} {usage.ru_maxrss * 1024}", flush=True)
    print(f"limited {naive.limited}", flush=True)
    print("cards " + ",".join(f"{job}={ts}" for job, ts in naive.cards.items()), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
