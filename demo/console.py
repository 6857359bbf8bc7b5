"""`make demo`: the whole bot against the built-in simulator, with a terminal standing in for Slack.

Commands typed here become signed Slack requests into the same Bolt app, through the same WSGI
handler as HTTP mode; what the bot posts goes to a local Slack Web API stand-in that prints it.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, TextIO

import httpx

import config
from demo.forms import HELP as FORM_HELP
from demo.forms import FormDesk
from identity.vault import generate_key
from runtime.assemble import Bot, build
from runtime.health import Health
from runtime.serve import EVENTS_PATH, wsgi_app
from standins.orchestrator import Simulator, default_world, serve
from standins.slack import FakeSlack, SlackEvent, render_blocks
from standins.slack.requests import block_actions, signed_headers, slash_command, view_submission
from store import jobs

USERS = {"alice": "U0ALICE", "bob": "U0BOB", "carol": "U0CAROL"}
NAMES = {v: k for k, v in USERS.items()}
CHANNEL = "C0DEPLOYS"
WAIT_LIMIT = 300.0
HELP = """\
Type slash commands as in Slack, e.g.
  /deploy production --nodes web01.example.com,web02.example.com --noop
  /task package action=status name=openssl --nodes db01.example.com -e development
  /plan canary nodes=web01.example.com,web02.example.com command=whoami canary=1 -e development
Other lines:
  as carol /task package action=status name=openssl --nodes web09.example.com -e development
                                   PE refuses it: carol is the read-only PE user viewer
  /pe whoami                       who you are in PE (alice is operator, bob admin)
  as <alice|bob|carol> <command>   act as another user (you are alice)
  click <button> [reason]          press a button on the latest card that has it
                                   (approve, reject, stop, enforce, re-run, force-stop)
  elsewhere /deploy|/task ...      start a job outside the bot, as PE user alice (the PE
                                   console); `$last` in a later line is its job id
                                   (e.g. /watch $last)
  wait                             wait until every followed job is done
  help, quit
"""
HELP += FORM_HELP


class Console:
    """Prints what the bot posts; turns typed lines into signed requests."""

    def __init__(
        self,
        out: TextIO,
        slack: FakeSlack,
        http: httpx.Client,
        secret: str,
        bot: Bot,
        sim_url: str = "",
    ) -> None:
        self.sim_url = sim_url
        self.last_elsewhere = ""
        self.out = out
        self.slack = slack
        self.http = http
        self.secret = secret
        self.bot = bot
        self.user = USERS["alice"]
        self._lock = threading.Lock()
        self._buttons: list[tuple[str, str, dict[str, Any]]] = []
        self._pending_reason = "no reason given"
        self._clicker = self.user
        self.forms = FormDesk(slack, http, secret, self._print)

    # -- what Slack shows -----------------------------------------------------------------------

    def show(self, event: SlackEvent) -> None:
        names = {k: v for k, v in self.slack.user_names().items()}
        text = render_blocks(event.text, event.blocks, names)
        with self._lock:
            if self.forms.shown(event):
                return
            if event.kind == "view_opened":
                self._submit_reason(event)
                return
            if event.kind == "posted" and event.thread_ts and event.thread_ts != event.ts:
                self._print("  ↳ " + text.replace("\n", "\n    "))
            elif event.kind == "posted":
                self._print(f"\n#deploys · pe-bot\n  {text.replace(chr(10), chr(10) + '  ')}")
            elif event.kind == "updated":
                self._print(f"  ✎ card updated: {render_blocks(event.text, None, names)}")
            elif event.kind in ("ephemeral", "response"):
                who = NAMES.get(event.user or "", event.user or "you")
                self._print(f"  (only {who} sees) " + text.replace("\n", "\n    "))
            self._remember_buttons(event)

    def _print(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def _remember_buttons(self, event: SlackEvent) -> None:
        for block in event.blocks or ():
            for element in block.get("elements") or ():
                if element.get("type") == "button":
                    self._buttons.append((event.channel or CHANNEL, event.ts or "", element))

    # -- what people do -------------------------------------------------------------------------

    def line(self, raw: str) -> bool:
        """Handle one typed line; False means quit."""
        text = raw.strip()
        if not text or text.startswith("#"):
            return True
        if text in ("quit", "exit"):
            return False
        text = text.replace("$last", self.last_elsewhere)
        if text == "help":
            self._print(HELP)
        elif text == "wait":
            self.wait()
        elif text.startswith("elsewhere "):
            self.elsewhere(text[len("elsewhere ") :])
        elif text.startswith("as "):
            _, who, rest = (text.split(None, 2) + ["", ""])[:3]
            self.act(USERS.get(who.lower(), who), rest)
        else:
            self.act(self.user, text)
        return True

    def act(self, user: str, text: str) -> None:
        if text.startswith("/"):
            self.command(user, text)
        elif text.startswith("click "):
            self.click(user, text[len("click ") :])
        elif text.startswith("fill "):
            self.forms.fill(user, text[len("fill ") :])
        elif text in ("submit", "home"):
            (self.forms.submit if text == "submit" else self.forms.home)(user)
        else:
            self._print(f"  ? {text!r}: type a slash command, `click <button>`, `wait` or `help`")

    def elsewhere(self, text: str) -> None:
        """A job started outside the bot: the same command, sent to PE as another user."""
        from commands import parse
        from commands.intents import RunDeploy, RunTask, UsageError

        name, _, rest = text.partition(" ")
        try:
            intent = parse(name, rest)
        except UsageError as exc:
            self._print(f"  ? {exc.message}")
            return
        if isinstance(intent, RunDeploy):
            path, body = "deploy", intent.request.body()
        elif isinstance(intent, RunTask):
            path = "task"
            body = {
                "environment": intent.environment,
                "task": intent.task,
                "params": dict(intent.raw_params),
                "scope": intent.scope.body(),
            }
        else:
            self._print("  ? elsewhere takes a /deploy or /task command")
            return
        reply = httpx.post(
            f"{self.sim_url}/_sim/as/alice/orchestrator/v1/command/{path}", json=body, timeout=10
        )
        if reply.status_code != 202:
            self._print(f"  ! PE refused it: {reply.text[:200]}")
            return
        self.last_elsewhere = str(reply.json()["job"]["name"])
        self._print(f"  (alice starts job {self.last_elsewhere} in the PE console, not in Slack)")

    def command(self, user: str, text: str) -> None:
        name, _, rest = text.partition(" ")
        url = self.slack.new_response_url(channel=CHANNEL, user=user)
        trigger = self.slack.new_trigger_id(user=user, channel=CHANNEL)  # a form may open
        body = slash_command(
            name, rest, user_id=user, channel_id=CHANNEL, response_url=url, trigger_id=trigger
        )
        self._post(body, user)

    def click(self, user: str, words: str) -> None:
        wanted, _, reason = words.partition(" ")
        found = self._find_button(wanted.lower())
        if found is None:
            self._print(f"  ? no button like {wanted!r} on the cards so far")
            return
        channel, ts, button = found
        self._pending_reason = reason or "no reason given"
        self._clicker = user
        url = self.slack.new_response_url(channel=channel, user=user, message_ts=ts or None)
        self._print(f"  ({NAMES.get(user, user)} clicks [ {button['text']['text']} ])")
        self._post(
            block_actions(
                button["action_id"],
                button.get("value", ""),
                user_id=user,
                channel_id=channel,
                message_ts=ts or "0",
                response_url=url,
                button_text=button["text"]["text"],
                trigger_id=self.slack.new_trigger_id(user=user, channel=channel),
            )
        )

    def _find_button(self, wanted: str) -> tuple[str, str, dict[str, Any]] | None:
        key = wanted.replace("-", "").replace("_", "")
        with self._lock:
            for channel, ts, button in reversed(self._buttons):
                label = button["text"]["text"].lower().replace("-", "").replace(" ", "")
                action = button["action_id"].replace("_", "")
                if label.startswith(key) or key in action:
                    return channel, ts, button
        return None

    def _submit_reason(self, event: SlackEvent) -> None:
        """A modal opened (Reject asks why): answer it with the reason typed after `click`."""
        opened = self.slack.views()[-1].view
        body = view_submission(
            opened.get("callback_id", ""),
            opened.get("private_metadata", ""),
            {"reason": {"reason_text": self._pending_reason}},
            user_id=self._clicker,
        )
        threading.Thread(target=self._post, args=(body,), daemon=True).start()

    def _post(self, body: bytes, user: str | None = None) -> None:
        response = self.http.post(
            EVENTS_PATH, content=body, headers=signed_headers(body, self.secret)
        )
        if response.status_code != 200:
            self._print(f"  ! the bot answered HTTP {response.status_code}")
            return
        if response.content and response.headers.get("content-type", "").startswith(
            "application/json"
        ):
            payload = response.json()
            who = NAMES.get(user or "", "you")
            self._print(
                f"  (only {who} sees) " + render_blocks(payload.get("text"), payload.get("blocks"))
            )
        elif response.content:
            self._print(f"  (only {NAMES.get(user or '', 'you')} sees) {response.text}")
        time.sleep(0.3)

    def busy(self) -> bool:
        db = self.bot.deps.store.db
        open_requests = db.execute(
            "SELECT count(*) FROM requests WHERE state IN ('new', 'approved', 'launching')"
        ).fetchone()[0]
        unsent = db.execute(
            "SELECT count(*) FROM posts WHERE state IN ('pending', 'sending')"
        ).fetchone()[0]
        stale_cards = db.execute(
            "SELECT count(*) FROM jobs WHERE card_ts IS NOT NULL AND "
            "card_version > card_sent_version"
        ).fetchone()[0]
        # A one-off schedule from chat is owed a run (and so a card) until it ends.
        due_once = db.execute(
            "SELECT count(*) FROM schedules WHERE state = 'enabled' AND "
            "json_extract(body, '$.schedule.interval') IS NULL"
        ).fetchone()[0]
        return bool(open_requests or unsent or stale_cards or due_once or jobs.followed_count(db))

    def wait(self, limit: float = WAIT_LIMIT) -> None:
        deadline = time.monotonic() + limit
        time.sleep(0.5)
        while self.busy() and time.monotonic() < deadline:
            time.sleep(0.2)
        if self.busy():
            self._print("  (still busy; giving up waiting)")


def _settings(
    tmp: Path, sim_url: str, slack: FakeSlack, secret: str, database: str | None, policy_file: str
) -> config.Settings:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-demo-token",
        "SLACK_SIGNING_SECRET": secret,
        "SLACK_API_URL": slack.api_url,
        "PE_ORCHESTRATOR_URL": sim_url,
        "PUPPETDB_URL": sim_url,
        "PE_CLASSIFIER_URL": sim_url,
        "PE_RBAC_TOKEN": "demo-token",
        "PE_CONSOLE_URL": "https://puppet.example.com",
        "DATABASE_PATH": database or str(tmp / "demo.db"),
        "POLL_INTERVAL": "1",
        "POLICY_FILE": policy_file,
        "CONNECTIONS_FILE": str(tmp / "connections.toml"),
        "LOG_LEVEL": "WARNING",
        # Person mode (issue 15): each person's commands run as their own PE user.
        "PE_IDENTITY": "person",
        "PE_RBAC_URL": sim_url,
        "TOKEN_ENCRYPTION_KEY": generate_key(),
    }
    return config.load(env)


# Who the demo's people are in PE: signed in before the first line is read.
PE_LOGINS = {
    "U0ALICE": ("operator", "operator-password"),
    "U0BOB": ("admin", "admin-password"),
    "U0CAROL": ("viewer", "viewer-password"),
}


def sign_everyone_in(bot: Bot) -> str:
    """Sign the demo's people in to the simulator's RBAC, as `/pe login` would."""
    people = bot.deps.people
    if people is None:
        return ""
    for user, (login, password) in PE_LOGINS.items():
        outcome = people.sign_in_password(user, login, password)
        if not outcome.ok:
            raise RuntimeError(f"the demo could not sign {NAMES[user]} in: {outcome.message}")
    return ", ".join(f"{NAMES[u]} as {login}" for u, (login, _) in PE_LOGINS.items())


def run_demo(
    *,
    node_seconds: float = 1.0,
    database: str | None = None,
    policy_file: str = "policy.toml",
    stdin: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
) -> int:
    from runtime import logsetup

    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        os.environ.pop(name, None)  # the demo's Slack is on loopback; slack_sdk ignores NO_PROXY
    logsetup.setup("WARNING", stream=sys.stderr)
    secret = secrets.token_hex(16)
    with tempfile.TemporaryDirectory() as tmpdir, FakeSlack("xoxb-demo-token") as slack:
        sim = Simulator(default_world(), node_seconds=node_seconds)
        with serve(sim, port=0) as running:
            settings = _settings(Path(tmpdir), running.url, slack, secret, database, policy_file)
            bot = build(settings)
            bot.start()
            signed_in = sign_everyone_in(bot)
            http = httpx.Client(
                transport=httpx.WSGITransport(app=wsgi_app(bot, Health(bot))),
                base_url="http://bot",
            )
            console = Console(out, slack, http, secret, bot, sim_url=running.url)
            slack.subscribe(console.show)
            out.write(f"PE ChatOps demo · simulator at {running.url} · you are alice in #deploys\n")
            out.write(f"Signed in to PE (person mode): {signed_in}\n")
            out.write(HELP if stdin.isatty() else "")
            try:
                _loop(console, stdin, out)
                console.wait()
            except KeyboardInterrupt:
                out.write("\n")
            finally:
                bot.shutdown()
    return 0


def _loop(console: Console, stdin: TextIO, out: TextIO) -> None:
    interactive = stdin.isatty()
    while True:
        if interactive:
            out.write(f"{NAMES.get(console.user, console.user)}> ")
            out.flush()
        raw = stdin.readline()
        if not raw:
            return
        if not interactive and raw.strip():
            out.write(f"\n> {raw.rstrip()}\n")
        if not console.line(raw):
            return


if __name__ == "__main__":
    sys.exit(run_demo())
