"""Drill G2: requests whose words say "development" but whose nodes are in production.

With the default policy an enforcing run needs an approval when it reaches a production node.
Each attack below names development somewhere (the code environment, -e, a noop evidence
run) and reaches production nodes; none may run at once. A control request that really only
reaches a development node must still run at once, so the drill cannot pass by holding all.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from standins.orchestrator import Simulator, default_world, serve
from standins.slack import FakeSlack
from tests.drills.gate import CHANNEL, answer_to, approval_cards, button
from tests.drills.support import (
    DEFAULTS_ONLY,
    Drill,
    replies,
    route_requests,
    running_bot,
    text_of,
)

pytestmark = pytest.mark.drill

ALL_NODES = "00000000-0000-4000-8000-000000000000"
ATTACKS = {
    "deploy, agents keep their own environment, a production node": (
        "/deploy development --no-enforce-environment --nodes db01.example.com"
    ),
    "deploy, agents keep their own environment, the whole fleet by query": (
        "/deploy development --no-enforce-environment --query 'nodes[certname] { }'"
    ),
    "task with development code on a production database": (
        "/task exec command='systemctl stop postgresql' --nodes db01.example.com -e development"
    ),
    "deploy to the All Nodes group from development code": (
        f"/deploy development --node-group {ALL_NODES}"
    ),
    "deploy to a development node whose last report came from production": (
        "/deploy development --nodes app08.example.com"
    ),
}
CONTROL = "/task exec command=uptime --nodes web09.example.com"
NOOP = (
    "/deploy development --no-enforce-environment "
    "--nodes web03.example.com,web09.example.com --noop"
)


@pytest.mark.timeout(300)
def test_the_policy_judges_the_nodes_reached_not_the_words(
    drill_dir: Path, slack: FakeSlack
) -> None:
    sim = Simulator(default_world(), node_seconds=0.3)
    with (
        Drill("G2. the policy judges what a request reaches, not its words") as drill,
        serve(sim) as orchestrator,
        running_bot(drill_dir, slack, orchestrator.url, policy=DEFAULTS_ONLY) as bot,
    ):
        urls = {}
        for name, text in {**ATTACKS, "control": CONTROL}.items():
            urls[name] = slack.new_response_url(channel=CHANNEL, user="U0MALLORY")
            bot.command(text, response_url=urls[name], user="U0MALLORY")
        drill.tried(
            "default policy; as @mallory over HTTP: "
            + "; ".join(f"{name}: `{text}`" for name, text in ATTACKS.items())
            + f"; and a control that reaches only development: `{CONTROL}`"
        )
        slack.wait_for(
            lambda f: all(answer_to(f, url) for url in urls.values()),
            timeout=60,
            description="every request answered",
        )

        # The noop run's summary offers Enforce; the enforcing run it offers is an attack too.
        noop_url = slack.new_response_url(channel=CHANNEL, user="U0MALLORY")
        bot.command(NOOP, response_url=noop_url, user="U0MALLORY")
        summary = slack.wait_for(
            lambda f: next(
                (
                    r
                    for card in f.messages(CHANNEL)
                    for r in replies(f, card)
                    if button(r, "enforce_all")
                ),
                None,
            ),
            timeout=60,
            description="the noop run's summary with its Enforce buttons",
        )
        enforce_url = slack.new_response_url(channel=CHANNEL, user="U0MALLORY")
        bot.click(
            "enforce_all",
            str(button(summary, "enforce_all")),
            response_url=enforce_url,
            user="U0MALLORY",
            message_ts=summary.ts,
        )
        slack.wait_for(lambda f: answer_to(f, enforce_url), timeout=30, description="Enforce")
        drill.tried(f"`{NOOP}` (runs: noop), then Enforce on all nodes on its summary")
        time.sleep(1.5)  # a late launch would arrive now

        held = {name: "needs approval" in answer_to(slack, urls[name]) for name in ATTACKS}
        enforce_held = "needs approval" in answer_to(slack, enforce_url)
        deploys = route_requests(sim, "POST /command/deploy")
        tasks = route_requests(sim, "POST /command/task")
        cards = approval_cards(slack)
        card_text = "\n".join(text_of(c) for c in cards)
        drill.found(
            "held for approval: "
            + ", ".join(f"{name}: {'yes' if ok else 'NO'}" for name, ok in held.items())
            + f"; Enforce on the noop run's summary: {'held' if enforce_held else 'NOT held'}"
        )
        drill.found(
            f"the orchestrator got {deploys} deploys (the noop run is 1) and {tasks} tasks "
            f"(the control is 1); {len(cards)} approval cards"
        )
        drill.check(all(held.values()), "every attack was held for approval", held)
        drill.check(enforce_held, "Enforce on a run reaching production was held")
        drill.check(deploys == 1, "only the noop deploy reached the orchestrator", deploys)
        drill.check(
            tasks == 1 and "started as job" in answer_to(slack, urls["control"]),
            "the control (a development node only) ran at once",
            answer_to(slack, urls["control"])[:200],
        )
        drill.check(
            "db01.example.com" in card_text
            and "report environment is production" in card_text
            and "in *production*" in card_text,
            "the cards name the production nodes, and why app08 counts as production",
            card_text[:600],
        )
