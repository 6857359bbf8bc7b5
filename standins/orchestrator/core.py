"""The Simulator: one lock-guarded state machine answering orchestrator requests at clock() time."""

from __future__ import annotations

import bisect
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode

from . import admin, rbac_api, routes, services
from .context import Ctx, Format, Request
from .engine import Engine
from .errors import RBAC, ApiError
from .faults import Faults, Stats, faults_from_json
from .rbac import Rbac
from .versions import Dialect
from .world import User, World

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

JSON_TYPE = "application/json"
_HTML_503 = (
    b"<html><head><title>503 Service Unavailable</title></head><body>"
    b"<h1>Service Unavailable</h1><p>The server is temporarily unable to service your "
    b"request.</p></body></html>"
)


@dataclass(frozen=True)
class SimResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def json_response(status: int, payload: Any) -> SimResponse:
    body = json.dumps(payload, separators=(",", ":")).encode()
    return SimResponse(status, {"Content-Type": JSON_TYPE}, body)


def html_response(status: int, title: str, body: bytes | None = None) -> SimResponse:
    page = body or f"<html><body><h1>{status} {title}</h1></body></html>".encode()
    return SimResponse(status, {"Content-Type": "text/html"}, page)


class Simulator:
    """A stand-in for the PE orchestrator API v1; time comes from `clock`, no threads of its own."""

    def __init__(
        self,
        world: World,
        *,
        clock: Callable[[], float] = time.time,
        node_seconds: float = 2.0,
        token: str = "demo-token",
    ):
        if node_seconds < 0:
            raise ValueError("node_seconds must not be negative")
        self.world = world.with_admin_token(token)
        self.dialect = Dialect(self.world.settings.pe_version)
        self.token = token
        self.clock = clock
        self.node_seconds = node_seconds
        self._lock = threading.RLock()
        self._engine = Engine(self.world, node_seconds)
        self._engine.puppetdb_down = lambda: (
            self.world.flags.puppetdb_unreachable or self._faults.puppetdb_unreachable
        )
        self._faults = Faults()
        self._stats = Stats()
        self._requests = 0
        self.started = clock()  # when the world's standing tokens were "issued"
        self.rbac = Rbac(lambda: self.world)

    # -- requests -----------------------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, list[str]] | str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> SimResponse:
        """Answer one HTTP request; `/_sim/...` is the unauthenticated admin API."""
        if isinstance(query, str):
            query = parse_qs(query, keep_blank_values=True)
        lower = {k.lower(): v for k, v in headers.items()}
        if path == "/_sim" or path.startswith("/_sim/"):
            return admin.handle(self, method.upper(), path, query, body, lower)
        if path.startswith(rbac_api.PREFIX):  # PE's RBAC tokens, on this port
            return rbac_api.handle(self, method.upper(), path, query, lower, body)
        if path.startswith(services.PREFIXES):  # PuppetDB and the classifier, on this port
            return services.handle(self, method.upper(), path, query, lower, body)
        faults = self._faults
        if faults.latency > 0:
            time.sleep(faults.latency)  # outside the lock: slow responses must not serialise
        with self._lock:
            return self._api(method.upper(), path, query, lower, body, faults)

    def _api(
        self,
        method: str,
        path: str,
        query: Mapping[str, list[str]],
        headers: Mapping[str, str],
        body: bytes,
        faults: Faults,
    ) -> SimResponse:
        route: routes.Route | None = None
        params: dict[str, str] = {}
        try:
            if not (path == routes.PREFIX or path.startswith(routes.PREFIX + "/")):
                raise ApiError(404, "puppetlabs.orchestrator/not-found", f"No route for {path}")
            sub = path[len(routes.PREFIX) :].rstrip("/")
            self._requests += 1
            try:
                route, params = routes.match(method, sub)
            except ApiError as exc:
                unrouted: ApiError | None = exc
            else:
                unrouted = None
            if faults.unavailable:
                response = html_response(503, "Service Unavailable", _HTML_503)
            elif faults.status_500_every and self._requests % faults.status_500_every == 0:
                raise ApiError(
                    500, "puppetlabs.orchestrator/unknown-error", "Internal Server Error (injected)"
                )
            else:
                # Authentication comes first, as in PE: an unknown route without a token is a 401.
                user = self._authenticate(headers, query, faults)
                if route is None or unrouted is not None:
                    raise unrouted or ApiError(404, "puppetlabs.orchestrator/not-found", sub)
                response = self._dispatch(
                    route, params, method, sub, query, headers, body, user, faults
                )
        except ApiError as exc:
            response = self._error(exc, faults)
        name = route.name if route else f"{method} (unrouted)"
        self._stats.record(name, routes.stats_key(params), response.status, len(response.body))
        return response

    def _dispatch(
        self,
        route: routes.Route,
        params: dict[str, str],
        method: str,
        sub: str,
        query: Mapping[str, list[str]],
        headers: Mapping[str, str],
        body: bytes,
        user: User,
        faults: Faults,
    ) -> SimResponse:
        """Run a matched route as `user` at clock() time (the caller holds the lock)."""
        if not routes.available(route, self.dialect):
            raise ApiError(
                404,
                "puppetlabs.orchestrator/not-found",
                f"No route for {routes.PREFIX}{sub} in PE {self.dialect.version}",
            )
        now = self.clock()
        self._engine.advance(now)
        ctx = self._context(Request(method, sub, query, headers, body), user, now, faults)
        status, payload = route.handler(ctx, **params)
        if status == 204:
            return SimResponse(204, {}, b"")
        return json_response(status, payload)

    def act_as(
        self,
        login: str,
        method: str,
        path: str,
        query: Mapping[str, list[str]],
        headers: Mapping[str, str],
        body: bytes,
    ) -> SimResponse:
        """An orchestrator request made by another PE user (`/_sim/as/<login>/...`): no token,
        none of the transport faults (those live in _api and handle), not counted in the
        statistics. It is the test harness acting "from elsewhere" (the console, `puppet job
        run`), not the client under test; the world's faults (PuppetDB down) still apply."""
        user = self.world.user_as(login)
        with self._lock:
            try:
                if not (path == routes.PREFIX or path.startswith(routes.PREFIX + "/")):
                    raise ApiError(404, "puppetlabs.orchestrator/not-found", f"No route {path}")
                sub = path[len(routes.PREFIX) :].rstrip("/")
                route, params = routes.match(method, sub)
                return self._dispatch(
                    route, params, method, sub, query, headers, body, user, self._faults
                )
            except ApiError as exc:
                return json_response(exc.status, exc.body())

    def _context(self, req: Request, user: User, now: float, faults: Faults) -> Ctx:
        base = f"http://{req.headers.get('host', 'localhost')}{routes.PREFIX}"
        query = urlencode([(k, v) for k, vs in req.query.items() for v in vs])
        fmt = Format(
            base,
            now,
            ids_as_numbers=faults.ids_as_numbers,
            duration_as_number=faults.duration_as_number,
            dialect=self.dialect,
            request_uri=base + req.path + (f"?{query}" if query else ""),
        )
        return Ctx(
            req=req,
            world=self.world,
            engine=self._engine,
            user=user,
            now=now,
            fmt=fmt,
            puppetdb_down=self.world.flags.puppetdb_unreachable or faults.puppetdb_unreachable,
            pcp_broker_down=self.world.flags.pcp_broker_down or faults.pcp_broker_down,
        )

    def _authenticate(
        self, headers: Mapping[str, str], query: Mapping[str, list[str]], faults: Faults
    ) -> User:
        token = headers.get("x-authentication") or (query.get("token") or [""])[0]
        if not token:
            raise ApiError(401, RBAC + "user-unauthenticated", "Route requires authentication")
        holder = self.rbac.holder(token)
        if holder is None:
            raise ApiError(401, RBAC + "invalid-token", "The provided token is invalid.")
        # Revoked, expired, or the user locked out: a token made by POST /auth/token lives
        # on this simulator's clock (rbac.py).
        self.rbac.check(holder, token, self.clock())
        if faults.expire_token is True or faults.expire_token == token:
            raise ApiError(401, RBAC + "token-expired", "The provided token has expired.")
        user = holder.user
        return user

    @staticmethod
    def _error(exc: ApiError, faults: Faults) -> SimResponse:
        if faults.non_json_errors:
            return html_response(exc.status, exc.msg)
        return json_response(exc.status, exc.body())

    # -- the clock ----------------------------------------------------------------------------

    def advance(self) -> None:
        """Apply every transition due by clock(); requests do this themselves."""
        with self._lock:
            self._engine.advance(self.clock())

    # -- adapters -----------------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        """An httpx transport answering from this simulator, with no sockets."""
        from .transport import mock_transport

        return mock_transport(self)

    # -- faults and instrumentation -----------------------------------------------------------

    @property
    def faults(self) -> Faults:
        return self._faults

    def set_faults(self, **faults: Any) -> Faults:
        """Replace the whole fault set (keys as in Faults); no arguments clears every fault."""
        new = faults_from_json(faults)
        with self._lock:
            self._faults = new
        log.info("faults now %s", {k: v for k, v in new.as_json().items() if v})
        return new

    def clear_faults(self) -> None:
        self.set_faults()

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return self._stats.as_json()

    def reset_stats(self) -> None:
        with self._lock:
            self._stats.reset()

    def event_log(self, since: int = 0) -> list[dict[str, Any]]:
        """Every event with id > since: its job, type, node and the clock time it happened."""
        with self._lock:
            self._engine.advance(self.clock())
            events = self._engine.events
            tail = events[bisect.bisect_right(events, since, key=lambda e: e.id) :]
            return [
                {
                    "event_id": e.id,
                    "job_id": str(e.owner_id),
                    "scope": "plan_job" if e.plan else "job",
                    "type": e.type,
                    "node": e.run.name if e.run is not None else None,
                    "time": e.time,
                }
                for e in tail
            ]
