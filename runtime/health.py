"""Health: the store, the orchestrator's reachability, the followed jobs and the Slack budget."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from orchestrator.errors import OrchestratorError
from runtime.assemble import Bot
from store import jobs

ORCHESTRATOR_CHECK_EVERY = 10.0


class Health:
    """Reports health without hammering the orchestrator: its check is cached for 10 s."""

    def __init__(self, bot: Bot, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.deps = bot.deps
        self.sender = bot.sender
        self.clock = clock
        self._lock = threading.Lock()
        self._orchestrator: tuple[float, str] | None = None

    def _orchestrator_state(self) -> str:
        with self._lock:
            cached = self._orchestrator
            if cached and self.clock() - cached[0] < ORCHESTRATOR_CHECK_EVERY:
                return cached[1]
        try:
            self.deps.orchestrator.root_info()
            state = "reachable"
        except OrchestratorError as exc:
            state = f"unreachable: {exc}"
        with self._lock:
            self._orchestrator = (self.clock(), state)
        return state

    def report(self) -> dict[str, Any]:
        try:
            followed = jobs.followed_count(self.deps.store.db)
            store = "ok"
        except Exception as exc:  # the report must say what is wrong, not fail itself
            followed, store = None, f"error: {exc}"
        orchestrator = self._orchestrator_state()
        ok = store == "ok" and orchestrator == "reachable"
        return {
            "ok": ok,
            "store": store,
            "orchestrator": orchestrator,
            "followed_jobs": followed,
            "slack": self._slack(),
        }

    def _slack(self) -> dict[str, Any]:
        """Calls a minute per method against its limit, and what waits to be sent."""
        sender = self.sender
        try:
            queue = sender.backlog()
        except Exception as exc:  # the store's trouble is reported above; say it here too
            queue = {"error": str(exc)}
        return {"calls": sender.budget.report(), "queue": queue}


def health_line(report: dict[str, Any]) -> str:
    """The report as one readable log line (Socket Mode logs it every minute)."""
    slack = report.get("slack") or {}
    calls = ", ".join(
        f"{method} {c['calls_last_minute']}/{c['limit_per_minute']:g} a min"
        + (
            f" (assumed {c['assumed_per_minute']:g}, {c['refused_429']} refused)"
            if c.get("refused_429")
            else ""
        )
        for method, c in (slack.get("calls") or {}).items()
    )
    queue = slack.get("queue") or {}
    return (
        f"{'ok' if report.get('ok') else 'NOT OK'}; store {report.get('store')}; orchestrator "
        f"{report.get('orchestrator')}; {report.get('followed_jobs')} jobs followed; Slack calls: "
        f"{calls or 'none'}; queue: {queue.get('posts', '?')} posts, {queue.get('cards', '?')} "
        f"cards behind, oldest post waiting {queue.get('oldest_post_s', '?')}s"
    )
