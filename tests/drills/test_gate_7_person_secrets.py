"""Drill G7: people's PE passwords and tokens stay out of every record (issue 15).

The bot runs in person mode at LOG_LEVEL=DEBUG (the Slack SDK's own debug logging included). A
person signs in with a password through the modal, another with a pasted token; one types a
token after `/pe login`; they run things (PE refuses the viewer's task) and sign out. A second
bot in Socket Mode, where the SDK logs every incoming payload at DEBUG, takes a sign-in form
too. Then no password and no token may be found in the logs, the SQLite files (WAL included),
the inbox, the audit, or anything the bot sent to Slack.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from identity.vault import generate_key
from standins.orchestrator import Simulator, default_world, serve
from standins.slack import FakeSlack
from standins.slack.requests import slash_command, view_submission
from tests.drills.support import Drill, running_bot
from tests.support.process import BotProcess
from tests.support.socketmode import SocketModeServer

pytestmark = pytest.mark.drill

CHANNEL = "C0DEPLOYS"
PASSWORDS = ("operator-password", "admin-password")


def wait_for(what: str, check: Callable[[], object], timeout: float = 20.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def told(slack: FakeSlack, user: str, words: str) -> bool:
    said = [*slack.ephemerals(user), *slack.responses()]
    return any(words in f"{m.text} {json.dumps(m.blocks)}" for m in said)


def pe(bot: BotProcess, slack: FakeSlack, user: str, text: str) -> httpx.Response:
    url = slack.new_response_url(channel=CHANNEL, user=user)
    trigger = slack.new_trigger_id(user=user, channel=CHANNEL)
    body = slash_command(
        "/pe", text, user_id=user, channel_id=CHANNEL, response_url=url, trigger_id=trigger
    )
    return bot.post(body)


def modal_sign_in(bot: BotProcess, slack: FakeSlack, user: str, **fields: str) -> None:
    pe(bot, slack, user, "login")
    view = wait_for("the sign-in modal", lambda: slack.open_modal(user))
    for block, value in fields.items():
        slack.fill(view.id, block, block, value, user=user)  # type: ignore[attr-defined]
    response = bot.post(slack.submission(view.id, user=user))  # type: ignore[attr-defined]
    slack.answer_submission(view.id, response.json() if response.content else None)  # type: ignore[attr-defined]


def scan(path: Path, secrets: dict[str, str]) -> list[str]:
    """Which secrets appear in the files under `path` (names only)."""
    found = []
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        data = file.read_bytes()
        found += [f"{name} in {file.name}" for name, s in secrets.items() if s.encode() in data]
    return found


def slack_text(slack: FakeSlack) -> str:
    calls = [json.dumps(c.params, default=str) for c in slack.calls()]
    posts = [json.dumps(r.body, default=str) for r in slack.responses()]
    return "\n".join(calls + posts)


@pytest.mark.timeout(300)
def test_no_password_or_token_is_kept_anywhere(drill_dir: Path, slack: FakeSlack) -> None:
    for user in ("U0BOB", "U0CAROL"):
        slack.add_user(user, user[3:].lower())
    sim = Simulator(default_world(), node_seconds=0.3)
    with (
        Drill("G7. people's PE passwords and tokens are kept nowhere") as drill,
        serve(sim) as orchestrator,
    ):
        env = {
            "PE_IDENTITY": "person",
            "TOKEN_ENCRYPTION_KEY": generate_key(),
            "PE_RBAC_URL": orchestrator.url,
            "LOG_LEVEL": "DEBUG",
        }
        pasted = httpx.post(
            orchestrator.url + "/rbac-api/v1/auth/token",
            json={"login": "viewer", "password": "viewer-password", "label": "drill paste"},
        ).json()["token"]
        typed = sim_token(orchestrator.url, "admin", "admin-password")
        http_dir = drill_dir / "http"
        with running_bot(http_dir, slack, orchestrator.url, extra_env=env) as bot:
            modal_sign_in(
                bot, slack, "U0ALICE", pe_user="operator", pe_password="operator-password"
            )
            wait_for("alice signed in", lambda: told(slack, "U0ALICE", "Signed in to PE"))
            modal_sign_in(bot, slack, "U0CAROL", pe_token=pasted)
            wait_for("carol signed in", lambda: told(slack, "U0CAROL", "Signed in to PE"))
            refused = pe(bot, slack, "U0BOB", f"login {typed}")
            drill.check(
                "never takes a secret" in refused.text, "a token typed after /pe is refused"
            )
            url = slack.new_response_url(channel=CHANNEL, user="U0ALICE")
            bot.command("/deploy production --nodes web01.example.com --noop", response_url=url)
            wait_for("alice's job", lambda: told(slack, "U0ALICE", ": sent"))
            url = slack.new_response_url(channel=CHANNEL, user="U0CAROL")
            bot.command(
                "/task package action=status name=openssl --nodes web01.example.com",
                response_url=url,
                user="U0CAROL",
            )
            wait_for("PE refusing carol", lambda: told(slack, "U0CAROL", "PE says viewer"))
            pe(bot, slack, "U0ALICE", "whoami")
            wait_for("whoami", lambda: told(slack, "U0ALICE", "You are *operator*"))
            for user in ("U0ALICE", "U0CAROL"):
                pe(bot, slack, user, "logout")
            wait_for("sign-outs", lambda: told(slack, "U0CAROL", "Signed out"))
            drill.tried(
                "person mode at DEBUG: alice signs in with a password, carol pastes a token, bob "
                "types one after /pe login; a noop deploy, a task PE refuses; whoami; logout"
            )
            secrets = {f"password {p}": p for p in PASSWORDS}
            secrets["the pasted token"] = pasted
            secrets["the typed token"] = typed
            for n, token in enumerate(sorted(sim.rbac.issued)):
                secrets.setdefault(f"issued token {n}", token)
            while_running = scan(http_dir, secrets)
        socket_dir = drill_dir / "socket"
        socket_found = socket_sign_in(socket_dir, slack, orchestrator.url, env)
        after = scan(http_dir, secrets) + scan(socket_dir, secrets)
        in_slack = [n for n, s in secrets.items() if s in slack_text(slack)]
        drill.check(
            not while_running, "no secret in the files while the bot runs (WAL)", while_running
        )
        drill.check(not after, "no secret in logs, databases or the inbox after", after)
        drill.check(not in_slack, "no secret in anything sent to Slack", in_slack)
        drill.check(socket_found, "the Socket Mode bot got the sign-in form and logged at DEBUG")
        assert not while_running and not after and not in_slack and socket_found


def sim_token(url: str, login: str, password: str) -> str:
    answer = httpx.post(
        url + "/rbac-api/v1/auth/token",
        json={"login": login, "password": password, "label": f"drill {time.time()}"},
    )
    return str(answer.json()["token"])


def socket_sign_in(directory: Path, slack: FakeSlack, orchestrator_url: str, env: dict) -> bool:
    """A Socket Mode bot at DEBUG takes a sign-in form with a password; True if its log shows
    it received the payload (so the scan of that log means something)."""
    server = SocketModeServer()
    slack.socket_mode(server.url)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "policy.toml").write_text('[[rule]]\nname = "all"\naction = "run"\n')
    process = BotProcess(
        directory,
        slack.api_url,
        orchestrator_url,
        mode="socket",
        ready=server.connected.is_set,
        extra_env={**env, "SLACK_APP_TOKEN": "xapp-1-A0APP-1-test", "SLACK_SIGNING_SECRET": ""},
    )
    try:
        process.start()
        form = view_submission(
            "pe_login",
            CHANNEL,
            {"pe_user": {"pe_user": "admin"}, "pe_password": {"pe_password": "admin-password"}},
            user_id="U0BOB",
        )
        payload = json.loads(parse_qs(form.decode())["payload"][0])
        server.ack(server.send_envelope("interactive", payload))
        wait_for("bob signed in over Socket Mode", lambda: told(slack, "U0BOB", "Signed in"))
    finally:
        process.stop()
        process.kill()
        server.stop()
    log = (directory / "bot.log").read_text(errors="replace")
    return "a Slack payload" in log and "DEBUG" in log
