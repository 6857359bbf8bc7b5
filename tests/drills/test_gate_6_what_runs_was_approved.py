"""Drill G6: what runs is what was approved.

A query approved on Monday must not reach the node that joined it on Tuesday: a query or node
group that needed approval is pinned to the certnames the approver saw. And if a node moved
into production after the approval, the approval is void and nothing runs.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from standins.orchestrator import Simulator, default_world, serve
from standins.orchestrator.services import change_nodes
from standins.slack import FakeSlack
from tests.drills.gate import CHANNEL, answer_to, approval_cards, button
from tests.drills.support import (
    DEFAULTS_ONLY,
    Drill,
    route_requests,
    running_bot,
    sim_client,
    text_of,
)

pytestmark = pytest.mark.drill

QUERY = "/deploy production --query 'nodes[certname] { certname ~ \"^web0[1-3]\" }'"
APPROVED = ["web01.example.com", "web02.example.com", "web03.example.com"]
JOINER = "web01-new.example.com"
MIXED = "/deploy production --nodes web09.example.com,web01.example.com"


def card_for(slack: FakeSlack, needle: str):
    return next((c for c in approval_cards(slack) if needle in text_of(c)), None)


@pytest.mark.timeout(300)
def test_what_runs_is_what_was_approved(drill_dir: Path, slack: FakeSlack) -> None:
    sim = Simulator(default_world(), node_seconds=0.3)
    with (
        Drill("G6. what runs is what was approved") as drill,
        serve(sim) as orchestrator,
        running_bot(drill_dir, slack, orchestrator.url, policy=DEFAULTS_ONLY) as bot,
    ):
        # 1. A query that needs approval; a matching node joins before the approval.
        url = slack.new_response_url(channel=CHANNEL, user="U0ALICE")
        bot.command(QUERY, response_url=url)
        card = slack.wait_for(lambda f: card_for(f, "web0[1-3]"), timeout=30, description="card")
        template = sim.world.node("web04.example.com")
        assert template is not None
        change_nodes(sim, replace(template, certname=JOINER))
        bot.click(
            "approval_approve",
            str(button(card, "approval_approve")),
            response_url=slack.new_response_url(channel=CHANNEL, user="U0BOB"),
            user="U0BOB",
            message_ts=card.ts,
        )
        slack.wait_for(
            lambda _: route_requests(sim, "POST /command/deploy") >= 1,
            timeout=30,
            description="the approved deploy",
        )
        time.sleep(1.0)
        client = sim_client(sim)
        job = client.jobs().items[0]
        ran = sorted(n.name for n in client.all_job_nodes(job.name))
        drill.tried(
            f"default policy; `{QUERY}` held for approval; then {JOINER} (production) joins "
            "the query's result; @bob approves"
        )
        pinned = [ln for ln in text_of(card).splitlines() if "Pinned" in ln]
        drill.found(f"the card said: {pinned!r}")
        drill.found(f"job {job.name} ran on {ran}")
        drill.check(ran == APPROVED, "only the approved certnames ran", ran)
        drill.check("*Pinned:*" in text_of(card), "the card said the query was pinned")

        # 2. A node moves into production between the approval card and the approval.
        url2 = slack.new_response_url(channel=CHANNEL, user="U0ALICE")
        bot.command(MIXED, response_url=url2)
        card2 = slack.wait_for(
            lambda f: card_for(f, "web09.example.com"), timeout=30, description="second card"
        )
        shown = text_of(card2)
        moved = sim.world.node("web09.example.com")
        assert moved is not None
        change_nodes(sim, replace(moved, environment="production"))
        before = route_requests(sim, "POST /command/deploy")
        bot.click(
            "approval_approve",
            str(button(card2, "approval_approve")),
            response_url=slack.new_response_url(channel=CHANNEL, user="U0BOB"),
            user="U0BOB",
            message_ts=card2.ts,
        )
        slack.wait_for(
            lambda f: (
                "void" in text_of(f.message(CHANNEL, card2.ts))
                or route_requests(sim, "POST /command/deploy") > before
            ),
            timeout=30,
            description="the approval's outcome",
        )
        time.sleep(1.0)
        after = text_of(slack.message(CHANNEL, card2.ts))
        drill.tried(
            f"`{MIXED}` held (web01 is production, web09 development); web09 moves into "
            "production; @bob approves"
        )
        outcome = [ln for ln in after.splitlines() if "void" in ln or "Approved" in ln]
        drill.found(
            f"the card had shown: {[ln for ln in shown.splitlines() if ln.startswith('•')]}; "
            f"after the click: {outcome}"
        )
        drill.found(f"the requester was told: {answer_to(slack, url2).splitlines()[-3:]!r}")
        drill.check(
            route_requests(sim, "POST /command/deploy") == before,
            "nothing ran once a node moved into production after the card",
            route_requests(sim, "POST /command/deploy") - before,
        )
        drill.check(
            "void" in after and "web09.example.com" in after, "the card says the approval is void"
        )
        drill.check("void" in answer_to(slack, url2), "the requester is told why")
