"""Immutable records the fake Slack hands out: workspace, messages, calls and observer events."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
APP_ID = "A0APP"
TEAM_ID = "T0TEAM"
TEAM_DOMAIN = "fake-workspace"


@dataclass(frozen=True)
class Channel:
    """A conversation the bot may be asked to post in."""

    id: str
    name: str
    is_archived: bool = False
    bot_is_member: bool = True
    is_private: bool = False
    im_user: str | None = None  # a direct message between the bot and this user


def dm_channel_id(user_id: str) -> str:
    """The id of the bot's direct-message channel with a user (Slack's start with D)."""
    return f"D{user_id[1:]}"


@dataclass(frozen=True)
class User:
    """A workspace member, as users.info describes it."""

    id: str
    name: str
    real_name: str = ""
    is_bot: bool = False
    tz: str = "UTC"  # users.info `tz`: an IANA zone name ("" for a profile without one)


@dataclass(frozen=True)
class UserGroup:
    """A user group (`<!subteam^S…>`) and the ids of its members."""

    id: str
    handle: str
    users: tuple[str, ...] = ()


@dataclass(frozen=True)
class Workspace:
    """The fixed part of the fake: channels, people and groups."""

    channels: tuple[Channel, ...] = ()
    users: tuple[User, ...] = ()
    usergroups: tuple[UserGroup, ...] = ()

    @classmethod
    def default(cls) -> Workspace:
        """A small workspace that the demo and most tests can share."""
        return cls(
            channels=(
                Channel("C0DEPLOYS", "deploys"),
                Channel("C0GENERAL", "general"),
                Channel("C0OUTSIDE", "outside", bot_is_member=False),
                Channel("C0ARCHIVE", "old-deploys", is_archived=True),
            ),
            users=(
                User("U0ALICE", "alice", "Alice Admin"),
                User("U0BOB", "bob", "Bob Builder"),
                User("U0CAROL", "carol", "Carol Clicker"),
            ),
            usergroups=(UserGroup("S0APPROVERS", "pe-approvers", ("U0ALICE", "U0BOB")),),
        )


@dataclass(frozen=True)
class MessageVersion:
    """One version of a message: the original post or the result of one edit."""

    text: str
    blocks: list[dict[str, Any]] | None
    metadata: dict[str, Any] | None
    time: float
    source: str  # the method that produced it: chat.postMessage, chat.update, response_url


@dataclass(frozen=True)
class Message:
    """A channel message or thread reply as it stands now, with every version it went through."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] | None
    thread_ts: str | None
    metadata: dict[str, Any] | None
    reply_broadcast: bool
    user: str
    versions: tuple[MessageVersion, ...]
    truncated: bool = False
    deleted: bool = False

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    def to_payload(self) -> dict[str, Any]:
        """The message as Slack embeds it in a block_actions payload."""
        out: dict[str, Any] = {
            "type": "message",
            "user": self.user,
            "text": self.text,
            "ts": self.ts,
        }
        if self.user == BOT_USER_ID:
            out.update(bot_id=BOT_ID, app_id=APP_ID)
        if self.blocks:
            out["blocks"] = self.blocks
        if self.thread_ts:
            out["thread_ts"] = self.thread_ts
        if self.metadata:
            out["metadata"] = self.metadata
        return out


@dataclass(frozen=True)
class Ephemeral:
    """A message only `user` can see, from chat.postEphemeral or an ephemeral response_url post."""

    channel: str | None
    user: str | None
    text: str
    blocks: list[dict[str, Any]] | None
    thread_ts: str | None
    source: str
    time: float


@dataclass(frozen=True)
class ResponsePost:
    """One accepted POST to a response_url."""

    url: str
    channel: str | None
    user: str | None
    body: dict[str, Any]
    time: float

    @property
    def text(self) -> str:
        return str(self.body.get("text") or "")

    @property
    def blocks(self) -> list[dict[str, Any]] | None:
        return self.body.get("blocks")

    @property
    def response_type(self) -> str:
        return str(self.body.get("response_type") or "ephemeral")


@dataclass(frozen=True)
class View:
    """A modal (views.open or views.push) or a Home tab (views.publish), as a person sees it.

    `view` is the current version and `versions` every one the app sent, each with the
    block_id/action_id Slack generates where the app gave none. `values` is what the person
    entered (view.state.values); `errors` the inline errors of a `response_action: errors`.
    """

    id: str
    trigger_id: str
    view: dict[str, Any]
    hash: str
    versions: tuple[dict[str, Any], ...]
    time: float
    kind: str = "modal"
    user: str | None = None
    channel: str | None = None
    root_id: str = ""
    previous_id: str | None = None
    values: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    closed: bool = False

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return list(self.view.get("blocks") or [])

    @property
    def callback_id(self) -> str:
        return str(self.view.get("callback_id") or "")

    @property
    def private_metadata(self) -> str:
        return str(self.view.get("private_metadata") or "")


@dataclass(frozen=True)
class Call:
    """One request the fake answered: Web API method or `response_url`."""

    method: str
    params: dict[str, Any]
    time: float
    status: int
    error: str | None = None


@dataclass(frozen=True)
class RateLimitedCall:
    """A 429 the fake sent, and when the same call (method + params) came back."""

    method: str
    params: dict[str, Any]
    sent_at: float
    retry_after: int
    retried_at: float | None = None
    by_limit: bool = False  # refused by the enforced rate limits, not by an injected fault

    @property
    def waited(self) -> float | None:
        return None if self.retried_at is None else self.retried_at - self.sent_at


@dataclass(frozen=True)
class SlackEvent:
    """What changed in the fake, for observers such as the terminal demo."""

    # posted, updated, deleted, ephemeral, response; view_opened, view_pushed, view_updated,
    # view_closed (the person closed it or the app's answer did), home_published
    kind: str
    channel: str | None
    ts: str | None
    thread_ts: str | None
    text: str
    blocks: list[dict[str, Any]] | None
    user: str | None
    source: str = "api"  # "api" or "response_url"
    metadata: dict[str, Any] | None = None
    view_id: str | None = None
