"""The fake workspace's mutable state; every function here runs under FakeSlack's one lock."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from standins.slack.model import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    TEAM_ID,
    Call,
    Channel,
    Ephemeral,
    Message,
    MessageVersion,
    RateLimitedCall,
    ResponsePost,
    User,
    UserGroup,
    Workspace,
    dm_channel_id,
)
from standins.slack.view_state import Values
from standins.slack.wire import ApiError

FIRST_TS = 1_700_000_000_000_000  # microseconds; ts values look like Slack's and only grow
TS_STEP = 100


@dataclass
class StoredMessage:
    """A message as the fake keeps it; snapshots of it go out as `Message`."""

    channel: str
    ts: str
    thread_ts: str | None
    reply_broadcast: bool
    user: str
    versions: list[MessageVersion]
    truncated: bool = False
    deleted: bool = False
    edited_ts: str | None = None
    replies: list[str] = field(default_factory=list)

    @property
    def current(self) -> MessageVersion:
        return self.versions[-1]


@dataclass
class StoredView:
    """A modal or Home tab view: every version the app sent, and what the person entered."""

    id: str
    trigger_id: str
    hash: str
    versions: list[dict[str, Any]]  # as shown: with the ids Slack generates where none was given
    time: float
    kind: str = "modal"  # or "home"
    user: str | None = None
    channel: str | None = None  # the conversation it was opened from, when known
    root_id: str = ""
    previous_id: str | None = None
    values: Values = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # response_action: errors, shown inline
    closed: bool = False
    suggestions: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def current(self) -> dict[str, Any]:
        return self.versions[-1]


@dataclass(frozen=True)
class Trigger:
    """A trigger_id the fake put in a payload: whose, from where, and inside which view."""

    user: str | None
    channel: str | None
    view_id: str | None


@dataclass
class ResponseUrl:
    """A response_url the fake issued: where its posts land and how often it was used."""

    channel: str | None
    user: str | None
    message_ts: str | None
    created: float
    uses: int = 0


class State:
    """Channels, people, messages and everything recorded about the calls made."""

    def __init__(
        self,
        workspace: Workspace,
        clock: Callable[[], float],
        wall: Callable[[], float] | None = None,
    ) -> None:
        self.clock = clock
        self.wall = wall or clock  # epoch seconds: trigger_ids carry the time they were issued
        self.channels: dict[str, Channel] = {c.id: c for c in workspace.channels}
        self.users: dict[str, User] = {u.id: u for u in workspace.users}
        self.users.setdefault(BOT_USER_ID, User(BOT_USER_ID, "pe-bot", "PE Orchestrator", True))
        self.usergroups: dict[str, UserGroup] = {g.id: g for g in workspace.usergroups}
        self.messages: dict[tuple[str, str], StoredMessage] = {}
        self.order: dict[str, list[str]] = {}  # channel -> ts of every message, oldest first
        self.ephemerals: list[Ephemeral] = []
        self.responses: list[ResponsePost] = []
        self.response_urls: dict[str, ResponseUrl] = {}
        self.views: dict[str, StoredView] = {}
        self.stacks: dict[str, list[str]] = {}  # root view id -> the modal's views, top last
        self.homes: dict[str, str] = {}  # user id -> their Home tab's view id
        self.triggers: dict[str, Trigger] = {}  # trigger_ids the fake issued, with their context
        self.used_triggers: set[str] = set()
        self.calls: list[Call] = []
        self.rate_limited: list[RateLimitedCall] = []
        self.warnings: list[str] = []
        self.missing_fallback_text = 0
        self.truncated_texts = 0
        self._ts = FIRST_TS
        self._ids = 0
        self.socket_mode_url = ""

    def next_ts(self) -> str:
        # Like Slack's, a ts is the posting time: it follows the clock when the clock reads
        # like an epoch (bots look messages up by time), and always strictly increases.
        self._ts = max(self._ts + TS_STEP, int(self.clock() * 1_000_000))
        return f"{self._ts // 1_000_000}.{self._ts % 1_000_000:06d}"

    def next_id(self, prefix: str) -> str:
        self._ids += 1
        return f"{prefix}{self._ids:06d}"

    def warn(self, text: str) -> None:
        self.warnings.append(text)

    def lookup_channel(self, id_or_name: str) -> Channel | None:
        """By id, or by name ("#deploys" or "deploys") as chat.postMessage also accepts, or by a
        user's id: Slack posts that in the app's direct messages with the user (chat.postMessage
        reference, "Begin a conversation in a user's App Home")."""
        channel = self.channels.get(id_or_name)
        if channel is None and id_or_name in self.users:
            dm = dm_channel_id(id_or_name)
            channel = self.channels.setdefault(
                dm, Channel(dm, id_or_name, is_private=True, im_user=id_or_name)
            )
        if channel is None:
            name = id_or_name.removeprefix("#")
            channel = next((c for c in self.channels.values() if c.name == name), None)
        return channel

    def channel_for_write(self, channel_id: str) -> Channel:
        """The channel, if the bot may post there; otherwise the error Slack gives."""
        channel = self.lookup_channel(channel_id)
        if channel is None:
            raise ApiError("channel_not_found")
        if channel.is_archived:
            raise ApiError("is_archived")
        if not channel.bot_is_member:
            raise ApiError("not_in_channel")
        return channel

    def channel_for_read(self, channel_id: str) -> Channel:
        channel = self.lookup_channel(channel_id)
        if channel is None:
            raise ApiError("channel_not_found")
        if not channel.bot_is_member:
            raise ApiError("not_in_channel")
        return channel

    def find(self, channel: str, ts: str) -> StoredMessage | None:
        message = self.messages.get((channel, ts))
        return None if message is None or message.deleted else message

    def add_message(
        self,
        channel: str,
        version: MessageVersion,
        *,
        thread_ts: str | None = None,
        reply_broadcast: bool = False,
        user: str = BOT_USER_ID,
        truncated: bool = False,
    ) -> StoredMessage:
        ts = self.next_ts()
        if thread_ts is not None:
            parent = self.messages.get((channel, thread_ts))
            if parent is None:
                # Slack accepts a thread_ts it cannot match; the reply is then invisible.
                self.warn(f"thread_ts {thread_ts} matches no message in {channel}")
            else:
                if parent.thread_ts and parent.thread_ts != parent.ts:
                    thread_ts = parent.thread_ts  # a reply to a reply joins the same thread
                    parent = self.messages[(channel, thread_ts)]
                parent.thread_ts = parent.ts
                parent.replies.append(ts)
        stored = StoredMessage(
            channel, ts, thread_ts, reply_broadcast, user, [version], truncated=truncated
        )
        self.messages[(channel, ts)] = stored
        self.order.setdefault(channel, []).append(ts)
        return stored

    def edit(self, message: StoredMessage, version: MessageVersion, *, truncated: bool) -> None:
        message.versions.append(version)
        message.truncated = message.truncated or truncated
        message.edited_ts = self.next_ts()

    def snapshot(self, message: StoredMessage) -> Message:
        current = message.current
        return Message(
            channel=message.channel,
            ts=message.ts,
            text=current.text,
            blocks=copy.deepcopy(current.blocks),
            thread_ts=message.thread_ts,
            metadata=copy.deepcopy(current.metadata),
            reply_broadcast=message.reply_broadcast,
            user=message.user,
            versions=tuple(copy.deepcopy(message.versions)),
            truncated=message.truncated,
            deleted=message.deleted,
        )

    def in_channel(self, message: StoredMessage) -> bool:
        """Shown in the channel itself: a parent, a plain message or a broadcast reply."""
        return message.thread_ts in (None, message.ts) or message.reply_broadcast

    def thread_members(self, channel: str, ts: str) -> list[StoredMessage]:
        parent = self.find(channel, ts)
        if parent is None:
            return []
        replies = [self.messages[(channel, r)] for r in parent.replies]
        return [parent, *(r for r in replies if not r.deleted)]

    def api_message(self, message: StoredMessage, *, with_metadata: bool) -> dict[str, Any]:
        """The message in the shape conversations.history/replies and chat.* answers use."""
        current = message.current
        out: dict[str, Any] = {
            "type": "message",
            "user": message.user,
            "text": current.text,
            "ts": message.ts,
            "team": TEAM_ID,
        }
        if message.user == BOT_USER_ID:
            out.update(bot_id=BOT_ID, app_id=APP_ID)
        if current.blocks:
            out["blocks"] = copy.deepcopy(current.blocks)
        if message.edited_ts:
            out["edited"] = {"user": message.user, "ts": message.edited_ts}
        if message.thread_ts:
            out["thread_ts"] = message.thread_ts
        if message.thread_ts == message.ts:
            live = [self.messages[(message.channel, r)] for r in message.replies]
            live = [r for r in live if not r.deleted]
            out["reply_count"] = len(live)
            out["reply_users"] = sorted({r.user for r in live})
            if live:
                out["latest_reply"] = live[-1].ts
        elif message.thread_ts:
            parent = self.messages.get((message.channel, message.thread_ts))
            out["parent_user_id"] = parent.user if parent else None
            if message.reply_broadcast:
                out["subtype"] = "thread_broadcast"
        if with_metadata and current.metadata:
            out["metadata"] = copy.deepcopy(current.metadata)
        return out
