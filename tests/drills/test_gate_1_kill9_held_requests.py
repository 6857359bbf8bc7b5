"""Drill G1: kill -9 amid bursts of requests the policy holds, round after round.

With the default policy every enforcing deploy on production nodes needs an approval. The bot
is killed at a random moment while 40 of them are being stored, decided and carded, and
restarted; recovery must ask the policy again, so none may reach the orchestrator. Before the
fix, a request caught between being stored and being decided was sent at the next start.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from standins.orchestrator import Simulator, default_world, serve
from standins.slack import FakeSlack
from tests.drills.gate import approval_cards, inbox_open, settled
from tests.drills.support import DEFAULTS_ONLY, Drill, db_rows, route_requests, running_bot

pytestmark = pytest.mark.drill

ROUNDS = 10
BURST = 40
CHANNELS = [f"C0HELD{i}" for i in range(8)]  # cards go out ~1 a second per channel
PRODUCTION = [f"web{i:02d}.example.com" for i in range(1, 9)] + [
    f"db{i:02d}.example.com" for i in (1, 2, 4)
]


def command(round_: int, i: int) -> str:
    node = PRODUCTION[(round_ * BURST + i) % len(PRODUCTION)]
    return f"/deploy production --nodes {node} --description round-{round_}-{i}"


@pytest.mark.timeout(600)
def test_kill_9_amid_held_requests_never_launches_one(drill_dir: Path, slack: FakeSlack) -> None:
    rng = random.Random(1010)
    for i, channel in enumerate(CHANNELS):
        slack.add_channel(channel, f"held-{i}")
    sim = Simulator(default_world(), node_seconds=0.5)
    with (
        Drill("G1. kill -9 amid bursts of requests the policy holds") as drill,
        serve(sim) as orchestrator,
        running_bot(drill_dir, slack, orchestrator.url, policy=DEFAULTS_ONLY) as bot,
    ):
        db = bot.tmp / "bot.db"
        delays: list[int] = []
        undecided: list[int] = []
        unstored: list[int] = []
        for round_ in range(ROUNDS):
            # Kill once this many of the round's requests are stored: mid-burst, at a random
            # point, whatever the machine's speed.
            stored_before = db_rows(db, "SELECT count(*) FROM requests")[0][0]
            at = rng.randint(3, BURST - 5)
            delays.append(at)

            def send(i: int, round_: int = round_) -> None:
                channel, user = CHANNELS[i % len(CHANNELS)], f"U0REQ{i:02d}"
                url = slack.new_response_url(channel=channel, user=user)
                # A dead bot does not answer: Slack tells that user the command failed.
                with contextlib.suppress(httpx.HTTPError):
                    bot.command(command(round_, i), response_url=url, user=user, channel=channel)

            def killer(at: int = at, before: int = stored_before) -> None:
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    if db_rows(db, "SELECT count(*) FROM requests")[0][0] - before >= at:
                        break
                    time.sleep(0.001)
                bot.kill()

            kill_thread = threading.Thread(target=killer)
            kill_thread.start()
            with ThreadPoolExecutor(max_workers=10) as pool:
                list(pool.map(send, range(BURST)))
            kill_thread.join()
            # What the kill left stored but not yet decided (held, denied or sent), and
            # commands acked but not yet stored.
            undecided.append(db_rows(db, "SELECT count(*) FROM requests WHERE state = 'new'")[0][0])
            unstored.append(inbox_open(db))
            bot.start()
            slack.wait_for(
                lambda _: settled(db) and inbox_open(db) == 0,
                timeout=120,
                interval=0.2,
                description=f"round {round_ + 1} settled after the restart",
            )
        drill.tried(
            f"default policy; {ROUNDS} rounds of {BURST} enforcing /deploy production over HTTP "
            f"(10 at a time, {len(CHANNELS)} channels), kill -9 once {delays} of each round's "
            "requests were stored, then a restart"
        )
        time.sleep(2.0)  # a late send would arrive now
        states = {
            r["state"]: r["n"]
            for r in db_rows(db, "SELECT state, count(*) AS n FROM requests GROUP BY state")
        }
        launched = route_requests(sim, "POST /command/deploy")
        cards = [c for channel in CHANNELS for c in approval_cards(slack, channel)]
        drill.found(
            f"the kills left {undecided} requests stored but not yet decided, and {unstored} "
            "acked commands not yet stored; after the restarts the requests are "
            + ", ".join(f"{n} {s}" for s, n in sorted(states.items()))
        )
        drill.found(
            f"the orchestrator got {launched} POST /command/deploy; {len(cards)} approval cards "
            "were posted"
        )
        drill.check(
            sum(undecided) > 0,
            "the kills caught requests stored but not yet decided (the drill bit)",
            undecided,
        )
        drill.check(launched == 0, "no held request reached the orchestrator", launched)
        drill.check(
            set(states) <= {"awaiting_approval", "failed"},
            "every request is held for approval (or failed and its requester told)",
            states,
        )
        drill.check(
            len(cards) == states.get("awaiting_approval", 0),
            "one approval card per held request",
            (len(cards), states.get("awaiting_approval", 0)),
        )
