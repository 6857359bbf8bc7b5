"""Health: the store, the orchestrator's reachability, the number of followed jobs."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from orchestrator.errors import OrchestratorError
from store import jobs

ORCHESTRATOR_CHECK_EVERY = 10.0


class Health:
    """Reports health without hammering the orchestrator: its check is cached for 10 s."""

    def __init__(self, deps: Any, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.deps = deps
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
        return {"ok": ok, "store": store, "orchestrator": orchestrator, "followed_jobs": followed}
