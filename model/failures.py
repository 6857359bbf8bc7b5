"""A node that failed or errored, waiting in its job's row to be told in the job's thread.

The poller finds them in the events, the store keeps those not yet posted (`jobs.
failures_pending`, JSON), and render lists them; `from_json` reads what an earlier version saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NodeFailure:
    """One failed or errored node: its name, its end state and what it said."""

    node: str
    state: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"node": self.node, "state": self.state, "message": self.message}

    @classmethod
    def from_json(cls, data: Any) -> NodeFailure:
        raw: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
        return cls(
            node=str(raw.get("node", "")),
            state=str(raw.get("state", "")),
            message=str(raw.get("message", "")),
        )
