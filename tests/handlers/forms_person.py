"""A person using the bot's forms in the fake Slack: every step is the payload Slack would send,
signed and dispatched to the real Bolt app, and the app's ack handed back to the fake."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import BoltResponse

from standins.slack.requests import slash_command
from tests.support.harness import Harness, signed

SUBJECT = "ctx:subject"


class Person:
    def __init__(self, h: Harness, user: str = "U0ALICE") -> None:
        self.h = h
        self.user = user
        self.view_id = ""

    def send(self, body: bytes | None) -> BoltResponse | None:
        return None if body is None else self.h.bot.app.dispatch(signed(body))

    def type(self, text: str, channel: str = "C0DEPLOYS") -> BoltResponse:
        """A slash command typed with a trigger_id the fake issued (so views.open works)."""
        name, _, rest = text.partition(" ")
        trigger = self.h.slack.new_trigger_id(user=self.user, channel=channel)
        url = self.h.slack.new_response_url(channel=channel, user=self.user)
        body = slash_command(
            name, rest, user_id=self.user, channel_id=channel, response_url=url, trigger_id=trigger
        )
        response = self.h.bot.app.dispatch(signed(body))
        modal = self.h.slack.open_modal(self.user)
        self.view_id = modal.id if modal else ""
        return response

    def view(self) -> dict[str, Any]:
        return self.h.slack.view(self.view_id).view

    def blocks(self) -> dict[str, dict[str, Any]]:
        return {b["block_id"]: b for b in self.view()["blocks"] if "block_id" in b}

    def action(self, block_id: str) -> str:
        return str(self.blocks()[block_id]["element"]["action_id"])

    def suggest(self, query: str, block_id: str = SUBJECT) -> list[dict[str, Any]]:
        response = self.send(self.h.slack.suggest(self.view_id, block_id, "value", query))
        assert response is not None and response.status == 200, response
        answer = json.loads(response.body)
        return self.h.slack.answer_suggestion(self.view_id, block_id, "value", answer)

    def choose(self, subject: str) -> Person:
        """Type the name, pick the offered option: the form rebuilds."""
        offered = self.suggest(subject)
        assert subject in [o["value"] for o in offered], offered
        self.fill(SUBJECT, subject)
        return self

    def fill(self, block_id: str, value: Any) -> Person:
        self.send(self.h.slack.fill(self.view_id, block_id, self.action(block_id), value))
        return self

    def submit(self) -> str:
        """Press submit; what Slack did with the app's ack (close, errors...)."""
        response = self.send(self.h.slack.submission(self.view_id))
        assert response is not None and response.status == 200, response
        answer = json.loads(response.body) if response.body else None
        return self.h.slack.answer_submission(self.view_id, answer)

    def errors(self) -> dict[str, str]:
        return self.h.slack.view(self.view_id).errors
