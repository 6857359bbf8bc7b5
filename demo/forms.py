"""The demo's forms and Home tab: a modal the bot opens is printed as a form, filled field by
field (`fill <field> <value>`, with type-ahead for the task or plan), and submitted (`submit`);
`home` opens the app's Home tab. Every step is the payload Slack would send, signed, posted to
the bot's /slack/events; the bot's acks are handed back to the fake Slack as Slack would."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from runtime.serve import EVENTS_PATH
from standins.slack import FakeSlack, SlackEvent, render_view
from standins.slack.requests import signed_headers
from standins.slack.surfaces import ViewNotSubmittable
from standins.slack.view_state import ViewInteractionError

SUBJECT = "ctx:subject"
HELP = """\
Forms:
  /task, /plan or /deploy alone    open the form for it
  fill <field> <value>             set a field (task/plan: the name, found by type-ahead;
                                   others by name: name, nodes, query, noop, environment...)
  submit                           submit the form (mistakes come back beside their field)
  home                             open your Home tab (approvals, jobs, requests)
"""
ALIASES = {"task": SUBJECT, "plan": SUBJECT, "subject": SUBJECT, "channel": "ctx:channel",
           "environment": "ctx:environment", "env": "ctx:environment"}  # fmt: skip


class FormDesk:
    """The form on screen for each person, and their Home tab."""

    def __init__(
        self,
        slack: FakeSlack,
        http: httpx.Client,
        secret: str,
        say: Callable[[str], None],
    ) -> None:
        self.slack = slack
        self.http = http
        self.secret = secret
        self.say = say

    # -- what Slack shows -------------------------------------------------------------------

    def shown(self, event: SlackEvent) -> bool:
        """Print a form the bot opened, rebuilt or answered with errors; True if it was one."""
        if event.kind == "home_published":
            return True  # printed on `home`; refreshes are quiet
        if not event.view_id or event.kind not in ("view_opened", "view_updated", "view_errors"):
            return False
        view = self.slack.view(event.view_id)
        if not str(view.view.get("callback_id", "")).startswith("form_"):
            return False
        self.say("\n" + self._render(view.id).replace("\n", "\n  "))
        return True

    def _render(self, view_id: str) -> str:
        view = self.slack.view(view_id)
        names = self.slack.user_names()
        return "  " + render_view(view.view, view.values, view.errors, names)

    # -- what people do ---------------------------------------------------------------------

    def fill(self, user: str, words: str) -> None:
        field, _, value = words.strip().partition(" ")
        modal = self.slack.open_modal(user)
        if modal is None:
            self.say("  ? no form is open: type /task, /plan or /deploy alone")
            return
        block_id = self._block(modal.view, field)
        if block_id is None:
            self.say(f"  ? no field {field!r} in this form")
            return
        element = next(b for b in modal.view["blocks"] if b.get("block_id") == block_id)["element"]
        try:
            if block_id == SUBJECT:
                asked = self.slack.suggest(modal.id, SUBJECT, "value", value, user=user)
                answer = self._send(asked)
                offered = self.slack.answer_suggestion(modal.id, SUBJECT, "value", answer or {})
                if value not in [o["value"] for o in offered]:
                    shown = ", ".join(o["value"] for o in offered[:10]) or "none"
                    self.say(f"  ? {value!r} is not offered; type-ahead found: {shown}")
                    return
            given: Any = value
            if element.get("type") in ("checkboxes", "multi_static_select"):
                given = [v for v in value.split(",") if v]
            body = self.slack.fill(modal.id, block_id, element["action_id"], given, user=user)
        except ViewInteractionError as exc:
            self.say(f"  ! {exc}")
            return
        if body is not None:
            self._send(body)  # the form changes: the bot rebuilds it and it is printed
        else:
            self.say(f"  ({block_id} = {value})")

    def submit(self, user: str) -> None:
        modal = self.slack.open_modal(user)
        if modal is None:
            self.say("  ? no form is open")
            return
        try:
            body = self.slack.submission(modal.id, user=user)
        except ViewNotSubmittable as exc:
            for block_id, message in exc.errors.items():
                self.say(f"  ! [{block_id}] {message}")
            return
        answer = self._send(body)
        action = self.slack.answer_submission(modal.id, answer)
        if action == "close":
            self.say("  (form submitted)")

    def home(self, user: str) -> None:
        before = self.slack.home(user)
        self._send(self.slack.open_home(user))
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:
            now = self.slack.home(user)
            if now is not None and (before is None or now.hash != before.hash):
                break
            time.sleep(0.1)
        now = self.slack.home(user)
        if now is None:
            self.say("  (the Home tab is not published yet)")
            return
        self.say("\n== Home ==\n" + self._render(now.id).replace("\n", "\n  "))

    # -- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _block(view: dict[str, Any], field: str) -> str | None:
        ids = [str(b["block_id"]) for b in view.get("blocks", []) if b.get("type") == "input"]
        if field in ids:
            return field
        if field in ALIASES and ALIASES[field] in ids:
            return ALIASES[field]
        ends = [i for i in ids if i.rsplit(":", 1)[-1] == field]
        return ends[0] if ends else None

    def _send(self, body: bytes | None) -> dict[str, Any] | None:
        if body is None:
            return None
        response = self.http.post(
            EVENTS_PATH, content=body, headers=signed_headers(body, self.secret)
        )
        time.sleep(0.3)  # the bot's worker pool answers (views.update) meanwhile
        if response.status_code != 200:
            self.say(f"  ! the bot answered HTTP {response.status_code}")
            return None
        type_ = response.headers.get("content-type", "")
        if response.content and type_.startswith("application/json"):
            data = response.json()
            return data if isinstance(data, dict) else None
        return None
