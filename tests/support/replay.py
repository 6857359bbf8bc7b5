"""An orchestrator that answers with recorded bodies over real HTTP on 127.0.0.1, and the whole
bot wired to it (real Bolt app, real store file, fake Slack)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from slack_sdk import WebClient

import config
from orchestrator.client import OrchestratorClient
from runtime.assemble import build
from standins.slack import FakeSlack
from tests.support.harness import (
    ALLOW_ALL,
    BOT_TOKEN,
    Clock,
    Harness,
    InlineExecutor,
    settings_env,
)

PREFIX = "/orchestrator/v1"
Answer = Any  # a body (served with 200/202), or (status, body), or a list of those in turn


@dataclass
class Replay:
    """Routes `"METHOD /path"` (below /orchestrator/v1, no query) to recorded answers. A list
    is served in turn, its last answer repeated; an unknown route answers 404 not-found."""

    routes: dict[str, Answer]
    seen: list[dict[str, Any]] = field(default_factory=list)
    _served: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, method: str, path: str, query: str, body: bytes) -> tuple[int, Any]:
        key = f"{method} {path}"
        with self._lock:
            self.seen.append(
                {"method": method, "path": path, "query": parse_qs(query), "body": body}
            )
            if key not in self.routes:
                return 404, {"kind": "puppetlabs.orchestrator/not-found", "msg": f"no {key}"}
            answer = self.routes[key]
            if isinstance(answer, list):
                index = self._served.get(key, 0)
                self._served[key] = index + 1
                answer = answer[min(index, len(answer) - 1)]
        if isinstance(answer, tuple):
            return answer
        return (202 if method == "POST" else 200), answer

    def count(self, method: str, path: str) -> int:
        with self._lock:
            return sum(1 for s in self.seen if s["method"] == method and s["path"] == path)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _serve(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = url.path[len(PREFIX) :] if url.path.startswith(PREFIX) else url.path
        status, payload = self.server.replay.answer(self.command, path, url.query, raw)
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _serve

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, replay: Replay) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.replay = replay


class ReplayServer:
    """Serves a Replay on a free port of 127.0.0.1 until stop()."""

    def __init__(self, replay: Replay) -> None:
        self.replay = replay
        self._server = _Server(replay)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@dataclass
class ReplayBot:
    """The bot against a ReplayServer; `harness` drives it as Slack would."""

    harness: Harness
    server: ReplayServer

    def close(self) -> None:
        self.harness.bot.shutdown()
        self.harness.slack.stop()
        self.server.stop()


def replay_bot(
    tmp: Path,
    routes: dict[str, Answer],
    *,
    start: float = 1_800_000_000.0,
    setup: Callable[[Any], None] | None = None,
) -> ReplayBot:
    """The whole bot, its orchestrator client talking HTTP to recorded bodies; `start` sets the
    shared clock (for bodies whose timestamps matter)."""
    server = ReplayServer(Replay(routes))
    clock = Clock(start)
    slack = FakeSlack(BOT_TOKEN, clock=clock).start()
    (tmp / "policy.toml").write_text(ALLOW_ALL, encoding="utf-8")
    settings = config.load(settings_env(tmp))
    http = httpx.Client(timeout=5.0)
    orchestrator = OrchestratorClient(http, server.url, "demo-token", sleep=lambda s: None)
    bot = build(
        settings,
        orchestrator=orchestrator,
        slack=WebClient(token=BOT_TOKEN, base_url=slack.api_url),
        clock=clock,
        work=InlineExecutor(),
    )
    harness = Harness(bot=bot, sim=None, slack=slack, clock=clock, tmp=tmp)  # type: ignore[arg-type]
    harness.sim_requests = []
    if setup is not None:
        setup(harness)
    return ReplayBot(harness, server)
