"""The transport the PuppetDB and classifier clients share with the orchestrator client's
conventions: the RBAC token in X-Authentication, reads retried with backoff, and one error tree
(`Unavailable` for the network, timeouts and 5xx; `Rejected` subclasses for error bodies)."""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import httpx

from orchestrator.errors import QueryError, Unavailable, rejection

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({502, 503, 504})

T = TypeVar("T")


def retried(
    call: Callable[[], T],
    *,
    attempts: int,
    backoff: float,
    sleep: Callable[[float], None],
    what: str,
) -> T:
    """`call`, tried again (up to `attempts` times in all, with jittered exponential backoff)
    when it fails on the network, a timeout or 502/503/504; any other error at once."""
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except Unavailable as exc:
            retriable = exc.status is None or exc.status in RETRY_STATUSES
            if attempt == attempts or not retriable:
                raise
            delay = backoff * 2 ** (attempt - 1) * (1 + random.random() / 2)
            log.info("%s: %s; retry %d in %.2fs", what, exc, attempt, delay)
            sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


class ServiceClient:
    """Calls one PE service (`name` is how errors name it) below `root`."""

    name = "a PE service"

    def __init__(
        self,
        http: httpx.Client,
        root: str,
        token: str,
        *,
        attempts: int = 3,
        backoff: float = 0.25,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._http = http
        self._root = root
        self._token = token
        self._attempts = max(1, attempts)
        self._backoff = backoff
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._root!r})"

    @property
    def root(self) -> str:
        return self._root

    def close(self) -> None:
        self._http.close()

    def read(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        """A read (GET, or a query POST): retried on network errors and 502/503/504."""
        return retried(
            lambda: self._once(method, path, params, body),
            attempts=self._attempts,
            backoff=self._backoff,
            sleep=self._sleep,
            what=f"{method} {path}",
        )

    def _once(self, method: str, path: str, params: Any, body: Any) -> Any:
        headers = {"X-Authentication": self._token, "Accept": "application/json"}
        try:
            response = self._http.request(
                method, self._root + path, params=params, json=body, headers=headers
            )
        except httpx.TimeoutException as exc:
            raise Unavailable(f"timed out talking to {self.name} ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise Unavailable(f"cannot reach {self.name}: {exc}") from exc
        return self._decode(response)

    def _decode(self, response: httpx.Response) -> Any:
        status = response.status_code
        try:
            data = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            data = None
        error = isinstance(data, dict) and isinstance(data.get("kind"), str)
        if status >= 500:
            raise Unavailable(f"{self.name} answered HTTP {status}", status=status)
        if status >= 400:
            if error:
                raise rejection(data["kind"], str(data.get("msg", "")), data.get("details"), status)
            if status == 400 and response.text.strip():
                # PuppetDB refuses a query it cannot parse with a plain-text message.
                text = response.text.strip()[:500]
                raise QueryError(f"{self.name}/query-error", text, {}, status=status)
            raise Unavailable(
                f"{self.name} answered HTTP {status} without an error body", status=status
            )
        if data is None:
            raise Unavailable(
                f"{self.name} answered HTTP {status} with a body that is not JSON", status=status
            )
        return data
