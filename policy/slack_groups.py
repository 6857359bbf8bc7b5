"""Slack user group membership for policy, cached, and failing closed when Slack does not answer."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from policy.model import Unresolved
from policy.principals import GROUP_ID

log = logging.getLogger(__name__)

# What a failed call can raise: Slack saying no, the network, or a body that is not JSON.
_FAILURES = (SlackClientError, OSError, ValueError)


@dataclass(frozen=True)
class _Entry:
    value: Any
    until: float


class SlackGroups:
    """GroupResolver over a WebClient: usergroups.users.list by id, usergroups.list for handles.

    Answers are cached for `ttl` seconds. When Slack fails, the last known answer is used,
    or an Unresolved (empty) set: nobody passes an allow list, everybody hits a deny list.
    A failure is retried after `retry_after` seconds, not on every request.
    """

    def __init__(
        self,
        client: WebClient,
        *,
        ttl: float = 300.0,
        retry_after: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._ttl = ttl
        self._retry_after = retry_after
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, _Entry] = {}

    def members(self, group: str) -> frozenset[str]:
        """The user ids in a group given by id (S0SRE) or handle (@sre-leads)."""
        group_id = self._group_id(group)
        if group_id is None:
            return Unresolved()
        found = self._cached(f"members:{group_id}", lambda: self._fetch_members(group_id))
        return Unresolved() if found is None else found

    def _group_id(self, group: str) -> str | None:
        if GROUP_ID.match(group):
            return group
        if not group.startswith("@"):
            log.warning("%r is neither a user group id nor an @handle; nobody is in it", group)
            return None
        handles = self._cached("handles", self._fetch_handles)
        if handles is None:
            return None
        group_id: str | None = handles.get(group[1:].lower())
        if group_id is None:
            log.warning("no Slack user group has the handle %s; nobody is in it", group)
        return group_id

    def _cached(self, key: str, fetch: Callable[[], Any]) -> Any:
        now = self._clock()
        with self._lock:
            entry = self._cache.get(key)
        if entry is not None and now < entry.until:
            return entry.value
        try:
            value = fetch()
        except _FAILURES as exc:
            known = entry.value if entry is not None else None
            log.warning(
                "Slack lookup %s failed (%s); using %s",
                key,
                exc,
                "no answer, which denies" if known is None else "the last known answer",
            )
            with self._lock:
                self._cache[key] = _Entry(known, now + self._retry_after)
            return known
        with self._lock:
            self._cache[key] = _Entry(value, now + self._ttl)
        return value

    def _fetch_members(self, group_id: str) -> frozenset[str]:
        users = self._client.usergroups_users_list(usergroup=group_id).get("users")
        if not isinstance(users, list) or not all(isinstance(u, str) for u in users):
            raise ValueError("usergroups.users.list answered without a list of users")
        return frozenset(users)

    def _fetch_handles(self) -> Mapping[str, str]:
        groups = self._client.usergroups_list().get("usergroups")
        if not isinstance(groups, list):
            raise ValueError("usergroups.list answered without a list of usergroups")
        return {
            str(g["handle"]).lower(): str(g["id"])
            for g in groups
            if isinstance(g, dict) and g.get("handle") and g.get("id")
        }
