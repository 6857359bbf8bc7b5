"""What the forms offer, cached per environment: the names of GET /tasks and GET /plans for
type-ahead (answered within Slack's 3 seconds), each task's or plan's metadata for the form it
builds and the submission it reads, the environments (PuppetDB, else those already used), and
each person's Slack time zone (for the times typed in a form's schedule fields).

Everything here is read on the worker pool or, for type-ahead and submissions, from the cache;
a cold entry is fetched once however many ask for it at the same time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, Literal

from orchestrator.classifier import ClassifierClient
from orchestrator.client import OrchestratorClient
from orchestrator.errors import OrchestratorError
from orchestrator.models import PlanInfo, TaskInfo
from orchestrator.puppetdb import PuppetDBClient

log = logging.getLogger(__name__)

Kind = Literal["task", "plan"]
TTL = 300.0  # seconds a list or a task's metadata is kept
SUGGEST_WAIT = 2.0  # Slack waits 3 s for a block_suggestion ack
# A form opens within a trigger_id's 3 s: a list fetched for the first time is waited for this
# long, then the form opens without it (the next form has it).
FIRST_WAIT = 0.25


class Catalog:
    """Thread-safe; one per bot."""

    def __init__(
        self,
        orchestrator: OrchestratorClient,
        *,
        work: Executor,
        clock: Callable[[], float],
        puppetdb: PuppetDBClient | None = None,
        classifier: ClassifierClient | None = None,
        known: Callable[[], list[str]] = lambda: [],
        ttl: float = TTL,
    ) -> None:
        self.orchestrator = orchestrator
        self.puppetdb = puppetdb
        self.classifier = classifier
        self.work = work
        self.clock = clock
        self.known = known
        self.ttl = ttl
        self._lock = threading.Lock()
        self._kept: dict[tuple[str, ...], tuple[float, Any]] = {}
        self._fetching: dict[tuple[str, ...], Future[Any]] = {}

    # -- the type-ahead --------------------------------------------------------------------

    def names(self, kind: Kind, environment: str, *, wait: float = SUGGEST_WAIT) -> list[str]:
        """The task or plan names of an environment; waits at most `wait` seconds for a cold
        list (then answers with none: the person types again a moment later)."""
        future = self._get(("names", kind, environment), lambda: self._list(kind, environment))
        try:
            names: list[str] = future.result(timeout=wait)
        except FutureTimeout:
            log.info("the %s list of %s was not ready within %.1fs", kind, environment, wait)
            return []
        except OrchestratorError as exc:
            log.warning("could not list %ss in %s: %s", kind, environment, exc)
            return []
        return names

    def warm(self, kind: Kind, environment: str) -> None:
        """Start fetching the list now, so the first keystrokes find it."""
        self._get(("names", kind, environment), lambda: self._list(kind, environment))

    def _list(self, kind: Kind, environment: str) -> list[str]:
        listing = (
            self.orchestrator.tasks(environment)
            if kind == "task"
            else self.orchestrator.plans(environment)
        )
        # A plan the bot's PE user may not run is not offered (GET /plans says permitted).
        return [i.name for i in listing.items if i.permitted is not False]

    # -- metadata --------------------------------------------------------------------------

    def task(self, name: str, environment: str) -> TaskInfo:
        """GET /tasks/<module>/<task>, cached; raises what the client raises."""
        future = self._get(
            ("task", name, environment), lambda: self.orchestrator.task_info(name, environment)
        )
        info: TaskInfo = future.result()
        return info

    def plan(self, name: str, environment: str) -> PlanInfo:
        future = self._get(
            ("plan", name, environment), lambda: self.orchestrator.plan_info(name, environment)
        )
        info: PlanInfo = future.result()
        return info

    def shown_task(self, name: str, environment: str) -> TaskInfo:
        """The metadata a form was built from, to read its submission on the ack path: kept
        even when stale (the flow checks the parameters again against a fresh copy)."""
        found = self._kept_any(("task", name, environment))
        return found if isinstance(found, TaskInfo) else self.task(name, environment)

    def shown_plan(self, name: str, environment: str) -> PlanInfo:
        found = self._kept_any(("plan", name, environment))
        return found if isinstance(found, PlanInfo) else self.plan(name, environment)

    # -- environments ----------------------------------------------------------------------

    def environments(self) -> list[str]:
        """PuppetDB's environments (cached; the first fetch waited for FIRST_WAIT at most),
        with those requests already used, and production."""
        found = self._list_now(("environments",), self._environments)
        return list(dict.fromkeys([*found, *self.known(), "production"]))

    def _environments(self) -> list[str]:
        if self.puppetdb is None:
            return []
        try:
            return self.puppetdb.environments()
        except OrchestratorError as exc:
            log.warning("could not list PuppetDB's environments: %s", exc)
            return []

    def node_groups(self) -> list[tuple[str, str]]:
        """(id, name) of the classifier's groups (cached; the first fetch waited for FIRST_WAIT
        at most); none while unknown or when the classifier is off."""
        return self._list_now(("groups",), self._groups)

    def _groups(self) -> list[tuple[str, str]]:
        if self.classifier is None:
            return []
        try:
            return self.classifier.groups()
        except OrchestratorError as exc:
            log.warning("could not list the classifier's node groups: %s", exc)
            return []

    def _list_now(self, key: tuple[str, ...], fetch: Callable[[], Any]) -> list[Any]:
        """A list for a form about to open: fresh, else the stale one while it is fetched
        again, else (the first time) waited for FIRST_WAIT at most."""
        future = self._get(key, fetch)
        if not future.done():
            with self._lock:
                stale = self._kept.get(key)
            if stale is not None:
                return list(stale[1])
        return _ready(future)

    # -- the person's time zone ------------------------------------------------------------

    def warm_zone(self, user_id: str, lookup: Callable[[], str | None]) -> None:
        """Start reading a person's Slack time zone (`lookup`: users.info) as their form opens,
        so the times they type in it are read in their zone on the ack path."""
        self._get(("zone", user_id), lookup)

    def zone(self, user_id: str) -> str | None:
        """The person's zone name if it was read (even a while ago), else None; never waits."""
        found = self._kept_any(("zone", user_id))
        return found if isinstance(found, str) else None

    # -- the cache -------------------------------------------------------------------------

    def _kept_any(self, key: tuple[str, ...]) -> Any:
        with self._lock:
            kept = self._kept.get(key)
        return kept[1] if kept else None

    def _get(self, key: tuple[str, ...], fetch: Callable[[], Any]) -> Future[Any]:
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and kept[0] > self.clock():
                done: Future[Any] = Future()
                done.set_result(kept[1])
                return done
            running = self._fetching.get(key)
            if running is not None:
                return running
            future: Future[Any] = Future()
            self._fetching[key] = future
        self.work.submit(self._fill, key, fetch, future)
        return future

    def _fill(self, key: tuple[str, ...], fetch: Callable[[], Any], future: Future[Any]) -> None:
        try:
            value = fetch()
        except BaseException as exc:
            with self._lock:
                self._fetching.pop(key, None)
            future.set_exception(exc)
            return
        with self._lock:
            self._kept[key] = (self.clock() + self.ttl, value)
            self._fetching.pop(key, None)
        future.set_result(value)


def _ready(future: Future[Any], wait: float = FIRST_WAIT) -> list[Any]:
    try:
        return list(future.result(timeout=wait))
    except FutureTimeout:
        return []
    except Exception as exc:  # the fetch failed in a way its client did not expect
        log.warning("a list for the forms could not be fetched: %s", exc)
        return []
