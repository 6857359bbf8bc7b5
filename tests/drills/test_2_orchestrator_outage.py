"""Drill 2: the orchestrator down for 30 seconds mid-job.

The simulator's HTTP server is stopped (its open connections cut too) for a real 30 s and
started again on the same port with the same Simulator, so the jobs carry on where they were.
During the outage a /deploy must get a clear private "orchestrator unreachable" answer with
nothing recorded as running; afterwards every thread resumes: at most one "Lost contact" and
one "Back in contact" note per job, one summary each, and nothing lost.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from standins.orchestrator import RunningSimulator, Simulator, default_world, serve
from standins.slack import FakeSlack
from tests.drills.support import (
    JOB_NAME,
    SUCCEEDED,
    Drill,
    cards,
    command_requests,
    db_rows,
    doubled_thread_texts,
    duplicates,
    posted_keys,
    replies,
    running_bot,
    sim_client,
    summaries,
    text_of,
)
from tests.support.harness import block_text
from tests.support.process import BotProcess

pytestmark = pytest.mark.drill

OUTAGE = 30.0
CHANNELS = ["C0OUTA", "C0OUTB", "C0OUTC"]
SHORT = "web01.example.com,web02.example.com,web07.example.com,db01.example.com"
LONG = ",".join(
    f"{n}.example.com"
    for n in (
        "web03",
        "web04",
        "web05",
        "web06",
        "web08",
        "app01",
        "app02",
        "app03",
        "app04",
        "app05",
        "app06",
        "lb01",
        "lb02",
        "cache01",
        "cache02",
        "cache03",
        "db02",
        "node1",
        "node2",
        "web09",
    )
)
LOST = "Lost contact with the orchestrator"
BACK = "Back in contact with the orchestrator"


@pytest.mark.timeout(300)
def test_orchestrator_down_for_30_seconds_mid_job(drill_dir: Path, slack: FakeSlack) -> None:
    for i, channel in enumerate(CHANNELS):
        slack.add_channel(channel, f"outage-drill-{i}")
    sim = Simulator(default_world(), node_seconds=2.0)
    orchestrator = serve(sim, port=0)
    port = orchestrator.port
    try:
        with (
            Drill("2. orchestrator down for 30 seconds mid-job") as drill,
            running_bot(
                drill_dir, slack, orchestrator.url, extra_env={"POLL_INTERVAL": "0.25"}
            ) as bot,
        ):
            _drill(drill, bot, slack, sim, lambda: serve(sim, port=port), orchestrator)
    finally:
        orchestrator.stop()


def _drill(
    drill: Drill,
    bot: BotProcess,
    slack: FakeSlack,
    sim: Simulator,
    restart: Callable[[], RunningSimulator],
    orchestrator: RunningSimulator,
) -> None:
    db = bot.tmp / "bot.db"
    texts = [(c, f"/deploy production --nodes {SHORT} --concurrency 1 --noop") for c in CHANNELS]
    texts += [(c, f"/deploy development --nodes {LONG} --concurrency 1 --noop") for c in CHANNELS]
    drill.tried(
        f"{len(texts)} jobs in {len(CHANNELS)} channels: 3 of 4 nodes (about 10 s) and "
        "3 of 20 nodes one at a time (about 45 s); node_seconds=2, POLL_INTERVAL=0.25"
    )
    for channel, text in texts:
        url = slack.new_response_url(channel=channel, user="U0ALICE")
        assert bot.command(text, response_url=url, channel=channel).status_code == 200
    slack.wait_for(
        lambda f: len(cards(f, CHANNELS)) == len(texts), timeout=30, description="every job's card"
    )
    slack.wait_for(
        lambda _: (
            db_rows(db, "SELECT count(*) FROM jobs WHERE state NOT IN ('new', 'ready')")[0][0]
            == len(texts)
        ),
        timeout=30,
        description="every job seen running",
    )
    launched_before = command_requests(sim)

    # -- the outage --------------------------------------------------------------------------
    severed = orchestrator.stop()
    down_at = time.monotonic()
    drill.tried(
        f"stopped the simulator's HTTP server (and cut {severed} open "
        f"connections) for {OUTAGE:.0f}s with every job running"
    )
    time.sleep(3.0)
    url = slack.new_response_url(channel=CHANNELS[0], user="U0BOB")
    t0 = time.monotonic()
    ack = bot.command(
        "/deploy development --nodes web01.example.com --noop",
        response_url=url,
        user="U0BOB",
        channel=CHANNELS[0],
    )
    ack_ms = (time.monotonic() - t0) * 1000
    answer = slack.wait_for(
        lambda f: next(
            (
                r
                for r in f.responses()
                if r.url == url and "Working on it" not in f"{r.text}{block_text(r.blocks or [])}"
            ),
            None,
        ),
        timeout=30,
        description="the answer to the command sent during the outage",
    )
    answered_s = time.monotonic() - t0
    said = f"{answer.text}\n{block_text(answer.blocks or [])}"
    outage_request = db_rows(db, "SELECT id, state, error FROM requests WHERE user_id = 'U0BOB'")
    running_rows = db_rows(
        db,
        "SELECT count(*) FROM jobs j JOIN requests r ON j.request_id = "
        "r.id WHERE r.user_id = 'U0BOB'",
    )[0][0]
    health = bot.health()
    drill.found(
        f"a /deploy during the outage: acked HTTP {ack.status_code} in {ack_ms:.0f} ms, "
        f"answered privately after {answered_s:.1f}s: "
        f"{answer.text.strip()!r} ({answer.response_type})"
    )
    drill.found(
        f"its request is {outage_request[0]['state'] if outage_request else 'missing'!r} "
        f"({(outage_request[0]['error'] or '')[:70] if outage_request else ''}); "
        f"jobs recorded for it: {running_rows}; /health says {health}"
    )
    drill.check(
        ack.status_code == 200 and ack_ms < 3000,
        "the command is still acked at once",
        (ack.status_code, ack_ms),
    )
    drill.check(
        "orchestrator" in said.lower()
        and "unreachable" in said.lower()
        and answer.response_type == "ephemeral",
        "the user is told privately that the orchestrator is unreachable",
        said[:200],
    )
    drill.check(
        len(outage_request) == 1 and outage_request[0]["state"] == "failed" and running_rows == 0,
        "nothing recorded as running for it",
        [dict(r) for r in outage_request],
    )

    time.sleep(max(0.0, OUTAGE - (time.monotonic() - down_at)))
    lost_during = sum(LOST in text_of(r) for c in cards(slack, CHANNELS) for r in replies(slack, c))
    states = [j.state for j in sim_client(sim).jobs(limit=100).items]
    orchestrator_back = restart()
    back_at = time.monotonic()
    try:
        drill.tried(
            f"restarted the simulator on the same port after {back_at - down_at:.1f}s, "
            f"with the same jobs: {states.count('running')} still running, "
            f"{len(states) - states.count('running')} ended during the outage"
        )
        slack.wait_for(
            lambda f: any(BACK in text_of(r) for c in cards(f, CHANNELS) for r in replies(f, c)),
            timeout=60,
            description="a 'Back in contact' note",
        )
        first_back = time.monotonic() - back_at
        slack.wait_for(
            lambda f: all(len(s) >= 1 for s in summaries(f, CHANNELS).values()),
            timeout=120,
            interval=0.2,
            description="every job's summary",
        )
        all_done = time.monotonic() - back_at
        slack.wait_for(
            lambda _: db_rows(db, "SELECT count(*) FROM posts WHERE state != 'sent'")[0][0] == 0,
            timeout=60,
            interval=0.2,
            description="the outbox drained",
        )
        time.sleep(1.5)  # anything doubled would arrive now
        _verify(drill, bot, slack, sim, lost_during, first_back, all_done, launched_before)
    finally:
        orchestrator_back.stop()


def _verify(
    drill: Drill,
    bot: BotProcess,
    slack: FakeSlack,
    sim: Simulator,
    lost_during: int,
    first_back: float,
    all_done: float,
    launched_before: int,
) -> None:
    db = bot.tmp / "bot.db"
    per_job = []
    for card in cards(slack, CHANNELS):
        texts = [text_of(r) for r in replies(slack, card)]
        per_job.append(
            (
                card,
                sum(LOST in t for t in texts),
                sum(BACK in t for t in texts),
                [t for t in texts if "nodes succeeded" in t],
            )
        )
    lost = [n for _, n, _, _ in per_job]
    back = [n for _, _, n, _ in per_job]
    drill.found(
        f"'Lost contact' notes per job {lost} ({lost_during} posted during the outage), "
        f"'Back in contact' per job {back}; first 'Back in contact' {first_back:.1f}s "
        f"after the restart, every summary {all_done:.1f}s after it"
    )
    drill.check(sum(lost) >= 1, "the outage was noticed (a 'Lost contact' note)", lost)
    drill.check(
        all(n <= 1 for n in lost) and all(n <= 1 for n in back),
        "at most one 'Lost contact' and one 'Back in contact' note per job",
        (lost, back),
    )
    drill.check(
        all(b == lo for lo, b in zip(lost, back, strict=True)),
        "every job that lost contact was told contact is back",
        (lost, back),
    )
    drill.check(
        all(len(s) == 1 for *_, s in per_job), "one summary per job", [len(s) for *_, s in per_job]
    )

    jobs = {j.name: j for j in sim_client(sim).jobs(limit=100).items}
    recorded = {
        r["name"]: r["n"]
        for r in db_rows(
            db,
            "SELECT j.name AS name, count(n.node) AS n FROM jobs j LEFT JOIN job_nodes n "
            "ON n.job_id = j.id GROUP BY j.id",
        )
    }
    mismatched = []
    for *_, found in per_job:
        for text in found:
            name, counted = JOB_NAME.search(text), SUCCEEDED.search(text)
            job = jobs.get(name.group(1)) if name else None
            if (
                job is None
                or counted is None
                or (int(counted.group(1)), int(counted.group(2)))
                != (job.node_states.get("finished", 0), job.node_count)
                or (recorded.get(job.name) != job.node_count)
            ):
                mismatched.append(
                    (
                        name and name.group(1),
                        counted and counted.group(0),
                        job and dict(job.node_states),
                        job and recorded.get(job.name),
                    )
                )
    drill.found(
        f"node outcomes recorded per job {sorted(recorded.values())}; the simulator's "
        f"node counts {sorted(j.node_count for j in jobs.values())}"
    )
    drill.check(
        not mismatched,
        "no loss: each summary's N/M and the outcomes the bot recorded match the simulator's jobs",
        mismatched[:3],
    )
    keys = posted_keys(slack)
    doubled = doubled_thread_texts(slack, CHANNELS)
    drill.check(
        not duplicates(keys) and not doubled,
        "nothing posted twice",
        (duplicates(keys)[:3], doubled[:3]),
    )
    drill.check(
        command_requests(sim) == launched_before,
        "the command sent during the outage never reached the orchestrator later",
        (launched_before, command_requests(sim)),
    )
