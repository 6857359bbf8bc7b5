"""The policy in force, read again when its file changes.

The file is read at start as before (a broken file stops the start). Afterwards `refresh()`
(the poller's housekeeping calls it every few seconds) reads it again when its bytes changed: a
file that loads replaces the policy for every later decision; one that does not is refused with
an error in the log, and the last good policy stays in force.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Collection
from pathlib import Path

from policy.engine import Policy
from policy.loader import policy_from_settings
from policy.model import Decision, GroupResolver, PolicyError, Subject
from policy.rules import Rule

log = logging.getLogger(__name__)


def _digest(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "absent"


class LivePolicy(Policy):
    """A Policy (usable wherever one is) that decides as the policy in force does; `refresh()`
    picks up a changed file. Its rules, defaults and source are read from the current one."""

    def __init__(self, path: str, *, explicit: bool) -> None:
        # Not Policy.__init__: the frozen fields are properties here, read from `current`.
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "explicit", explicit)
        object.__setattr__(self, "_lock", threading.Lock())
        object.__setattr__(self, "_digest", _digest(path))
        object.__setattr__(self, "_policy", policy_from_settings(path, explicit=explicit))

    path: str
    explicit: bool
    _lock: threading.Lock
    _digest: str
    _policy: Policy

    @property
    def current(self) -> Policy:
        with self._lock:
            return self._policy

    def refresh(self) -> bool:
        """True when the file changed and its new policy is now in force."""
        digest = _digest(self.path)
        if digest == self._digest:
            return False
        object.__setattr__(self, "_digest", digest)
        try:
            fresh = policy_from_settings(self.path, explicit=self.explicit)
        except PolicyError as exc:
            log.error("the policy file changed but cannot be used (%s); the last one stays", exc)
            return False
        with self._lock:
            object.__setattr__(self, "_policy", fresh)
        log.info("the policy file changed: %d rules now (%s)", len(fresh.rules), fresh.source)
        return True

    # What the rest of the bot asks of a Policy.
    @property
    def rules(self) -> tuple[Rule, ...]:
        return self.current.rules

    @property
    def defaults(self) -> bool:
        return self.current.defaults

    @property
    def source(self) -> str:
        return self.current.source

    @property
    def chain(self) -> tuple[Rule, ...]:
        return self.current.chain

    def first_match(self, subject: Subject) -> Rule:
        return self.current.first_match(subject)

    def decide(self, subject: Subject, groups: GroupResolver) -> Decision:
        return self.current.decide(subject, groups)

    def may_approve(
        self,
        decision: Decision,
        approver: str,
        requester: str,
        groups: GroupResolver,
        *,
        already: Collection[str] = (),
    ) -> tuple[bool, str]:
        return self.current.may_approve(decision, approver, requester, groups, already=already)
