"""Drill G5: the approver cannot see every node.

A request that reaches hundreds of nodes used to show the first 10 in typed order, then
"+N more". The card must give counts by environment and put every node one click away, in a
paged modal grouped by environment, without posting the list into the thread.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from standins.orchestrator import Simulator, serve
from standins.orchestrator.default_world import default_world_data
from standins.orchestrator.world_json import world_from_dict
from standins.slack import FakeSlack
from tests.drills.gate import CHANNEL, answer_to, approval_cards, button, view_click
from tests.drills.support import DEFAULTS_ONLY, Drill, replies, running_bot, text_of

pytestmark = pytest.mark.drill

BULK = 240
NAME = re.compile(r"`([^`]+)`")


def world():  # the default estate plus a bulk of production nodes
    data = default_world_data()
    data["generate"] = {"pattern": "bulk{n:04d}.example.com", "count": BULK}
    return world_from_dict(data)


def modal_nodes(view: dict) -> dict[str, list[str]]:
    """Environment heading -> the certnames listed under it, in one modal page."""
    found: dict[str, list[str]] = {}
    heading = None
    for block in view.get("blocks") or ():
        text = (block.get("text") or {}).get("text", "")
        for line in text.splitlines():
            if line.startswith("*") and line.endswith("*") and "`" not in line:
                heading = line.strip("*")
            elif line.startswith("•") and heading:
                found.setdefault(heading, []).extend(NAME.findall(line)[:1])
    return found


@pytest.mark.timeout(300)
def test_every_reached_node_is_one_click_away(drill_dir: Path, slack: FakeSlack) -> None:
    sim = Simulator(world(), node_seconds=0.3)
    everything = {n.certname for n in sim.world.nodes}
    with (
        Drill("G5. the approver can see every node a request reaches") as drill,
        serve(sim) as orchestrator,
        running_bot(drill_dir, slack, orchestrator.url, policy=DEFAULTS_ONLY) as bot,
    ):
        url = slack.new_response_url(channel=CHANNEL, user="U0ALICE")
        bot.command(
            "/deploy production --query 'nodes[certname] { }'",
            response_url=url,
        )
        slack.wait_for(lambda f: answer_to(f, url), timeout=30, description="the answer")
        card = slack.wait_for(lambda f: approval_cards(f), timeout=30, description="card")[0]
        text = text_of(card)
        drill.tried(
            f"a fleet of {len(everything)} nodes; an enforcing deploy of all of them by query; "
            "@bob opens the card's node list and pages through it"
        )
        drill.found(
            "the card says: "
            + " / ".join(ln for ln in text.splitlines() if ln.startswith(("*Reaches", "*Pinned")))
        )
        value = button(card, "reach_nodes")
        seen: dict[str, list[str]] = {}
        pages = 0
        if value:
            bot.click("reach_nodes", value, response_url=url, user="U0BOB", message_ts=card.ts)
            view = slack.wait_for(lambda f: f.views(), timeout=30, description="the modal")[-1]
            while True:
                pages += 1
                for env, names in modal_nodes(view.view).items():
                    seen.setdefault(env, []).extend(names)
                following = button_in(view.view, "Next")
                if following is None or pages > 20:
                    break
                body = {**view.view, "id": view.id, "hash": view.hash}
                bot.post(view_click("reach_nodes_next", following, user_id="U0BOB", view=body))
                versions = len(view.versions)
                view = slack.wait_for(
                    lambda f, n=versions: next((v for v in f.views() if len(v.versions) > n), None),
                    timeout=30,
                    description=f"page {pages + 1}",
                )
            # Someone else may not turn the pages of @bob's modal.
            before = len(slack.views()[-1].versions)
            body = {**view.view, "id": view.id, "hash": view.hash}
            bot.post(
                view_click("reach_nodes_previous", f"{value}:1", user_id="U0MALLORY", view=body)
            )
            time.sleep(1.0)
            stolen = len(slack.views()[-1].versions) != before
        else:
            stolen = False
        listed = [n for names in seen.values() for n in names]
        thread = replies(slack, card)
        drill.found(
            f"'Show all' button: {'yes' if value else 'NO'}; the modal had {pages} pages listing "
            f"{len(listed)} nodes ({len(set(listed))} distinct) under "
            + ", ".join(f"{env} ({len(n)})" for env, n in seen.items())
            + f"; the card's thread has {len(thread)} messages"
        )
        drill.check(
            "in *production*" in text and "in development" in text,
            "the card gives counts by environment",
            text[:300],
        )
        drill.check(value is not None, "every node is one click away (a Show all button)")
        drill.check(
            set(listed) == everything and len(listed) == len(everything),
            "the modal lists every reached node exactly once",
            sorted(everything - set(listed))[:5],
        )
        env_of = {n.certname: n.environment for n in sim.world.nodes}
        misplaced = [
            n for env, names in seen.items() for n in names
            if env != env_of[n] and n != "app08.example.com"
        ]  # fmt: skip
        drill.check(not misplaced, "grouped by the environment each node counts as", misplaced)
        drill.check(
            "app08.example.com" in seen.get("production", []),
            "app08 (last report from production) is listed under production",
        )
        drill.check(pages >= 3, "the list is paged", pages)
        drill.check(not thread, "the thread is not flooded with nodes", len(thread))
        drill.check(not stolen, "another person cannot page a modal opened for @bob")


def button_in(view: dict, label: str) -> str | None:
    for block in view.get("blocks") or ():
        for element in block.get("elements") or ():
            text = element.get("text")
            if element.get("type") == "button" and isinstance(text, dict) and text["text"] == label:
                return str(element["value"])
    return None
