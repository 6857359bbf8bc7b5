"""Web API methods that read the workspace, plus auth.test and the views.* modal methods."""

from __future__ import annotations

import copy
from typing import Any

from standins.slack.limits import view_errors
from standins.slack.model import APP_ID, BOT_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID, SlackEvent
from standins.slack.state import State, StoredMessage, StoredView
from standins.slack.wire import (
    ApiError,
    Outcome,
    flag,
    int_arg,
    json_arg,
    required,
    text_arg,
    ts_key,
)


def auth_test(state: State, params: dict[str, Any]) -> Outcome:
    return Outcome(
        {
            "ok": True,
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": "Fake Workspace",
            "user": state.users[BOT_USER_ID].name,
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }
    )


def _window(params: dict[str, Any]) -> tuple[tuple[int, int], tuple[int, int] | None, bool]:
    try:
        oldest = ts_key(text_arg(params, "oldest") or "0")
        latest_arg = text_arg(params, "latest")
        latest = ts_key(latest_arg) if latest_arg else None
    except ValueError as exc:
        raise ApiError("invalid_ts_oldest") from exc
    return oldest, latest, flag(params, "inclusive")


def _inside(ts: str, window: tuple[tuple[int, int], tuple[int, int] | None, bool]) -> bool:
    oldest, latest, inclusive = window
    key = ts_key(ts)
    if key < oldest or (key == oldest and not inclusive):
        return False
    return latest is None or key < latest or (key == latest and inclusive)


def _page(
    state: State, params: dict[str, Any], items: list[StoredMessage], default_limit: int
) -> dict[str, Any]:
    """One page of messages; the cursor is just the offset, which Slack keeps opaque anyway."""
    limit = max(1, min(int_arg(params, "limit", default_limit), 999))
    offset = int_arg(params, "cursor", 0)
    page = items[offset : offset + limit]
    has_more = offset + limit < len(items)
    with_metadata = flag(params, "include_all_metadata")
    return {
        "ok": True,
        "messages": [state.api_message(m, with_metadata=with_metadata) for m in page],
        "has_more": has_more,
        "response_metadata": {"next_cursor": str(offset + limit) if has_more else ""},
    }


def conversations_history(state: State, params: dict[str, Any]) -> Outcome:
    """Channel messages newest first; thread replies appear only if broadcast."""
    channel = state.channel_for_read(required(params, "channel")).id
    window = _window(params)
    found = (state.messages[(channel, ts)] for ts in reversed(state.order.get(channel, [])))
    items = [m for m in found if not m.deleted and state.in_channel(m) and _inside(m.ts, window)]
    return Outcome({**_page(state, params, items, 100), "pin_count": 0})


def conversations_replies(state: State, params: dict[str, Any]) -> Outcome:
    """The parent first, then its replies oldest first."""
    channel = state.channel_for_read(required(params, "channel")).id
    message = state.find(channel, required(params, "ts"))
    if message is None:
        raise ApiError("thread_not_found")
    parent_ts = message.thread_ts or message.ts
    parent, *replies = state.thread_members(channel, parent_ts) or [message]
    window = _window(params)
    items = [parent, *(r for r in replies if _inside(r.ts, window))]
    return Outcome(_page(state, params, items, 1000))


def conversations_info(state: State, params: dict[str, Any]) -> Outcome:
    channel = state.channels.get(required(params, "channel"))
    if channel is None:
        raise ApiError("channel_not_found")
    info = {
        "id": channel.id,
        "name": channel.name,
        "name_normalized": channel.name,
        "is_channel": not channel.is_private,
        "is_group": channel.is_private,
        "is_private": channel.is_private,
        "is_archived": channel.is_archived,
        "is_member": channel.bot_is_member,
        "context_team_id": TEAM_ID,
    }
    return Outcome({"ok": True, "channel": info})


def usergroups_users_list(state: State, params: dict[str, Any]) -> Outcome:
    group = state.usergroups.get(required(params, "usergroup"))
    if group is None:
        raise ApiError("no_such_subteam")
    return Outcome({"ok": True, "users": list(group.users)})


def apps_connections_open(state: State, params: dict[str, Any]) -> Outcome:
    """Socket Mode: where to open the WebSocket (set with FakeSlack.socket_mode_url)."""
    if not state.socket_mode_url:
        raise ApiError("socket_mode_not_enabled")
    return Outcome({"ok": True, "url": state.socket_mode_url})


def usergroups_list(state: State, params: dict[str, Any]) -> Outcome:
    """The workspace's user groups (handles resolve to ids through this)."""
    include_users = str(params.get("include_users", "")).lower() in ("1", "true")
    groups = []
    for group in state.usergroups.values():
        entry: dict[str, Any] = {
            "id": group.id,
            "handle": group.handle,
            "name": group.handle,
            "team_id": TEAM_ID,
            "user_count": len(group.users),
        }
        if include_users:
            entry["users"] = list(group.users)
        groups.append(entry)
    return Outcome({"ok": True, "usergroups": groups})


def users_info(state: State, params: dict[str, Any]) -> Outcome:
    user = state.users.get(required(params, "user"))
    if user is None:
        raise ApiError("user_not_found")
    real_name = user.real_name or user.name
    profile = {"real_name": real_name, "display_name": user.name}
    if user.id == BOT_USER_ID:
        profile["bot_id"] = BOT_ID
    body = {
        "id": user.id,
        "team_id": TEAM_ID,
        "name": user.name,
        "real_name": real_name,
        "deleted": False,
        "is_bot": user.is_bot,
        "tz": "UTC",
        "profile": profile,
    }
    return Outcome({"ok": True, "user": body})


def _view_body(stored: StoredView) -> dict[str, Any]:
    view = copy.deepcopy(stored.versions[-1])
    view.update(
        id=stored.id,
        hash=stored.hash,
        team_id=TEAM_ID,
        app_id=APP_ID,
        bot_id=BOT_ID,
        root_view_id=stored.id,
        previous_view_id=None,
        state={"values": {}},
    )
    return view


def _valid_view(params: dict[str, Any]) -> dict[str, Any]:
    view = json_arg(params, "view")
    errors = view_errors(view)
    if errors:
        raise ApiError("invalid_arguments", response_metadata={"messages": errors})
    return view


def _view_event(kind: str, view: dict[str, Any]) -> SlackEvent:
    title = view.get("title") or {}
    return SlackEvent(kind, None, None, None, str(title.get("text", "")), view.get("blocks"), None)


def views_open(state: State, params: dict[str, Any]) -> Outcome:
    trigger = text_arg(params, "trigger_id") or required(params, "interactivity_pointer")
    if trigger in state.used_triggers:
        raise ApiError("exchanged_trigger_id")
    view = _valid_view(params)
    state.used_triggers.add(trigger)
    view_id = state.next_id("V")
    stored = StoredView(view_id, trigger, f"{view_id}.h1", [view], state.clock())
    state.views[view_id] = stored
    return Outcome({"ok": True, "view": _view_body(stored)}, (_view_event("view_opened", view),))


def views_update(state: State, params: dict[str, Any]) -> Outcome:
    view_id, external_id = text_arg(params, "view_id"), text_arg(params, "external_id")
    stored = state.views.get(view_id or "")
    if stored is None and external_id:
        stored = next(
            (v for v in state.views.values() if v.versions[-1].get("external_id") == external_id),
            None,
        )
    if stored is None:
        raise ApiError("not_found")
    expected = text_arg(params, "hash")
    if expected and expected != stored.hash:
        raise ApiError("hash_conflict")
    view = _valid_view(params)
    stored.versions.append(view)
    stored.hash = f"{stored.id}.h{len(stored.versions)}"
    return Outcome({"ok": True, "view": _view_body(stored)}, (_view_event("view_updated", view),))
