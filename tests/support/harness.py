"""The whole bot wired for tests: real Bolt app, real store file, simulator, fake Slack."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from slack_bolt import BoltRequest, BoltResponse
from slack_sdk import WebClient

import config
from flows.targets import Resolver
from orchestrator.classifier import ClassifierClient
from orchestrator.client import OrchestratorClient
from orchestrator.puppetdb import PuppetDBClient
from orchestrator.rbac import RbacClient
from runtime.assemble import Bot, build
from runtime.slackapp import bolt_request
from standins.orchestrator import Simulator, default_world
from standins.slack import FakeSlack
from standins.slack.requests import block_actions, signed_headers, slash_command, view_submission
from store import jobs

SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test"
ALLOW_ALL = """
defaults = false

[[rule]]
name = "tests run everything"
action = "run"
"""


def signed(body: bytes) -> BoltRequest:
    """A signed request, built as the HTTP handler builds it."""
    return bolt_request(body.decode(), signed_headers(body, SECRET))


class Clock:
    """A clock that moves only when told to; shared by the bot and the simulator."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> float:
        with self._lock:
            self.now += seconds
            return self.now


class InlineExecutor(Executor):
    """Runs submitted work at once, so a test's dispatch() returns with the work done."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


def settings_env(tmp: Path, **overrides: str) -> dict[str, str]:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "PE_ORCHESTRATOR_URL": "http://127.0.0.1:1",
        "PE_RBAC_TOKEN": "demo-token",
        "DATABASE_PATH": str(tmp / "bot.db"),
        "POLICY_FILE": str(tmp / "policy.toml"),
        "CONNECTIONS_FILE": str(tmp / "connections.toml"),
        "POLL_INTERVAL": "5",
    }
    env.update(overrides)
    return env


@dataclass
class Harness:
    """Drive the bot as Slack would, and step time by hand."""

    bot: Bot
    sim: Simulator
    slack: FakeSlack
    clock: Clock
    tmp: Path

    @property
    def store(self) -> Any:
        return self.bot.deps.store

    def command(
        self, text: str, *, user: str = "U0ALICE", channel: str = "C0DEPLOYS"
    ) -> BoltResponse:
        name, _, rest = text.partition(" ")
        url = self.slack.new_response_url(channel=channel, user=user)
        body = slash_command(name, rest, user_id=user, channel_id=channel, response_url=url)
        return self.bot.app.dispatch(signed(body))

    def click(
        self,
        action_id: str,
        value: str,
        *,
        user: str,
        channel: str = "C0DEPLOYS",
        message_ts: str = "",
    ) -> BoltResponse:
        url = self.slack.new_response_url(channel=channel, user=user, message_ts=message_ts or None)
        body = block_actions(
            action_id,
            value,
            user_id=user,
            channel_id=channel,
            message_ts=message_ts or "0",
            response_url=url,
        )
        return self.bot.app.dispatch(signed(body))

    def submit_view(
        self,
        callback_id: str,
        private_metadata: str,
        values: dict[str, Any],
        *,
        user: str,
        view_id: str = "V000001",
    ) -> BoltResponse:
        body = view_submission(callback_id, private_metadata, values, user_id=user, view_id=view_id)
        return self.bot.app.dispatch(signed(body))

    def tick(self, seconds: float = 0.0) -> None:
        if seconds:
            self.clock.advance(seconds)
        self.bot.poller.tick()

    def followed(self) -> int:
        return jobs.followed_count(self.store.db)

    def run_until_quiet(self, *, step: float = 1.0, limit: float = 600.0) -> None:
        """Step time until no job is followed and every queued post is sent."""
        waited = 0.0
        while waited < limit:
            self.tick(step)
            waited += step
            pending = self.store.db.execute(
                "SELECT count(*) FROM posts WHERE state IN ('pending', 'sending')"
            ).fetchone()[0]
            if not self.followed() and not pending and not self._cards_behind():
                return
        raise AssertionError(f"still following {self.followed()} jobs after {limit}s")

    def _cards_behind(self) -> int:
        return self.store.db.execute(
            "SELECT count(*) FROM jobs WHERE card_ts IS NOT NULL AND "
            "card_version > card_sent_version"
        ).fetchone()[0]

    def responses(self) -> list[Any]:
        return list(self.slack.responses())

    def last_response_text(self) -> str:
        responses = self.responses()
        assert responses, "the bot answered nothing on the response_url"
        return _all_text(responses[-1])

    def requests_seen(self, path_suffix: str) -> list[dict[str, Any]]:
        """JSON bodies the simulator received on a command endpoint."""
        return [r["body"] for r in self.sim_requests if r["path"].endswith(path_suffix)]

    sim_requests: list[dict[str, Any]] = None  # type: ignore[assignment]


def _all_text(post: Any) -> str:
    return f"{post.text}\n{block_text(post.blocks or [])}"


def block_text(blocks: list[dict[str, Any]]) -> str:
    """Every piece of text in a list of blocks, for assertions."""
    parts: list[str] = []
    for block in blocks:
        if "text" in block and isinstance(block["text"], dict):
            parts.append(block["text"].get("text", ""))
        for field in block.get("fields") or ():
            parts.append(field.get("text", ""))
        for element in block.get("elements") or ():
            text = element.get("text")
            parts.append(text.get("text", "") if isinstance(text, dict) else str(text or ""))
    return "\n".join(parts)


def recording_transport(sim: Simulator, log: list[dict[str, Any]]) -> httpx.BaseTransport:
    """The simulator's in-process transport, recording every request the bot made."""
    inner = sim.transport()

    class Recording(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            body = request.content
            import json

            log.append(
                {
                    "method": request.method,
                    "path": request.url.path,
                    "query": dict(request.url.params),
                    "body": json.loads(body) if body else None,
                    "token": request.headers.get("X-Authentication"),
                }
            )
            return inner.handle_request(request)

    return Recording()


def make_harness(
    tmp: Path,
    *,
    policy: str | None = ALLOW_ALL,
    inline: bool = True,
    node_seconds: float = 2.0,
    env: dict[str, str] | None = None,
    world: Any = None,
    renderer: Any = None,
    person: bool = False,
) -> Harness:
    clock = Clock()
    sim = Simulator(world or default_world(), clock=clock, node_seconds=node_seconds)
    slack = FakeSlack(BOT_TOKEN, clock=clock).start()
    if policy is not None:
        (tmp / "policy.toml").write_text(policy, encoding="utf-8")
    settings = config.load(settings_env(tmp, **(env or {})))
    log: list[dict[str, Any]] = []
    http = httpx.Client(transport=recording_transport(sim, log))
    orchestrator = OrchestratorClient(http, "http://sim.test", "demo-token", sleep=lambda s: None)
    # PuppetDB and the classifier answer on the simulator's own port, as its orchestrator does.
    resolver = Resolver(
        PuppetDBClient(http, "http://sim.test", "demo-token", sleep=lambda s: None),
        ClassifierClient(http, "http://sim.test", "demo-token", sleep=lambda s: None),
    )
    client = WebClient(token=BOT_TOKEN, base_url=slack.api_url)
    bot = build(
        settings,
        orchestrator=orchestrator,
        resolver=resolver,
        slack=client,
        clock=clock,
        work=InlineExecutor() if inline else None,
        renderer=renderer,
        # Person mode (PE_IDENTITY=person in `env`): RBAC on the simulator, as PE on port 4433.
        rbac=RbacClient(http, "http://sim.test", sleep=lambda s: None) if person else None,
    )
    harness = Harness(bot=bot, sim=sim, slack=slack, clock=clock, tmp=tmp)
    harness.sim_requests = log
    return harness


def close_harness(harness: Harness) -> None:
    harness.bot.shutdown()
    harness.slack.stop()
