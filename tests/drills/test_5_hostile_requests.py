"""Drill 5: hostile requests at /slack/events of the bot process: forged signature, stale
timestamp, replayed request, oversized body, non-UTF-8 body (and a few more of the same kind).

Each must be refused with its status, and nothing may run: the simulator must see no command
request from any of them. The policy lets everything run, so anything let through would show.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from pathlib import Path

import httpx
import pytest

from standins.orchestrator import Simulator, default_world, serve
from standins.slack import FakeSlack
from standins.slack.requests import FORM, signed_headers, slash_command
from tests.drills.support import Drill, command_requests, running_bot
from tests.support.process import SECRET

pytestmark = pytest.mark.drill

CHANNEL = "C0DEPLOYS"


def hmac_headers(body: bytes, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 signature computed by hand: slack_sdk's signer wants a str body."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    return {
        "content-type": FORM,
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": "v0=" + digest.hexdigest(),
    }


@pytest.mark.timeout(300)
def test_hostile_requests_are_refused_and_nothing_runs(drill_dir: Path, slack: FakeSlack) -> None:
    sim = Simulator(default_world(), node_seconds=0.3)
    with (
        Drill("5. hostile requests") as drill,
        serve(sim) as orchestrator,
        running_bot(drill_dir, slack, orchestrator.url) as bot,
    ):

        def deploy(node: str = "web01.example.com") -> bytes:
            url = slack.new_response_url(channel=CHANNEL, user="U0ALICE")
            return slash_command(
                "/deploy",
                f"production --nodes {node} --noop",
                user_id="U0ALICE",
                channel_id=CHANNEL,
                response_url=url,
            )

        now = int(time.time())
        body = deploy()
        big = b"command=%2Fdeploy&text=production+--nodes+" + b"a" * (300 * 1024)
        utf8_bad = b"command=%2Fdeploy&text=production+--nodes+web01\xff\xfe&user_id=U0ALICE"
        cases: list[tuple[str, bytes, dict[str, str], int]] = [
            (
                "forged signature (signed with another secret)",
                body,
                signed_headers(body, "not-the-signing-secret"),
                401,
            ),
            ("stale timestamp (10 minutes old, correctly signed)", deploy(), {}, 401),
            ("timestamp 10 minutes in the future (correctly signed)", deploy(), {}, 401),
            (
                "signature of another body (tampered text)",
                deploy("web02.example.com"),
                signed_headers(deploy("web03.example.com"), SECRET),
                401,
            ),
            ("no signature headers at all", deploy(), {"content-type": FORM}, 401),
            ("oversized body (300 KB, correctly signed)", big, hmac_headers(big), 413),
            ("non-UTF-8 body (signed with hmac by hand)", utf8_bad, hmac_headers(utf8_bad), 400),
        ]
        # Headers that depend on the body they travel with.
        cases[1] = (cases[1][0], cases[1][1], signed_headers(cases[1][1], SECRET, now - 600), 401)
        cases[2] = (cases[2][0], cases[2][1], signed_headers(cases[2][1], SECRET, now + 600), 401)

        drill.tried(
            f"{len(cases) + 1} hostile requests at {bot.url}/slack/events, each a "
            "/deploy the policy would run at once"
        )
        for what, payload, headers, expected in cases:
            response = bot.post(payload, headers=headers)
            drill.check(
                response.status_code == expected,
                f"{what}: HTTP {response.status_code} (want {expected})",
                response.text[:100],
            )
        time.sleep(1.5)  # anything let through would have reached the orchestrator by now
        drill.check(
            command_requests(sim) == 0,
            "none of them reached the orchestrator",
            command_requests(sim),
        )

        # A replay: the genuine request runs once; the same bytes again are refused.
        genuine = deploy("web04.example.com")
        headers = signed_headers(genuine, SECRET)
        first = bot.post(genuine, headers=headers)
        second = bot.post(genuine, headers=headers)
        slack.wait_for(
            lambda _: command_requests(sim) >= 1,
            timeout=15,
            description="the genuine request launched",
        )
        time.sleep(1.5)
        drill.check(
            first.status_code == 200 and second.status_code == 401,
            f"replayed request (same body and headers twice): HTTP "
            f"{first.status_code} then {second.status_code} (want 200 then 401)",
        )
        drill.check(
            command_requests(sim) == 1,
            "the replay ran nothing: one command request, the genuine one",
            command_requests(sim),
        )

        health = httpx.get(bot.url + "/health", timeout=5)
        refused = [
            line
            for line in bot.log_path.read_text(errors="replace").splitlines()
            if "refused" in line.lower() or "signature" in line.lower()
        ]
        drill.found(
            f"the bot stayed up (/health HTTP {health.status_code}, "
            f"{health.json()}); {len(refused)} log lines about refused or badly signed "
            f"requests; simulator command requests in all: {command_requests(sim)}"
        )
        drill.check(bot.proc is not None and bot.proc.poll() is None, "the bot is still running")


@pytest.mark.timeout(120)
def test_a_request_replayed_after_a_restart_is_refused(drill_dir: Path, slack: FakeSlack) -> None:
    sim = Simulator(default_world(), node_seconds=0.3)
    with (
        Drill("5b. a request replayed after a restart") as drill,
        serve(sim) as orchestrator,
        running_bot(drill_dir, slack, orchestrator.url) as bot,
    ):
        url = slack.new_response_url(channel=CHANNEL, user="U0ALICE")
        body = slash_command(
            "/deploy",
            "production --nodes web05.example.com --noop",
            user_id="U0ALICE",
            channel_id=CHANNEL,
            response_url=url,
        )
        headers = signed_headers(body, SECRET)
        first = bot.post(body, headers=headers)
        slack.wait_for(
            lambda _: command_requests(sim) >= 1,
            timeout=15,
            description="the genuine request launched",
        )
        bot.kill()
        bot.start()
        replay = bot.post(body, headers=headers)
        time.sleep(2.0)
        drill.tried(
            "a genuine signed /deploy, kill -9 and restart, then the same bytes again "
            "(still inside Slack's 5-minute signature window)"
        )
        drill.found(
            f"HTTP {first.status_code} then {replay.status_code}; the orchestrator got "
            f"{command_requests(sim)} command requests"
        )
        drill.check(
            replay.status_code == 401 and command_requests(sim) == 1,
            "the replay is refused and runs nothing",
            (replay.status_code, command_requests(sim)),
        )
