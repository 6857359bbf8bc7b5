"""Drill 9: kill -9 of the bot during bursts of schedule creations, and restart.

Each command asks for a repeating schedule (`--every 1h`). The simulator answers slowly, so the
kill lands while schedule POSTs are in flight and requests sit in `launching`. At the next start
recovery must look each one up by its marker among the existing schedules before sending it
again: no marker may name two schedules, and every request ends launched (exactly one schedule)
or failed with its requester told.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from standins.orchestrator import Simulator, default_world, serve
from standins.slack import FakeSlack
from tests.drills.gate import inbox_open, settled
from tests.drills.support import Drill, db_rows, route_requests, running_bot, sim_client

pytestmark = pytest.mark.drill

ROUNDS = 3
BURST = 30
CHANNELS = [f"C0SCHED{i}" for i in range(6)]
ROUTE = "POST /scheduled_jobs/environment_jobs"


def command(round_: int, i: int) -> str:
    return (
        f"/deploy development --nodes web09.example.com --noop --every 1h "
        f"--description sched-{round_}-{i}"
    )


@pytest.mark.timeout(400)
def test_kill_9_during_schedule_creations_never_doubles_one(
    drill_dir: Path, slack: FakeSlack
) -> None:
    rng = random.Random(914)
    for i, channel in enumerate(CHANNELS):
        slack.add_channel(channel, f"sched-{i}")
    sim = Simulator(default_world(), node_seconds=0.5)
    with (
        Drill("9. kill -9 during bursts of schedule creations") as drill,
        serve(sim, latency=0.15) as orchestrator,
        running_bot(drill_dir, slack, orchestrator.url) as bot,
    ):
        db = bot.tmp / "bot.db"
        caught: list[int] = []
        for round_ in range(ROUNDS):
            before = route_requests(sim, ROUTE)
            at = rng.randint(4, BURST // 2)

            def send(i: int, round_: int = round_) -> None:
                channel = CHANNELS[i % len(CHANNELS)]
                url = slack.new_response_url(channel=channel, user="U0ALICE")
                with contextlib.suppress(httpx.HTTPError):  # a dead bot does not answer
                    bot.command(command(round_, i), response_url=url, channel=channel)

            def killer(at: int = at, before: int = before) -> None:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    if route_requests(sim, ROUTE) - before >= at:
                        break
                    time.sleep(0.002)
                bot.kill()

            kill_thread = threading.Thread(target=killer)
            kill_thread.start()
            with ThreadPoolExecutor(max_workers=10) as pool:
                list(pool.map(send, range(BURST)))
            kill_thread.join()
            caught.append(
                db_rows(db, "SELECT count(*) FROM requests WHERE state = 'launching'")[0][0]
            )
            bot.start()
            slack.wait_for(
                lambda _: settled(db) and inbox_open(db) == 0,
                timeout=120,
                interval=0.2,
                description=f"round {round_ + 1} settled after the restart",
            )
        drill.tried(
            f"{ROUNDS} rounds of {BURST} `/deploy ... --noop --every 1h` over HTTP (10 at a "
            "time), the simulator answering in 0.15 s, kill -9 once a random number of schedule "
            "POSTs had arrived, then a restart"
        )
        time.sleep(1.5)  # a late, doubled send would arrive now
        schedules = sim_client(sim).all_scheduled_jobs()
        markers = Counter(str(s.userdata.get("chatops_request")) for s in schedules)
        doubled = [m for m, n in markers.items() if n > 1]
        states = {
            r["state"]: r["n"]
            for r in db_rows(db, "SELECT state, count(*) AS n FROM requests GROUP BY state")
        }
        launched = db_rows(db, "SELECT id, job_id FROM requests WHERE state = 'launched'")
        named = {s.userdata.get("chatops_request"): s.name for s in schedules}
        drill.found(
            f"the kills caught {caught} requests mid-send (launching); the orchestrator got "
            f"{route_requests(sim, ROUTE)} schedule POSTs and holds {len(schedules)} schedules; "
            "requests: " + ", ".join(f"{n} {s}" for s, n in sorted(states.items()))
        )
        drill.check(sum(caught) > 0, "the kills caught schedule requests mid-send", caught)
        drill.check(not doubled, "no request's marker names two schedules", doubled[:5])
        drill.check(
            len(schedules) == len(launched),
            "one schedule for each launched request, and none for any other",
            (len(schedules), len(launched)),
        )
        drill.check(
            all(named.get(r["id"]) == r["job_id"] for r in launched),
            "each launched request records the schedule that carries its marker",
        )
        drill.check(
            set(states) <= {"launched", "failed"},
            "every request ended launched or failed (its requester told)",
            states,
        )
