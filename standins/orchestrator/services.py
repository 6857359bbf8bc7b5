"""PuppetDB and the node classifier on the simulator's port: the PE services the bot asks to
resolve targets. They take the same RBAC token as the orchestrator (PE's PuppetDB and
classifier accept it in X-Authentication), count in the same statistics, and go down with the
`unavailable` fault; `puppetdb_unreachable` takes PuppetDB alone down."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from . import classifier, puppetdb
from .errors import ApiError
from .world import Node

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


def change_nodes(sim: Simulator, *nodes: Node) -> None:
    """Add nodes to the world, or replace those with the same certname (a node that joined
    the fleet, or moved to another environment): PuppetDB, the classifier and the
    orchestrator's own target resolution see the change at once; jobs already running keep
    the nodes they started with."""
    with sim._lock:
        changed = {n.certname: n for n in nodes}
        kept = tuple(changed.pop(n.certname, n) for n in sim.world.nodes)
        sim.world = replace(sim.world, nodes=kept + tuple(changed.values()))
