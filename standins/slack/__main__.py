"""`python -m standins.slack [--token T] [--no-rate-limits]`: the fake on a free port; prints
its API URL and serves until interrupted. Its admin API (`/_fake/...`) reads back what it was
sent."""

from __future__ import annotations

import argparse
import signal
import time

from standins.slack import FakeSlack


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m standins.slack")
    parser.add_argument("--token", default="xoxb-test", help="the bot token it accepts")
    parser.add_argument(
        "--no-rate-limits",
        action="store_true",
        help="answer every call: no 429s from Slack's published limits (on by default)",
    )
    args = parser.parse_args()
    stop = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop)
    with FakeSlack(args.token, clock=time.time, rate_limits=not args.no_rate_limits) as fake:
        print(fake.api_url, flush=True)
        signal.sigwait(stop)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
