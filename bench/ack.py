"""Ack latency: slash commands against a slow orchestrator, and Approve clicks in a storm.

The bot, the simulator, the fake Slack (enforcing Slack's limits) and the load generator each
run in a process of their own, so that what is measured is the bot and not the bench.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx

from bench import load
from bench.measure import percentile
from bench.stage import ALLOW_ALL, SlackProcess, simulator_process, slack_process
from standins.slack.requests import block_actions, signed_headers, slash_command
from tests.support.process import SECRET, BotProcess

CHANNEL = "C0DEPLOYS"
DEFAULTS_ONLY = "# No rules: the built-in defaults (enforcing production runs need approval)\n"


def _warm() -> tuple[bytes, dict[str, str]]:
    body = slash_command(
        "/deploy", "help", user_id="U0WARM", channel_id=CHANNEL, response_url="http://127.0.0.1:9/"
    )
    return body, signed_headers(body, SECRET)


def _launched(sim_url: str) -> int:
    routes = httpx.get(sim_url + "/_sim/stats", timeout=10).json()["routes"]
    return int(routes.get("POST /command/deploy", {}).get("requests", 0))


def _answers(slack: SlackProcess, words: str) -> int:
    return sum(
        words in json.dumps(c["params"])
        for c in slack.calls("response_url", blocks=True)
        if c["status"] == 200
    )


def _wait(what: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not what() and time.monotonic() < deadline:
        time.sleep(0.2)


def _times(result: dict[str, list[Any]]) -> dict[str, float]:
    times = result["times"]
    return {
        "ack_p50_ms": percentile(times, 50) * 1000,
        "ack_p99_ms": percentile(times, 99) * 1000,
        "ack_max_ms": max(times) * 1000,
        "acked_200": sum(s == 200 for s in result["statuses"]),
    }


def commands(
    tmp: Path, *, count: int = 200, concurrency: int = 20, latency: float = 1.5
) -> dict[str, Any]:
    """`count` /deploy commands, `concurrency` at a time, the orchestrator taking `latency` s."""
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "policy.toml").write_text(ALLOW_ALL)
    with slack_process() as slack, simulator_process(latency=latency) as sim_url:
        env = {"PE_TIMEOUT": "30", "LOG_LEVEL": "WARNING"}
        bot = BotProcess(tmp, slack.api_url, sim_url, extra_env=env)
        try:
            bot.start()
            reqs = []
            for i in range(count):
                user = f"U0B{i:05d}"
                url = slack.response_url(CHANNEL, user)
                text = f"production --nodes web{i % 12 + 1:02d}.example.com --noop"
                body = slash_command(
                    "/deploy", text, user_id=user, channel_id=CHANNEL, response_url=url
                )
                reqs.append((body, signed_headers(body, SECRET)))
            began = time.monotonic()
            result = load.run(bot.port, reqs, lanes=concurrency, warm=_warm())
            _wait(lambda: _launched(sim_url) >= count, 120)
            launched_in = time.monotonic() - began
            _wait(lambda: _answers(slack, "started as job") >= count, 120)
            told = _answers(slack, "started as job")
            launched = _launched(sim_url)
            refused = slack.refused()
        finally:
            bot.stop()
    working = sum("Working on it" in b for b in result["bodies"])
    return {
        "commands": count,
        "concurrency": concurrency,
        "latency_s": latency,
        **_times(result),
        "acked_working": working,
        "jobs_launched": launched,
        "users_told_job_started": told,
        "all_launched_in_s": launched_in,
        "slack_429s": sum(refused.values()),
    }


def clicks(tmp: Path, *, clickers: int = 50) -> dict[str, Any]:
    """`clickers` people press Approve on one approval card at the same moment."""
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "policy.toml").write_text(DEFAULTS_ONLY)
    with slack_process() as slack, simulator_process(node_seconds=0.5) as sim_url:
        bot = BotProcess(tmp, slack.api_url, sim_url, extra_env={"LOG_LEVEL": "WARNING"})
        try:
            bot.start()
            url = slack.response_url(CHANNEL, "U0ALICE")
            bot.command(
                "/deploy production --nodes web01.example.com,web02.example.com",
                response_url=url,
            )
            card: dict[str, Any] = {}
            _wait(lambda: card.update(_approval_card(slack)) or card, 30)
            reqs = []
            for i in range(clickers):
                user = f"U0APPR{i:02d}"
                body = block_actions(
                    "approval_approve",
                    card["value"],
                    user_id=user,
                    channel_id=CHANNEL,
                    message_ts=card["ts"],
                    response_url=slack.response_url(CHANNEL, user),
                )
                reqs.append((body, signed_headers(body, SECRET)))
            began = time.monotonic()
            result = load.run(bot.port, reqs, lanes=clickers, warm=_warm())
            _wait(lambda: _answers(slack, "already approved") >= clickers - 1, 60)
            answered_in = time.monotonic() - began
            _wait(lambda: _launched(sim_url) >= 1, 30)
            time.sleep(1.0)  # a second launch would show now
            launched = _launched(sim_url)
            told = _answers(slack, "already approved")
            refused = slack.refused()
        finally:
            bot.stop()
    return {
        "clickers": clickers,
        **_times(result),
        "deploys_launched": launched,
        "losers_told_who_decided": told,
        "all_answered_in_s": answered_in,
        "slack_429s": sum(refused.values()),
    }


def _approval_card(slack: SlackProcess) -> dict[str, str]:
    for message in slack.messages(CHANNEL):
        for block in message.get("blocks") or ():
            for element in block.get("elements") or ():
                if element.get("action_id") == "approval_approve":
                    return {"value": element["value"], "ts": message["ts"]}
    return {}
