"""views.open, views.push, views.update and views.publish, with Slack's triggers, stack and hash.

References: the four methods' pages (errors: expired_trigger_id, exchanged_trigger_id,
invalid_trigger_id, push_limit_reached, hash_conflict, not_found, duplicate_external_id) and the
modal views reference; rules cited in standins/slack/VIEW_RULES.md.
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

from standins.slack import triggers
from standins.slack.model import APP_ID, BOT_ID, TEAM_ID, SlackEvent
from standins.slack.state import State, StoredView
from standins.slack.view_limits import view_errors
from standins.slack.view_state import carried, with_ids
from standins.slack.wire import ApiError, Outcome, json_arg, required, text_arg

MAX_STACK = 3  # a root view and at most two pushed on it (views.push: push_limit_reached)
# "Error returned if the provided view is greater than 250kb" (views.* references); counted
# here as 250,000 bytes of UTF-8 JSON, the strict reading.
MAX_VIEW_BYTES = 250_000


def view_body(state: State, stored: StoredView, *, with_state: bool = False) -> dict[str, Any]:
    """The view as Slack returns it from the methods and embeds it in payloads."""
    view = copy.deepcopy(stored.current)
    modal = stored.kind == "modal"
    view.update(
        id=stored.id,
        team_id=TEAM_ID,
        app_id=APP_ID,
        bot_id=BOT_ID,
        app_installed_team_id=TEAM_ID,
        hash=stored.hash,
        root_view_id=stored.root_id or stored.id,
        previous_view_id=stored.previous_id,
        state={"values": copy.deepcopy(stored.values) if with_state else {}},
    )
    view.setdefault("private_metadata", "")
    view.setdefault("callback_id", "")
    view.setdefault("external_id", "")
    view.setdefault("clear_on_close", False)
    view.setdefault("notify_on_close", False)
    view.setdefault("close", None)
    view.setdefault("submit", None)
    if modal:
        view.setdefault("title", None)
    return view


def _new_hash(state: State, stored: StoredView) -> str:
    # Shaped like Slack's ("1596530361.3wRYuk3R"), different for every version.
    seed = f"{stored.id}/{len(stored.versions)}".encode()
    return f"{int(state.wall())}.{hashlib.sha1(seed).hexdigest()[:8]}"


def _valid_view(params: dict[str, Any], surface: str) -> dict[str, Any]:
    view = json_arg(params, "view")
    if len(json.dumps(view).encode("utf-8")) > MAX_VIEW_BYTES:
        raise ApiError("view_too_large")
    errors = view_errors(view, surface=surface)
    if errors:
        raise ApiError("invalid_arguments", response_metadata={"messages": errors})
    return view


def _external_taken(state: State, view: dict[str, Any], but: str | None = None) -> None:
    """external_id is unique across the team's views (views.open reference)."""
    wanted = view.get("external_id")
    if not wanted:
        return
    for other in state.views.values():
        if other.id != but and other.current.get("external_id") == wanted:
            raise ApiError("duplicate_external_id")


def _exchange(state: State, params: dict[str, Any]) -> str:
    """A trigger_id spent: well-formed, not used before, at most 3 seconds old."""
    trigger = text_arg(params, "trigger_id") or text_arg(params, "interactivity_pointer")
    if not trigger:
        raise ApiError("invalid_arguments", response_metadata={"messages": ["missing trigger_id"]})
    issued = triggers.issued_at(trigger)
    if issued is None:
        raise ApiError("invalid_trigger_id")
    if trigger in state.used_triggers:
        raise ApiError("exchanged_trigger_id")
    if state.wall() - issued > triggers.TRIGGER_LIFETIME:
        raise ApiError("expired_trigger_id")
    state.used_triggers.add(trigger)
    return trigger


def view_event(kind: str, stored: StoredView) -> SlackEvent:
    view = stored.current
    title = (view.get("title") or {}).get("text", "") if stored.kind == "modal" else "Home"
    return SlackEvent(
        kind, stored.channel, None, None, str(title), view.get("blocks"), stored.user,
        view_id=stored.id,
    )  # fmt: skip


def store_view(state: State, trigger: str, view: dict[str, Any], **fields: Any) -> StoredView:
    view_id = state.next_id("V")
    shown = with_ids(view, f"{view_id}/1")
    stored = StoredView(view_id, trigger, "", [shown], state.clock(), **fields)
    stored.hash = _new_hash(state, stored)
    stored.values = carried({}, shown, stored.channel)
    state.views[view_id] = stored
    return stored


def views_open(state: State, params: dict[str, Any]) -> Outcome:
    view = _valid_view(params, "modal")  # checked first: an invalid view spends no trigger
    trigger = _exchange(state, params)
    _external_taken(state, view)
    known = state.triggers.get(trigger)
    stored = store_view(
        state,
        trigger,
        view,
        user=known.user if known else None,
        channel=known.channel if known else None,
    )
    stored.root_id = stored.id
    state.stacks[stored.id] = [stored.id]
    return Outcome(
        {"ok": True, "view": view_body(state, stored)}, (view_event("view_opened", stored),)
    )


def views_push(state: State, params: dict[str, Any]) -> Outcome:
    view = _valid_view(params, "modal")
    trigger = _exchange(state, params)
    known = state.triggers.get(trigger)
    under = state.views.get(known.view_id or "") if known else None
    if under is None or under.closed or under.kind != "modal":
        # The trigger must come from an interaction inside an open modal.
        raise ApiError("not_found")
    stack = state.stacks[under.root_id]
    if len(stack) >= MAX_STACK:
        raise ApiError("push_limit_reached")
    _external_taken(state, view)
    stored = store_view(
        state, trigger, view, user=under.user, channel=under.channel, root_id=under.root_id
    )
    stored.previous_id = stack[-1]
    stack.append(stored.id)
    return Outcome(
        {"ok": True, "view": view_body(state, stored)}, (view_event("view_pushed", stored),)
    )


def views_update(state: State, params: dict[str, Any]) -> Outcome:
    view_id, external_id = text_arg(params, "view_id"), text_arg(params, "external_id")
    if not view_id and not external_id:
        raise ApiError(
            "invalid_arguments", response_metadata={"messages": ["view_id or external_id"]}
        )
    stored = state.views.get(view_id or "")
    if stored is None and external_id:
        stored = next(
            (v for v in state.views.values() if v.current.get("external_id") == external_id),
            None,
        )
    if stored is None or stored.closed:
        raise ApiError("not_found")
    expected = text_arg(params, "hash")
    if expected and expected != stored.hash:
        raise ApiError("hash_conflict")
    view = _valid_view(params, stored.kind)
    _external_taken(state, view, but=stored.id)
    show(state, stored, view)
    return Outcome(
        {"ok": True, "view": view_body(state, stored)}, (view_event("view_updated", stored),)
    )


def show(state: State, stored: StoredView, view: dict[str, Any]) -> None:
    """A new version of a view: input kept where the ids match, inline errors cleared."""
    shown = with_ids(view, f"{stored.id}/{len(stored.versions) + 1}")
    stored.versions.append(shown)
    stored.hash = _new_hash(state, stored)
    stored.values = carried(stored.values, shown, stored.channel)
    stored.errors = {}


def views_publish(state: State, params: dict[str, Any]) -> Outcome:
    user = required(params, "user_id")
    if user not in state.users:
        raise ApiError("invalid_arguments", response_metadata={"messages": ["invalid `user_id`"]})
    view = _valid_view(params, "home")
    current = state.views.get(state.homes.get(user, ""))
    expected = text_arg(params, "hash")
    if current is not None and expected and expected != current.hash:
        raise ApiError("hash_conflict")
    _external_taken(state, view, but=current.id if current else None)
    if current is None:
        current = store_view(state, "", view, kind="home", user=user)
        current.root_id = current.id
        state.homes[user] = current.id
    else:
        show(state, current, view)
    body = view_body(state, current)
    return Outcome({"ok": True, "view": body}, (view_event("home_published", current),))
