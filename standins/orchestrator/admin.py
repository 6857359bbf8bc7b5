"""The simulator's own admin API under /_sim/ (no auth): stats, event log, fault injection, and
requests made as another PE user (`/_sim/as/<login>/orchestrator/v1/...`)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import unquote

from .faults import faults_from_json

if TYPE_CHECKING:
    from .core import SimResponse, Simulator

log = logging.getLogger(__name__)

ROUTES = {
    ("GET", "/_sim/stats"): "per-route, per-job and per-status request counts and bytes",
    ("POST", "/_sim/stats/reset"): "zero the statistics",
    ("GET", "/_sim/event_log"): "every event with id > ?since=N, with its clock time",
    ("GET", "/_sim/faults"): "the current fault set",
    ("POST", "/_sim/faults"): "replace the fault set with the JSON body ({} clears all)",
    ("GET", "/_sim/rbac"): "failed logins, locked accounts and issued tokens (not their values)",
    ("POST", "/_sim/rbac/unlock"): 'reinstate a locked-out account: {"login": ...}',
    ("ANY", "/_sim/as/<login>/orchestrator/v1/<endpoint>"): (
        "call any orchestrator endpoint as PE user <login> (no token): a job, plan or schedule "
        "started from elsewhere, e.g. POST /_sim/as/alice/orchestrator/v1/command/deploy"
    ),
}
AS_PREFIX = "/_sim/as/"


def handle(
    sim: Simulator,
    method: str,
    path: str,
    query: Mapping[str, list[str]],
    body: bytes,
    headers: Mapping[str, str] | None = None,
) -> SimResponse:
    from .core import json_response

    if path.startswith(AS_PREFIX):
        login, _, rest = path[len(AS_PREFIX) :].partition("/")
        if login and rest:
            return sim.act_as(unquote(login), method, "/" + rest, query, headers or {}, body)
    path = path.rstrip("/")
    if (method, path) == ("GET", "/_sim/stats"):
        return json_response(200, sim.stats())
    if (method, path) == ("POST", "/_sim/stats/reset"):
        sim.reset_stats()
        return json_response(200, sim.stats())
    if (method, path) == ("GET", "/_sim/event_log"):
        raw = (query.get("since") or ["0"])[0]
        if not raw.lstrip("-").isdigit():
            return json_response(400, {"error": "since must be an integer"})
        items = sim.event_log(int(raw))
        last = items[-1]["event_id"] if items else int(raw)
        return json_response(200, {"items": items, "last": last})
    if path == "/_sim/faults" and method in ("GET", "POST"):
        if method == "POST":
            try:
                sim.set_faults(**faults_from_json(json.loads(body or b"{}")).as_json())
            except (ValueError, TypeError) as exc:
                return json_response(400, {"error": str(exc)})
        return json_response(200, sim.faults.as_json())
    if (method, path) == ("GET", "/_sim/rbac"):
        with sim._lock:
            return json_response(200, sim.rbac.summary(sim.clock()))
    if (method, path) == ("POST", "/_sim/rbac/unlock"):
        try:
            login = json.loads(body or b"{}")["login"]
        except (ValueError, TypeError, KeyError):
            return json_response(400, {"error": 'the body must be {"login": "<login>"}'})
        with sim._lock:
            return json_response(200, {"login": login, "was_locked": sim.rbac.unlock(login)})
    routes = [{"method": m, "path": p, "what": what} for (m, p), what in ROUTES.items()]
    return json_response(404, {"error": f"no admin route {method} {path}", "routes": routes})
