"""A person using the app's modals and Home tab: what they see, fill, type, submit and close.

Each action returns the signed-ready body Slack would send the app (bytes, or None when Slack
sends nothing); the test posts it to the app and hands the app's answer back with
`answer_suggestion` / `answer_submission`, which the fake checks as Slack does.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from standins.slack import methods_views, triggers
from standins.slack.elements import STATEFUL, all_options
from standins.slack.model import SlackEvent, dm_channel_id
from standins.slack.state import State, StoredView, Trigger
from standins.slack.view_checks import client_errors
from standins.slack.view_inspection import ViewInspectionMixin
from standins.slack.view_limits import options_answer_errors, submission_answer_errors
from standins.slack.view_payloads import (
    app_home_opened,
    block_suggestion,
    view_block_actions,
    view_closed,
    view_submission_of,
)
from standins.slack.view_state import ViewInteractionError, action_payload, entered, find, slots

DEFAULT_MIN_QUERY = 3  # external selects ask for options from the 3rd character typed


class ViewNotSubmittable(ViewInteractionError):
    """Slack's client would not send the submission: `errors` is what it shows, by block_id."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class ViewsMixin(ViewInspectionMixin):
    """Modal and Home tab interactions for FakeSlack; state changes hold the one lock."""

    _lock: threading.Lock
    _state: State
    _notify: Callable[[tuple[SlackEvent, ...]], None]
    new_response_url: Callable[..., str]

    # -- what a person sees ---------------------------------------------------------------

    def new_trigger_id(
        self, *, user: str | None = None, channel: str | None = None, view_id: str | None = None
    ) -> str:
        """A trigger_id issued now, remembered with whose it is and where it came from."""
        with self._lock:
            return self._issue(user, channel, view_id)

    def _issue(self, user: str | None, channel: str | None, view_id: str | None) -> str:
        trigger = triggers.new_trigger_id(self._state.wall())
        self._state.triggers[trigger] = Trigger(user, channel, view_id)
        return trigger

    # -- what a person does ---------------------------------------------------------------

    def fill(
        self,
        view_id: str,
        block_id: str | None,
        action_id: str,
        value: Any,
        *,
        user: str | None = None,
    ) -> bytes | None:
        """Set an element's value as a person would; the block_actions body if Slack sends one
        (dispatch_action inputs, and any element outside an input block), else None."""
        with self._lock:
            stored = self._open(view_id)
            slot = find(stored.current, block_id, action_id)
            if slot.kind not in STATEFUL:
                raise ViewInteractionError(
                    f"{slot.block_id}/{action_id} is a {slot.kind}: click() it"
                )
            hint = stored.suggestions.get((slot.block_id, slot.action_id))
            state = entered(slot, value, hint)
            stored.values.setdefault(slot.block_id, {})[slot.action_id] = state
            if not slot.dispatches:
                return None
            who = self._who(stored, user)
            action = action_payload(slot, state, f"{time.time():.6f}")
            body = methods_views.view_body(self._state, stored, with_state=True)
            trigger = self._issue(who, stored.channel, stored.id)
        return view_block_actions(body, action, user_id=who, trigger_id=trigger)

    def click(
        self, view_id: str, action_id: str, *, block_id: str | None = None, user: str | None = None
    ) -> bytes:
        """Press a button in a modal or Home tab: the block_actions body Slack sends."""
        with self._lock:
            stored = self._open(view_id)
            slot = find(stored.current, block_id, action_id)
            who = self._who(stored, user)
            action = action_payload(slot, {}, f"{time.time():.6f}")
            body = methods_views.view_body(self._state, stored, with_state=True)
            trigger = self._issue(who, stored.channel, stored.id)
        return view_block_actions(body, action, user_id=who, trigger_id=trigger)

    def suggest(
        self,
        view_id: str,
        block_id: str | None,
        action_id: str,
        query: str,
        *,
        user: str | None = None,
    ) -> bytes | None:
        """Type into an external select: the block_suggestion body, or None while the text is
        shorter than the element's min_query_length (3 unless it says otherwise)."""
        with self._lock:
            stored = self._open(view_id)
            slot = find(stored.current, block_id, action_id)
            if slot.kind not in ("external_select", "multi_external_select"):
                raise ViewInteractionError(f"{slot.block_id}/{action_id} is not an external select")
            least = slot.element.get("min_query_length", DEFAULT_MIN_QUERY)
            if len(query) < int(least):
                return None
            who = self._who(stored, user)
            body = methods_views.view_body(self._state, stored, with_state=True)
        return block_suggestion(
            body, action_id=slot.action_id, block_id=slot.block_id, value=query, user_id=who
        )

    def answer_suggestion(
        self, view_id: str, block_id: str | None, action_id: str, answer: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        """What the app acked a block_suggestion with; checked (at most 100 options) and kept so
        `fill` can pick one. Returns the options offered."""
        errors = options_answer_errors(answer)
        if errors:
            raise ViewInteractionError("Slack would show no options: " + "; ".join(errors))
        offered = all_options(dict(answer))
        with self._lock:
            stored = self._open(view_id)
            slot = find(stored.current, block_id, action_id)
            stored.suggestions[(slot.block_id, slot.action_id)] = copy.deepcopy(offered)
        return offered

    def client_errors(self, view_id: str) -> dict[str, str]:
        """What Slack's client would say if the person pressed submit now (empty: it submits)."""
        with self._lock:
            stored = self._open(view_id)
            return client_errors(stored.current, stored.values)

    def submission(self, view_id: str, *, user: str | None = None) -> bytes:
        """Press submit: the view_submission body (view.state.values as filled).

        Raises ViewNotSubmittable with the client's own messages (a required field left empty,
        text or a number out of its bounds): Slack sends nothing then.
        """
        with self._lock:
            stored = self._open(view_id)
            if stored.kind != "modal" or stored.current.get("submit") is None:
                raise ViewInteractionError(f"view {view_id} has no submit button")
            errors = client_errors(stored.current, stored.values)
            if errors:
                raise ViewNotSubmittable(errors)
            who = self._who(stored, user)
            wanted = self._response_url_targets(stored)
        urls = [
            {**spot, "response_url": self.new_response_url(channel=spot["channel_id"], user=who)}
            for spot in wanted
        ]
        with self._lock:
            stored = self._open(view_id)
            body = methods_views.view_body(self._state, stored, with_state=True)
            trigger = self._issue(who, stored.channel, stored.id)
        return view_submission_of(body, user_id=who, trigger_id=trigger, response_urls=urls)

    def answer_submission(self, view_id: str, answer: Mapping[str, Any] | None) -> str:
        """Apply the app's ack of a view_submission: "close" (empty ack), "errors", "update",
        "push" or "clear". Slack refuses what is not documented, and so does this."""
        events: list[SlackEvent] = []
        with self._lock:
            stored = self._open(view_id)
            problems = submission_answer_errors(answer, stored.current)
            if problems:
                raise ViewInteractionError("Slack would refuse that answer: " + "; ".join(problems))
            action = str((answer or {}).get("response_action") or "close")
            if action == "errors":
                stored.errors = dict((answer or {})["errors"])
                events.append(_event("view_errors", stored))
            elif action == "update":
                methods_views.show(self._state, stored, (answer or {})["view"])
                events.append(_event("view_updated", stored))
            elif action == "push":
                events.append(self._push(stored, (answer or {})["view"]))
            else:
                events += self._close(stored, everything=action == "clear")
        self._notify(tuple(events))
        return action

    def close(self, view_id: str, *, user: str | None = None) -> bytes | None:
        """Press Close (or the ×): the view goes, or the whole modal with clear_on_close.
        The view_closed body when the view asked for notify_on_close, else None."""
        with self._lock:
            stored = self._open(view_id)
            who = self._who(stored, user)
            everything = bool(stored.current.get("clear_on_close"))
            body = methods_views.view_body(self._state, stored, with_state=True)
            events = self._close(stored, everything=everything)
            notify = bool(stored.current.get("notify_on_close"))
        self._notify(tuple(events))
        return view_closed(body, user_id=who, is_cleared=everything) if notify else None

    def open_home(self, user: str, *, tab: str = "home") -> bytes:
        """The person opens the app's Home (`tab` "home" or "messages"): the app_home_opened
        event body, carrying the Home view once one was published."""
        with self._lock:
            if user not in self._state.users:
                raise ViewInteractionError(f"no user {user} in the workspace")
            view_id = self._state.homes.get(user)
            body = (
                methods_views.view_body(self._state, self._state.views[view_id], with_state=True)
                if view_id
                else None
            )
        return app_home_opened(user, channel=dm_channel_id(user), view=body, tab=tab)

    # -- helpers (under the lock) ---------------------------------------------------------

    def _open(self, view_id: str) -> StoredView:
        stored = self._stored(view_id)
        if stored.closed:
            raise ViewInteractionError(f"view {view_id} is closed")
        if stored.kind == "modal" and self._state.stacks[stored.root_id][-1] != stored.id:
            raise ViewInteractionError(f"view {view_id} is under a pushed view")
        return stored

    @staticmethod
    def _who(stored: StoredView, user: str | None) -> str:
        who = user or stored.user
        if not who:
            raise ViewInteractionError(
                f"say which user acts in view {stored.id} (its trigger_id was not one the fake "
                "issued, so the fake does not know whose it is)"
            )
        return who

    def _response_url_targets(self, stored: StoredView) -> list[dict[str, str]]:
        found = []
        for slot in slots(stored.current):
            if not (slot.is_input and slot.element.get("response_url_enabled")):
                continue
            state = stored.values.get(slot.block_id, {}).get(slot.action_id) or {}
            channel = state.get("selected_conversation") or state.get("selected_channel")
            if channel:
                found.append(
                    {"block_id": slot.block_id, "action_id": slot.action_id, "channel_id": channel}
                )
        return found

    def _push(self, under: StoredView, view: dict[str, Any]) -> SlackEvent:
        stack = self._state.stacks[under.root_id]
        if len(stack) >= methods_views.MAX_STACK:
            raise ViewInteractionError("push_limit_reached: a modal holds at most 3 views")
        stored = methods_views.store_view(
            self._state, "", view, user=under.user, channel=under.channel, root_id=under.root_id
        )
        stored.previous_id = stack[-1]
        stack.append(stored.id)
        return _event("view_pushed", stored)

    def _close(self, stored: StoredView, *, everything: bool) -> list[SlackEvent]:
        if stored.kind != "modal":
            return []
        stack = self._state.stacks[stored.root_id]
        gone = list(stack) if everything else [stack[-1]]
        for view_id in gone:
            stack.remove(view_id)
            self._state.views[view_id].closed = True
        return [_event("view_closed", self._state.views[v]) for v in gone]


def _event(kind: str, stored: StoredView) -> SlackEvent:
    return methods_views.view_event(kind, stored)
