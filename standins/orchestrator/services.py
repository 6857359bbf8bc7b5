"""PuppetDB and the node classifier on the simulator's port: the PE services the bot asks to
resolve targets. They take the same RBAC token as the orchestrator (PE's PuppetDB and
classifier accept it in X-Authentication), count in the same statistics, and go down with the
`unavailable` fault; `puppetdb_unreachable` takes PuppetDB alone down."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from . import classifier, puppetdb
from .errors import ApiError

if TYPE_CHECKING:
    from .core import SimResponse, Simulator

log = logging.getLogger(__name__)

PREFIXES = (puppetdb.PREFIX, classifier.PREFIX)


def handle(
    sim: Simulator,
    method: str,
    path: str,
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
    body: bytes,
) -> SimResponse:
    """Answer one PuppetDB or classifier request (headers already lower-cased)."""
    from .core import html_response, json_response

    faults = sim.faults
    service = puppetdb if path.startswith(puppetdb.PREFIX) else classifier
    name = f"{method} {service.PREFIX}"
    with sim._lock:
        try:
            down = faults.unavailable or (
                service is puppetdb
                and (faults.puppetdb_unreachable or sim.world.flags.puppetdb_unreachable)
            )
            if down:
                response = html_response(503, "Service Unavailable")
            else:
                sim._authenticate(headers, query, faults)
                response = service.route(sim.world, method, path, query, body)
        except ApiError as exc:
            # PE's services answer a refused token as the orchestrator does, with an RBAC kind.
            response = json_response(exc.status, {"kind": exc.kind, "msg": exc.msg})
        sim._stats.record(name, None, response.status, len(response.body))
    return response
