"""Web API methods that read the workspace, plus auth.test (views.* are in methods_views)."""

from __future__ import annotations

from typing import Any

from standins.slack.model import BOT_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID
from standins.slack.state import State, StoredMessage
from standins.slack.wire import (
    ApiError,
    Outcome,
    flag,
    int_arg,
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
        **({"tz": user.tz} if user.tz else {}),
        "profile": profile,
    }
    return Outcome({"ok": True, "user": body})
