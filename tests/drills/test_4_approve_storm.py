"""Drill 4: 50 people click Approve on one approval card at the same moment, over real HTTP.

With the default policy an enforcing production deploy needs one approval. Exactly one deploy
may reach the orchestrator, and the 49 others must be told who decided.
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest

from standins.orchestrator import Simulator, default_world, serve
from standins.slack import FakeSlack
from standins.slack.requests import block_actions, signed_headers
from tests.drills.support import (
    DEFAULTS_ONLY,
    Drill,
    command_requests,
    db_rows,
    percentile,
    replies,
    route_requests,
    running_bot,
    text_of,
)
from tests.support.harness import block_text
from tests.support.process import SECRET

pytestmark = pytest.mark.drill

CLICKERS = 50
CHANNEL = "C0DEPLOYS"
ALREADY = re.compile(r"already approved by <@(U0APPR\d\d)>")


def approve_button(card_blocks: list[dict]) -> str | None:
    for block in card_blocks:
        for element in block.get("elements") or ():
            if element.get("action_id") == "approval_approve":
                return str(element["value"])
    return None


@pytest.mark.timeout(300)
def test_fifty_concurrent_approve_clicks_launch_one_job(drill_dir: Path, slack: FakeSlack) -> None:
    sim = Simulator(default_world(), node_seconds=0.5)
    with (
        Drill("4. 50 concurrent Approve clicks on one card") as drill,
        serve(sim) as orchestrator,
        running_bot(drill_dir, slack, orchestrator.url, policy=DEFAULTS_ONLY) as bot,
    ):
        db = bot.tmp / "bot.db"
        url = slack.new_response_url(channel=CHANNEL, user="U0ALICE")
        bot.command(
            "/deploy production --nodes web01.example.com,web02.example.com", response_url=url
        )
        card = slack.wait_for(
            lambda f: next(
                (m for m in f.messages(CHANNEL) if approve_button(m.blocks or [])), None
            ),
            timeout=30,
            description="the approval card",
        )
        approval_id = approve_button(card.blocks or [])
        assert approval_id
        drill.tried(
            "the default policy; @alice asks for an enforcing production deploy of 2 "
            f"nodes; {CLICKERS} other users press Approve on its card at once (one "
            "thread each, released by a barrier, signed requests over HTTP)"
        )

        users = [f"U0APPR{i:02d}" for i in range(CLICKERS)]
        urls = {
            u: slack.new_response_url(channel=CHANNEL, user=u, message_ts=card.ts) for u in users
        }
        message = slack.message(CHANNEL, card.ts).to_payload()
        bodies = {
            u: block_actions(
                "approval_approve",
                approval_id,
                user_id=u,
                channel_id=CHANNEL,
                message_ts=card.ts,
                message=message,
                response_url=urls[u],
            )
            for u in users
        }
        barrier = threading.Barrier(CLICKERS)
        results: dict[str, tuple[int, float]] = {}

        def click(user: str) -> None:
            body = bodies[user]
            headers = signed_headers(body, SECRET)
            barrier.wait(timeout=30)
            t0 = time.monotonic()
            status = bot.post(body, headers=headers, timeout=30).status_code
            results[user] = (status, time.monotonic() - t0)

        threads = [threading.Thread(target=click, args=(u,)) for u in users]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        acks = [t for _, t in results.values()]
        drill.found(
            f"{sum(s == 200 for s, _ in results.values())}/{CLICKERS} clicks acked "
            f"HTTP 200, ack p50 {percentile(acks, 50) * 1000:.0f} ms, max "
            f"{max(acks) * 1000:.0f} ms"
        )
        drill.check(
            len(results) == CLICKERS and all(s == 200 for s, _ in results.values()),
            "every click acked",
            sorted({s for s, _ in results.values()}),
        )

        def answers(f: FakeSlack) -> dict[str, str]:
            by_url = {r.url: f"{r.text}\n{block_text(r.blocks or [])}" for r in f.responses()}
            return {u: by_url[urls[u]] for u in users if urls[u] in by_url}

        slack.wait_for(
            lambda f: len(answers(f)) >= CLICKERS - 1,
            timeout=60,
            description="49 clickers answered",
        )
        slack.wait_for(
            lambda _: route_requests(sim, "POST /command/deploy") >= 1,
            timeout=30,
            description="the deploy launched",
        )
        time.sleep(2.0)  # a second launch, or a 50th answer, would arrive now
        told = answers(slack)
        approval = db_rows(db, "SELECT state, decided_by FROM approvals")
        winner = approval[0]["decided_by"] if approval else None
        named = [ALREADY.search(text) for text in told.values()]
        votes = db_rows(db, "SELECT count(*) FROM approval_votes")[0][0]
        launches = route_requests(sim, "POST /command/deploy")
        drill.found(
            f"the orchestrator got {launches} POST /command/deploy "
            f"({command_requests(sim)} command requests in all); approval "
            f"{approval[0]['state'] if approval else None!r} by {winner}; {votes} votes "
            "recorded"
        )
        who = sorted({m.group(1) for m in named if m})
        drill.found(
            f"{len(told)} clickers got a private answer, {sum(bool(m) for m in named)} "
            f"of them 'already approved by <@…>' naming {who}; "
            f"the winner's answer: {told.get(winner or '', '(none)').strip()[:80]!r}"
        )
        drill.check(
            launches == 1 and command_requests(sim) == 1,
            "exactly one deploy reached the orchestrator",
            launches,
        )
        losers = [u for u in users if u != winner]
        drill.check(
            all(ALREADY.search(told.get(u, "")) and f"<@{winner}>" in told[u] for u in losers),
            f"the {len(losers)} others were each told who decided",
            [
                (u, told.get(u, "")[:80])
                for u in losers
                if not (ALREADY.search(told.get(u, "")) and f"<@{winner}>" in told[u])
            ][:3],
        )

        # The card became the job's status card, and the job's thread ends with one summary.
        def finished(f: FakeSlack) -> list[str]:
            return [
                t
                for t in map(text_of, replies(f, f.message(CHANNEL, card.ts)))
                if "nodes succeeded" in t
            ]

        slack.wait_for(finished, timeout=60, description="the job's summary")
        time.sleep(2.0)  # let any late card edit land
        final = text_of(slack.message(CHANNEL, card.ts))
        versions = slack.message(CHANNEL, card.ts).versions
        drill.found(
            f"the card went through {len(versions)} versions and ends as: "
            f"{final.splitlines()[0][:90]!r}"
        )
        drill.check(
            len(finished(slack)) == 1, "one summary in the card's thread", len(finished(slack))
        )
        drill.check(
            "Approved by" in final and f"<@{winner}>" in final and "job `" in final,
            "the card ends as the job's status card, approved by the winner",
            final[:400],
        )
