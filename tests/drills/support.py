"""What the drills share: a printed report per drill, an orchestrator that can really go down,
and read-outs of the fake Slack, the simulator and the bot's SQLite file."""

from __future__ import annotations

import contextlib
import re
import sqlite3
import statistics
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from orchestrator.client import OrchestratorClient
from standins.orchestrator import Simulator
from standins.slack import FakeSlack, Message
from tests.support.harness import block_text
from tests.support.process import BotProcess

ALLOW_ALL = 'defaults = false\n\n[[rule]]\nname = "drills run everything"\naction = "run"\n'
DEFAULTS_ONLY = "# No rules: the built-in defaults (enforcing production runs need approval)\n"

SUMMARY = "nodes succeeded"
SUCCEEDED = re.compile(r"(\d+)/(\d+) nodes succeeded")
JOB_NAME = re.compile(r"job `(\d+)`")

# Every drill's report, in order, for the summary printed at the end of the run.
REPORTS: list[str] = []


# -- reports ------------------------------------------------------------------------------------


class Drill:
    """Collects what a drill tried and found, prints it with PASS/FAIL, and fails the test when
    a check failed (after printing, so a failed run still shows its numbers)."""

    def __init__(self, title: str, *, known_bug: str | None = None) -> None:
        self.title = title
        self.known_bug = known_bug
        self.lines: list[str] = []
        self.failures: list[str] = []
        self.started = time.monotonic()

    def tried(self, text: str) -> None:
        self.lines.append(f"  tried: {text}")

    def found(self, text: str) -> None:
        self.lines.append(f"  found: {text}")

    def note(self, text: str) -> None:
        self.lines.append(f"  note:  {text}")

    def check(self, ok: bool, what: str, detail: Any = None) -> bool:
        self.lines.append(
            f"  {'PASS' if ok else 'FAIL'}   {what}"
            + ("" if ok or detail is None else f"  <- {_short(detail)}")
        )
        if not ok:
            self.failures.append(what if detail is None else f"{what}: {_short(detail, 2000)}")
        return ok

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def __enter__(self) -> Drill:
        print(f"\n=== DRILL {self.title} ===", flush=True)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is not None:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            self.lines.append(f"  FAIL   aborted: {type(exc).__name__}: {_short(first)}")
            result = "FAIL"
        else:
            result = "FAIL" if self.failures else "PASS"
        if result == "FAIL" and self.known_bug:
            result = f"FAIL (known bug: {self.known_bug})"
        text = "\n".join(
            [f"DRILL {self.title}", *self.lines, f"  RESULT: {result} in {self.elapsed:.1f}s"]
        )
        REPORTS.append(text)
        print("\n".join(self.lines), flush=True)
        print(f"  RESULT: {result} in {self.elapsed:.1f}s", flush=True)
        if exc is None and self.failures:
            raise AssertionError(f"drill {self.title!r} failed:\n- " + "\n- ".join(self.failures))


def _short(value: Any, limit: int = 300) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def percentile(values: Iterable[float], pct: float) -> float:
    data = sorted(values)
    if not data:
        return float("nan")
    index = min(len(data) - 1, max(0, round(pct / 100 * (len(data) - 1))))
    return data[index]


def median(values: Iterable[float]) -> float:
    data = list(values)
    return statistics.median(data) if data else float("nan")


# -- the bot as a process -------------------------------------------------------------------------


@contextlib.contextmanager
def running_bot(
    directory: Path,
    slack: FakeSlack,
    orchestrator_url: str,
    *,
    policy: str = ALLOW_ALL,
    extra_env: dict[str, str] | None = None,
) -> Iterator[BotProcess]:
    """A `bot.py run --mode http` process logging at INFO into `directory/bot.log`; always
    stopped (SIGINT, then SIGKILL) however the drill ends."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "policy.toml").write_text(policy, encoding="utf-8")
    env = {"LOG_LEVEL": "INFO", **(extra_env or {})}
    process = BotProcess(directory, slack.api_url, orchestrator_url, extra_env=env)
    try:
        yield process.start()
    finally:
        process.stop()
        process.kill()


# -- read-outs -------------------------------------------------------------------------------------


def command_requests(sim: Simulator) -> int:
    """POSTs to /command/... the simulator received, whatever their answer."""
    routes = sim.stats()["routes"]
    return sum(v["requests"] for k, v in routes.items() if "/command/" in k)


def route_requests(sim: Simulator, route: str) -> int:
    return int(sim.stats()["routes"].get(route, {}).get("requests", 0))


def sim_client(sim: Simulator) -> OrchestratorClient:
    """An in-process client of the simulator, for reading its jobs (never a command)."""
    return OrchestratorClient(
        httpx.Client(transport=sim.transport()), "http://sim.test", sim.token, sleep=lambda _: None
    )


def text_of(message: Message) -> str:
    return f"{message.text}\n{block_text(message.blocks or [])}"


def cards(slack: FakeSlack, channels: Iterable[str]) -> list[Message]:
    return [m for c in channels for m in slack.messages(c)]


def replies(slack: FakeSlack, card: Message) -> list[Message]:
    return slack.thread(card.channel, card.ts)[1:]


def summaries(slack: FakeSlack, channels: Iterable[str]) -> dict[tuple[str, str], list[str]]:
    """(channel, card ts) -> the texts of its replies that are final summaries."""
    return {
        (c.channel, c.ts): [
            text_of(r)
            for r in replies(slack, c)
            if SUMMARY in (r.text or "") or SUMMARY in block_text(r.blocks or [])
        ]
        for c in cards(slack, channels)
    }


def posted_keys(slack: FakeSlack) -> list[str]:
    """The outbox key of every chat.postMessage Slack accepted."""
    return [
        str(c.params.get("metadata", {}).get("event_payload", {}).get("key"))
        for c in slack.calls("chat.postMessage")
        if c.status == 200 and not c.error
    ]


def duplicates(items: Iterable[str]) -> list[tuple[str, int]]:
    return [(k, n) for k, n in Counter(items).most_common() if n > 1]


def doubled_thread_texts(slack: FakeSlack, channels: Iterable[str]) -> list[str]:
    """Replies whose exact text appears twice in one thread."""
    found = []
    for card in cards(slack, channels):
        texts = [text_of(r) for r in replies(slack, card)]
        found += [f"{card.ts}: {t[:80]!r} x{n}" for t, n in duplicates(texts)]
    return found


def db_rows(path: Path, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
    """Read the bot's SQLite file (WAL, so a reader never blocks the bot)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    conn.row_factory = sqlite3.Row
    try:
        return list(conn.execute(sql, list(params)))
    finally:
        conn.close()
