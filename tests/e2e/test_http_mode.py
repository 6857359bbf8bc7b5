"""`python bot.py run` in HTTP mode, driven over real HTTP with signed requests."""

from __future__ import annotations

import hashlib
import hmac
import time

from standins.orchestrator import RunningSimulator
from standins.slack import FakeSlack
from standins.slack.requests import signed_headers, slash_command
from tests.support.harness import block_text
from tests.support.process import SECRET, BotProcess

CHANNEL = "C0DEPLOYS"


def deploy_body(slack: FakeSlack, text: str = "production --nodes web01.example.com --noop"):
    url = slack.new_response_url(channel=CHANNEL, user="U0ALICE")
    return slash_command("/deploy", text, user_id="U0ALICE", channel_id=CHANNEL, response_url=url)


def test_a_signed_command_runs_a_job_and_its_thread_ends_with_a_summary(
    bot: BotProcess, slack: FakeSlack, orchestrator: RunningSimulator
) -> None:
    started = time.monotonic()
    response = bot.post(
        deploy_body(slack, "production --nodes web01.example.com,web07.example.com --noop")
    )
    assert response.status_code == 200 and "Working on it" in response.text
    assert time.monotonic() - started < 2.0
    slack.wait_for(lambda _: _commands(orchestrator) == 1, timeout=10)

    def summary(fake: FakeSlack) -> str | None:
        for card in fake.messages(CHANNEL):
            for reply in fake.thread(CHANNEL, card.ts)[1:]:
                if "nodes succeeded" in (reply.text or ""):
                    return block_text(reply.blocks or [])
        return None

    text = slack.wait_for(summary, timeout=30)
    assert "1/2 nodes succeeded" in text and "web07.example.com" in text
    assert any("started as job" in block_text(r.blocks or []) for r in slack.responses())


def test_health_reports_the_store_the_orchestrator_and_followed_jobs(bot: BotProcess) -> None:
    report = bot.health()
    assert {k: report[k] for k in ("ok", "store", "orchestrator", "followed_jobs")} == {
        "ok": True,
        "store": "ok",
        "orchestrator": "reachable",
        "followed_jobs": 0,
    }
    # The bot asked Slack who it is, once, at start; nothing waits to be sent.
    assert report["slack"]["calls"]["auth.test"]["calls_last_minute"] == 1
    assert report["slack"]["queue"] == {"posts": 0, "cards": 0, "oldest_post_s": 0.0}


def test_health_reports_slack_calls_a_minute_against_their_limits(
    bot: BotProcess, slack: FakeSlack, orchestrator: RunningSimulator
) -> None:
    bot.post(deploy_body(slack, "production --nodes web01.example.com,web02.example.com --noop"))
    slack.wait_for(
        lambda f: any(
            "nodes succeeded" in (m.text or "")
            for c in f.messages(CHANNEL)
            for m in f.thread(CHANNEL, c.ts)
        ),
        timeout=30,
    )
    slack.wait_for(lambda _: bot.health()["slack"]["queue"]["cards"] == 0, timeout=30)
    calls = bot.health()["slack"]["calls"]
    posted = len([c for c in slack.calls("chat.postMessage") if c.status == 200])
    edited = len([c for c in slack.calls("chat.update") if c.status == 200])
    assert calls["chat.postMessage"]["calls_last_minute"] == posted >= 2
    assert calls["chat.postMessage"]["limit_per_minute"] == 300
    assert calls["chat.update"]["calls_last_minute"] == edited
    assert calls["chat.update"]["limit_per_minute"] == 50
    assert all(c["refused_429"] == 0 for c in calls.values())
    assert slack.rate_limited_count == {}


def test_a_forged_signature_is_refused_and_nothing_runs(
    bot: BotProcess, slack: FakeSlack, orchestrator: RunningSimulator
) -> None:
    body = deploy_body(slack)
    headers = signed_headers(body, "not-the-secret")
    assert bot.post(body, headers=headers).status_code == 401
    assert _commands(orchestrator) == 0


def test_a_stale_timestamp_is_refused(
    bot: BotProcess, slack: FakeSlack, orchestrator: RunningSimulator
) -> None:
    body = deploy_body(slack)
    headers = signed_headers(body, SECRET, timestamp=int(time.time()) - 600)
    assert bot.post(body, headers=headers).status_code == 401
    assert _commands(orchestrator) == 0


def test_a_replayed_request_is_refused(
    bot: BotProcess, slack: FakeSlack, orchestrator: RunningSimulator
) -> None:
    body = deploy_body(slack)
    headers = signed_headers(body, SECRET)
    assert bot.post(body, headers=headers).status_code == 200
    assert bot.post(body, headers=headers).status_code == 401
    slack.wait_for(lambda fake: _commands(orchestrator) >= 1, timeout=10)
    time.sleep(0.5)
    assert _commands(orchestrator) == 1


def test_an_oversized_body_is_refused(bot: BotProcess, orchestrator: RunningSimulator) -> None:
    body = b"text=" + b"a" * 300_000
    assert bot.post(body).status_code == 413
    assert _commands(orchestrator) == 0


def test_a_body_that_is_not_utf8_is_refused(
    bot: BotProcess, orchestrator: RunningSimulator
) -> None:
    body = b"command=%2Fdeploy&text=\xff\xfe"
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    headers = {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": "v0=" + digest.hexdigest(),
    }
    assert bot.post(body, headers=headers).status_code == 400
    assert _commands(orchestrator) == 0


def _commands(orchestrator: RunningSimulator) -> int:
    routes = orchestrator.sim.stats()["routes"]
    return sum(v["requests"] for k, v in routes.items() if "/command/" in k)
