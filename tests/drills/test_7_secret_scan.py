"""Drill 7: every log the drills' bot processes wrote is scanned for tokens and secrets.

It runs after the other drills (conftest orders it last) and scans every `*.log` under the
run's drill directory. It first runs a short session of its own that pokes at the paths most
likely to log a secret (a token typed into a command, forged and refused requests, an
orchestrator refusal, a usage error) at DEBUG, so that the scan means something even when run
alone and covers the most talkative level.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from standins.orchestrator import Simulator, default_world, serve
from standins.slack import FakeSlack
from standins.slack.requests import signed_headers, slash_command
from tests.drills.support import Drill, running_bot
from tests.support.process import BOT_TOKEN, SECRET, BotProcess

pytestmark = pytest.mark.drill

RBAC_TOKEN = BotProcess(Path("."), "", "").env()["PE_RBAC_TOKEN"]
LITERALS = {"the bot token": BOT_TOKEN, "the signing secret": SECRET, "the RBAC token": RBAC_TOKEN}
PATTERNS = {
    "a Slack token": re.compile(r"xox[abposr]-[A-Za-z0-9-]{6,}"),
    "an app-level token": re.compile(r"xapp-[A-Za-z0-9]"),
}
CHANNEL = "C0DEPLOYS"


def poke(bot: BotProcess, slack: FakeSlack) -> list[str]:
    """Requests that make the bot log: what a leak would most likely ride on."""

    def url() -> str:
        return slack.new_response_url(channel=CHANNEL, user="U0ALICE")

    typed = (
        "production --nodes web01.example.com --noop --description "
        "'xoxb-1234567890-0987654321-typedIntoChat' --userdata token=xapp-1-A0123-abc"
    )
    done = [
        (
            "a token typed into a deploy's description and userdata",
            bot.command(f"/deploy {typed}", response_url=url()).status_code,
        ),
        (
            "an unknown environment (the orchestrator refuses it)",
            bot.command(
                "/deploy nowhere --nodes web01.example.com --noop", response_url=url()
            ).status_code,
        ),
        ("a usage error", bot.command("/deploy --nodes", response_url=url()).status_code),
        (
            "a /task that needs the orchestrator's metadata",
            bot.command(
                "/task package action=status name=openssl --nodes web01.example.com",
                response_url=url(),
            ).status_code,
        ),
    ]
    body = slash_command(
        "/deploy",
        "production --nodes web02.example.com",
        user_id="U0ALICE",
        channel_id=CHANNEL,
        response_url=url(),
    )
    done.append(
        (
            "a forged signature",
            bot.post(body, headers=signed_headers(body, "forged-" + SECRET)).status_code,
        )
    )
    done.append(
        (
            "a stale timestamp",
            bot.post(
                body, headers=signed_headers(body, SECRET, int(time.time()) - 900)
            ).status_code,
        )
    )
    return [f"{what} (HTTP {status})" for what, status in done]


@pytest.mark.timeout(120)
def test_no_log_of_any_drill_holds_a_token_or_a_secret(drill_root: Path, slack: FakeSlack) -> None:
    sim = Simulator(default_world(), node_seconds=0.2)
    with Drill("7. secret scan of every drill's logs") as drill:
        with (
            serve(sim) as orchestrator,
            running_bot(
                drill_root / "secret-scan",
                slack,
                orchestrator.url,
                extra_env={"LOG_LEVEL": "DEBUG"},
            ) as bot,
        ):
            poked = poke(bot, slack)
            slack.wait_for(
                lambda f: len(f.responses()) >= 3, timeout=30, description="the bot's answers"
            )
            time.sleep(1.5)
        drill.tried(
            "a session of its own first, at LOG_LEVEL=DEBUG (slack_sdk then logs every "
            "request with its headers): " + "; ".join(poked)
        )

        files = sorted(drill_root.rglob("*.log"))
        lines = infos = debugs = 0
        leaks: list[str] = []
        for path in files:
            for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                lines += 1
                infos += " INFO " in line
                debugs += " DEBUG " in line
                found = [name for name, value in LITERALS.items() if value in line]
                found += [name for name, pattern in PATTERNS.items() if pattern.search(line)]
                if found:
                    leaks.append(f"{path.relative_to(drill_root)}:{number}: {', '.join(found)}")
        redacted = sum(p.read_text(errors="replace").count("[redacted]") for p in files)
        drill.tried(
            f"scanned every *.log under the run's drill directory for {', '.join(LITERALS)}"
            f" (their values) and for {', '.join(PATTERNS)} "
            f"({', '.join(p.pattern for p in PATTERNS.values())})"
        )
        drill.found(
            f"{len(files)} log files, {lines:,} lines ({infos:,} at INFO, {debugs:,} at "
            f"DEBUG), "
            f"{redacted} '[redacted]' marks, {len(leaks)} lines with a secret"
        )
        drill.check(
            bool(files) and infos > 0,
            "the bots logged at INFO (the scan has material)",
            (len(files), infos),
        )
        drill.check(not leaks, "no token or secret in any log", leaks[:5])
