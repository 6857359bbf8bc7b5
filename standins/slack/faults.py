"""Injected failures: 429s, 500s, per-channel errors and latency, decided per call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CHANNEL_ERRORS = frozenset({"not_in_channel", "is_archived", "channel_not_found"})


@dataclass(frozen=True)
class Fault:
    """How to answer a call instead of applying it."""

    status: int
    body: dict[str, Any]
    retry_after: int | None = None


@dataclass
class Rule:
    """Every `every`-th call to `method` (any method when None) fails, within limits."""

    method: str | None
    every: int
    fault: Fault
    started: float
    duration: float | None
    times: int | None
    seen: int = 0
    fired: int = 0

    def decide(self, method: str, now: float) -> Fault | None:
        if self.method is not None and self.method != method:
            return None
        if self.duration is not None and now - self.started > self.duration:
            return None
        if self.times is not None and self.fired >= self.times:
            return None
        self.seen += 1
        if self.seen % self.every:
            return None
        self.fired += 1
        return self.fault


class Faults:
    """The faults currently switched on; used only under FakeSlack's lock."""

    def __init__(self) -> None:
        self.rules: list[Rule] = []
        self.channels: dict[str, str] = {}
        self.latency = 0.0

    def add_rule(
        self,
        method: str | None,
        every: int,
        fault: Fault,
        *,
        now: float,
        duration: float | None,
        times: int | None,
    ) -> None:
        if every < 1:
            raise ValueError("every must be at least 1")
        self.rules.append(Rule(method, every, fault, now, duration, times))

    def fail_channel(self, channel: str, error: str) -> None:
        if error not in CHANNEL_ERRORS:
            raise ValueError(f"error must be one of {sorted(CHANNEL_ERRORS)}")
        self.channels[channel] = error

    def decide(self, method: str, params: dict[str, Any], now: float) -> Fault | None:
        """Rules in the order they were set; the first that fires answers the call."""
        for rule in self.rules:
            fault = rule.decide(method, now)
            if fault is not None:
                return fault
        error = self.channels.get(str(params.get("channel", "")))
        if error is not None and method != "conversations.info":
            return Fault(200, {"ok": False, "error": error})
        return None
