"""Drill 10: an environment subscription across kill -9 and restart.

A channel watches `development`. Jobs are started outside the bot (as another PE user, through
the simulator's `/_sim/as/<login>/...`), the bot starts its own, a plan started outside makes
`plan_task` children. The bot is killed with kill -9 once some announcements are out, more
outside jobs start while it is down, and it is restarted. Exactly the outside jobs must be
announced, each once: none of the bot's own, no plan_task child, nothing twice.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from standins.orchestrator import Simulator, default_world, serve
from standins.slack import FakeSlack
from tests.drills.support import Drill, db_rows, running_bot, sim_client, text_of

pytestmark = pytest.mark.drill

WATCHERS = "C0WATCH10"
OWN = "C0DEPLOYS"
NODE = {"nodes": ["web09.example.com"]}


def elsewhere(url: str, path: str, body: dict) -> tuple[str, str]:
    reply = httpx.post(f"{url}/_sim/as/alice/orchestrator/v1/command/{path}", json=body, timeout=10)
    assert reply.status_code == 202, reply.text
    data = reply.json()
    kind = "plan_job" if path == "plan_run" else "job"
    return kind, str((data.get("job") or data)["name"])


def deploy(url: str) -> tuple[str, str]:
    return elsewhere(url, "deploy", {"environment": "development", "scope": NODE, "noop": True})


def announced(db: Path) -> list[tuple[str, str]]:
    rows = db_rows(db, "SELECT kind, name FROM jobs WHERE channel_id = ?", [WATCHERS])
    return sorted((r["kind"], r["name"]) for r in rows)


@pytest.mark.timeout(300)
def test_a_subscription_announces_exactly_the_outside_jobs_once_across_kill_9(
    drill_dir: Path, slack: FakeSlack
) -> None:
    slack.add_channel(WATCHERS, "watch-drill")
    sim = Simulator(default_world(), node_seconds=0.3)
    with (
        Drill("10. an environment subscription across kill -9") as drill,
        serve(sim) as orchestrator,
        running_bot(drill_dir, slack, orchestrator.url) as bot,
    ):
        db = bot.tmp / "bot.db"
        url = slack.new_response_url(channel=WATCHERS, user="U0ALICE")
        bot.command("/watch environment development", response_url=url, channel=WATCHERS)
        slack.wait_for(
            lambda f: any("now gets a card" in text_of(r) for r in f.responses()),
            timeout=30,
            description="the subscription was made",
        )
        outside = [deploy(orchestrator.url) for _ in range(5)]
        outside.append(
            elsewhere(
                orchestrator.url,
                "task",
                {"environment": "development", "task": "package",
                 "params": {"action": "status", "name": "openssl"}, "scope": NODE},
            )
        )  # fmt: skip
        outside.append(
            elsewhere(
                orchestrator.url,
                "plan_run",
                {"plan_name": "canary", "environment": "development",
                 "params": {"nodes": ["web09.example.com"], "command": "whoami"}},
            )
        )  # fmt: skip
        for i in range(4):  # the bot's own: never announced
            own_url = slack.new_response_url(channel=OWN, user="U0BOB")
            bot.command(
                f"/deploy development --nodes web09.example.com --noop --description own-{i}",
                response_url=own_url,
                channel=OWN,
            )
        slack.wait_for(
            lambda _: len(announced(db)) >= 3,
            timeout=60,
            interval=0.05,
            description="the first announcements",
        )
        before_kill = len(announced(db))
        bot.kill()
        outside += [deploy(orchestrator.url) for _ in range(4)]  # while the bot is down
        bot.start()
        expected = sorted(outside)
        slack.wait_for(
            lambda _: announced(db) == expected,
            timeout=90,
            interval=0.2,
            description="every outside job announced",
        )
        slack.wait_for(
            lambda f: len(f.messages(WATCHERS)) >= len(expected),
            timeout=90,
            interval=0.2,
            description="every announcement posted",
        )
        time.sleep(3.0)  # anything announced twice would arrive now
        cards = slack.messages(WATCHERS)
        names = [m.text for m in cards]
        all_jobs = sim_client(sim).jobs(limit=500).items
        children = [j.name for j in all_jobs if j.type == "plan_task"]
        own = db_rows(db, "SELECT name FROM jobs WHERE channel_id = ?", [OWN])
        drill.tried(
            f"a channel watching development; {len(outside)} jobs started outside the bot "
            f"(4 while it was down), 4 of its own, a plan with {len(children)} plan_task "
            f"children; kill -9 after {before_kill} announcements, then a restart"
        )
        drill.found(
            f"{len(announced(db))} jobs announced, {len(cards)} cards in the watching channel, "
            f"{len(own)} of the bot's own followed in its channel; {bot.starts} bot starts"
        )
        drill.check(announced(db) == expected, "exactly the outside jobs were announced")
        drill.check(len(cards) == len(expected), "one card each, none twice", names[:12])
        drill.check(
            not {("job", c) for c in children} & set(announced(db)),
            "no plan_task child was announced",
        )
        drill.check(
            not {("job", r["name"]) for r in own} & set(announced(db)),
            "none of the bot's own jobs was announced",
        )
