"""A form end to end in HTTP mode: `python bot.py run` as a process behind waitress, the fake
Slack on its own port. /task alone opens the form, type-ahead (block_suggestion) is answered on
/slack/events, choosing the task rebuilds the form, and the submission runs the task."""

from __future__ import annotations

import json
from typing import Any

from standins.orchestrator import RunningSimulator
from standins.slack import FakeSlack
from standins.slack.requests import slash_command
from tests.support.process import BotProcess

CHANNEL = "C0DEPLOYS"


def test_a_form_over_http_mode(
    bot: BotProcess, slack: FakeSlack, orchestrator: RunningSimulator
) -> None:
    trigger = slack.new_trigger_id(user="U0ALICE", channel=CHANNEL)
    url = slack.new_response_url(channel=CHANNEL, user="U0ALICE")
    body = slash_command(
        "/task", "", user_id="U0ALICE", channel_id=CHANNEL, response_url=url, trigger_id=trigger
    )
    assert bot.post(body).status_code == 200
    modal = slack.wait_for(lambda f: f.open_modal("U0ALICE"), timeout=10)
    view_id = modal.id

    asked = slack.suggest(view_id, "ctx:subject", "value", "fact")
    assert asked is not None
    answer = bot.post(asked)
    assert answer.status_code == 200
    offered = slack.answer_suggestion(view_id, "ctx:subject", "value", answer.json())
    assert "facts" in [o["value"] for o in offered]

    changed = slack.fill(view_id, "ctx:subject", "value", "facts")
    assert changed is not None
    bot.post(changed)

    def rebuilt(fake: FakeSlack) -> Any:
        view = fake.view(view_id).view
        return any(b.get("block_id") == "target:nodes" for b in view["blocks"]) or None

    slack.wait_for(rebuilt, timeout=10)
    nodes = next(
        b for b in slack.view(view_id).view["blocks"] if b.get("block_id") == "target:nodes"
    )
    slack.fill(view_id, "target:nodes", nodes["element"]["action_id"], "web01.example.com")
    submitted = bot.post(slack.submission(view_id))
    assert submitted.status_code == 200
    ack = json.loads(submitted.text) if submitted.text else None
    assert slack.answer_submission(view_id, ack) == "close"

    def task_commands(_: FakeSlack) -> int | None:
        routes = orchestrator.sim.stats()["routes"]
        return sum(v["requests"] for k, v in routes.items() if "/command/task" in k) or None

    assert slack.wait_for(task_commands, timeout=20) == 1
    card = slack.wait_for(lambda f: (f.messages(CHANNEL) or [None])[0], timeout=20)
    assert "Task facts in production" in card.text
