"""Command line: python -m standins.orchestrator [--port 8143] [--world FILE] ..."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from types import FrameType

from .core import Simulator
from .default_world import default_world
from .server import serve
from .world import WorldError
from .world_json import load_world

log = logging.getLogger(__name__)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m standins.orchestrator",
        description="A stand-in for the PE orchestrator API v1.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8143, help="port, 0 for any free one")
    parser.add_argument("--token", default="demo-token", help="the admin RBAC token it accepts")
    parser.add_argument("--world", help="world JSON file (default: the built-in world)")
    parser.add_argument(
        "--node-seconds",
        type=float,
        default=2.0,
        help="seconds one node run takes, times the node's factor",
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds added to every response"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        world = load_world(args.world) if args.world else default_world()
    except WorldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sim = Simulator(world, node_seconds=args.node_seconds, token=args.token)
    try:
        running = serve(sim, args.host, args.port, latency=args.latency)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    done = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, on_signal)
    print(
        f"Orchestrator simulator at {running.url}/orchestrator/v1 "
        f"(token: send 'X-Authentication: {args.token}'; admin at {running.url}/_sim/stats)",
        flush=True,
    )
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
