"""Drill G4: an approval card forged from the requester's own text.

A description, a parameter or userdata holding newlines and the card's own field names
(`*Options:* noop`, `*Target:* 1 node`) must not make an enforcing, fleet-wide run look like a
one-node noop to the approver: user text never starts a line of its own, and the card always
states noop or enforcing and the reach. Formatting in orchestrator output is shown literally.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from standins.orchestrator import Simulator, default_world, serve
from standins.slack import FakeSlack
from tests.drills.gate import CHANNEL, answer_to, approval_cards, card_lines
from tests.drills.support import (
    DEFAULTS_ONLY,
    SUMMARY,
    Drill,
    replies,
    route_requests,
    running_bot,
    text_of,
)

pytestmark = pytest.mark.drill

FORGED = "*Options:* noop\n*Target:* 1 node: web01.example.com"
ATTACKS = [
    f"/deploy production --query 'nodes[certname] {{ }}' --description \"weekly run\n{FORGED}\"",
    f'/task exec command="uptime\n{FORGED}" --nodes db01.example.com,db02.example.com '
    "-e development",
    "/deploy production --nodes web01.example.com,web02.example.com "
    f'--userdata note="ok\n{FORGED}"',
]
OUTPUT = "/task exec command='*all clear* _nothing_ ~to~ see' --nodes web09.example.com"
CODE = re.compile(r"`[^`]*`")


def forged_lines(lines: list[str]) -> list[str]:
    """Lines that look like the card's own noop or one-node fields but are not the bot's."""
    return [
        ln
        for ln in lines
        if re.match(r"^\s*\*Options:\*.*noop", ln) or re.match(r"^\s*\*Target:\* 1 node", ln)
    ]


@pytest.mark.timeout(300)
def test_user_text_cannot_forge_the_approval_card(drill_dir: Path, slack: FakeSlack) -> None:
    sim = Simulator(default_world(), node_seconds=0.3)
    fleet = len(sim.world.nodes)
    with (
        Drill("G4. user text cannot forge the approval card") as drill,
        serve(sim) as orchestrator,
        running_bot(drill_dir, slack, orchestrator.url, policy=DEFAULTS_ONLY) as bot,
    ):
        urls = [slack.new_response_url(channel=CHANNEL, user="U0MALLORY") for _ in ATTACKS]
        for text, url in zip(ATTACKS, urls, strict=True):
            bot.command(text, response_url=url, user="U0MALLORY")
        drill.tried(
            "default policy; enforcing requests whose description, task parameter or userdata "
            f"holds {FORGED!r} (a newline, then the card's own field names): "
            + " | ".join(a.replace("\n", "\\n") for a in ATTACKS)
        )
        slack.wait_for(
            lambda f: all(answer_to(f, u) for u in urls), timeout=60, description="answers"
        )
        time.sleep(2.0)  # the cards go out about one a second
        cards = approval_cards(slack)
        url = slack.new_response_url(channel=CHANNEL, user="U0ALICE")
        bot.command(OUTPUT, response_url=url)
        slack.wait_for(lambda f: answer_to(f, url), timeout=30, description="the output task")

        def summary(f: FakeSlack) -> str | None:
            for card in f.messages(CHANNEL):
                for r in replies(f, card):
                    if "Output" in text_of(r) and SUMMARY in text_of(r):
                        return text_of(r)
            return None

        output = slack.wait_for(summary, timeout=60, description="the task's summary")
        drill.tried(f"a task whose output holds Slack formatting: `{OUTPUT}`")
        time.sleep(1.0)

        forged = {c.ts: forged_lines(card_lines(c)) for c in cards}
        modes = [next((ln for ln in card_lines(c) if ln.startswith("*Mode:*")), "") for c in cards]
        fleet_card = next((text_of(c) for c in cards if "Puppet run in production" in text_of(c)
                           and "query" in text_of(c)), "")  # fmt: skip
        drill.found(
            f"{len(cards)} approval cards; lines that pose as the card's fields: "
            f"{sum(len(v) for v in forged.values())}; mode lines: {modes}"
        )
        drill.found(
            "the fleet-wide card says: "
            + " / ".join(ln for ln in fleet_card.splitlines() if "Reaches" in ln or "Pinned" in ln)
        )
        outside = [s for s in CODE.sub("", output).split("\n") if "all clear" in s]
        drill.found(f"the task's output outside code spans: {outside!r}")
        drill.check(len(cards) == len(ATTACKS), "every request was held, on a card", len(cards))
        drill.check(
            not any(forged.values()),
            "no user text starts a line that looks like one of the card's fields",
            forged,
        )
        drill.check(
            len(modes) == len(cards) and all("enforcing" in m for m in modes),
            "every card states it is enforcing",
            modes,
        )
        drill.check(
            f"*Reaches:* {fleet} nodes" in fleet_card and "*Pinned:*" in fleet_card,
            f"the fleet-wide card states its reach ({fleet} nodes) and that it was pinned",
            fleet_card[:500],
        )
        drill.check(
            "*all clear*" in output and not outside,
            "formatting in orchestrator output is shown literally (in a code span)",
            output[-300:],
        )
        drill.check(route_requests(sim, "POST /command/deploy") == 0, "nothing held was sent")
