"""Read-only views of the fake's modals and Home tabs, snapshotted under the lock."""

from __future__ import annotations

import copy
import threading

from standins.slack.model import View
from standins.slack.state import State, StoredView


class ViewInspectionMixin:
    """What a person sees: a view, every modal, each Home tab, the modal on top."""

    _lock: threading.Lock
    _state: State

    def view(self, view_id: str) -> View:
        """A modal or Home view as it stands, with every version, its state and inline errors."""
        with self._lock:
            return _snapshot(self._stored(view_id))

    def views(self) -> list[View]:
        """Every modal opened (views.open or views.push), oldest first; Home tabs: homes()."""
        with self._lock:
            return [_snapshot(v) for v in self._state.views.values() if v.kind == "modal"]

    def homes(self) -> list[View]:
        with self._lock:
            return [_snapshot(v) for v in self._state.views.values() if v.kind == "home"]

    def home(self, user: str) -> View | None:
        """The Home tab published for `user`, or None if the app never published one."""
        with self._lock:
            view_id = self._state.homes.get(user)
            return _snapshot(self._state.views[view_id]) if view_id else None

    def open_modal(self, user: str | None = None) -> View | None:
        """The view on top of the newest open modal (of `user`, when given)."""
        with self._lock:
            for root in reversed(list(self._state.stacks)):
                stack = self._state.stacks[root]
                top = self._state.views[stack[-1]] if stack else None
                if top and not top.closed and user in (None, top.user):
                    return _snapshot(top)
            return None

    def _stored(self, view_id: str) -> StoredView:
        stored = self._state.views.get(view_id)
        if stored is None:
            raise KeyError(f"no view {view_id}")
        return stored


def _snapshot(stored: StoredView) -> View:
    return View(
        id=stored.id,
        trigger_id=stored.trigger_id,
        view=copy.deepcopy(stored.current),
        hash=stored.hash,
        versions=tuple(copy.deepcopy(stored.versions)),
        time=stored.time,
        kind=stored.kind,
        user=stored.user,
        channel=stored.channel,
        root_id=stored.root_id,
        previous_id=stored.previous_id,
        values=copy.deepcopy(stored.values),
        errors=dict(stored.errors),
        closed=stored.closed,
    )
