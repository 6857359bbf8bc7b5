"""Generate large node lists for benchmark worlds from a compact `generate` spec."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)

_KEYS = {
    "pattern",
    "count",
    "start",
    "environment",
    "failed_every",
    "unreachable_every",
    "changed_every",
    "facts",
}


def generate_nodes(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Node dicts `pattern.format(n=...)` for n in start..start+count-1, with periodic outcomes.

    Every `unreachable_every`-th node is not connected, every `failed_every`-th fails its run and
    every `changed_every`-th reports changes (0 disables each); run-time factors vary between 0.5
    and 1.5 deterministically so runs finish at different times.
    """
    from .world import WorldError

    if not isinstance(spec, Mapping) or set(spec) - _KEYS:
        raise WorldError(f"generate takes an object with keys {sorted(_KEYS)}")
    pattern = spec.get("pattern", "node{n:05d}.example.com")
    start = int(spec.get("start", 1))
    count = int(spec.get("count", 100))
    env = spec.get("environment", "production")
    extra_facts = dict(spec.get("facts", {}))
    failed, unreachable, changed = (
        int(spec.get(k, 0)) for k in ("failed_every", "unreachable_every", "changed_every")
    )
    nodes = []
    for n in range(start, start + count):
        certname = pattern.format(n=n)
        outcome = "success"
        if changed and n % changed == 0:
            outcome = "changed"
        if failed and n % failed == 0:
            outcome = "failed"
        if unreachable and n % unreachable == 0:
            outcome = "unreachable"
        nodes.append(
            {
                "certname": certname,
                "environment": env,
                "facts": {
                    "os": {"family": "RedHat", "name": "RedHat", "release": {"major": "9"}},
                    "kernel": "Linux",
                    "networking": {"fqdn": certname, "hostname": certname.split(".")[0]},
                    **extra_facts,
                },
                "connected": outcome != "unreachable",
                "outcome": outcome,
                "factor": 0.5 + (n * 7919 % 101) / 100,
            }
        )
    return nodes
