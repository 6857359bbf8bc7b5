"""Who asked, where, and how to answer them privately."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Asker:
    """The person behind a slash command or a click, from Slack's signed payload."""

    user_id: str
    channel_id: str
    team_id: str | None = None
    response_url: str | None = None
    trigger_id: str | None = None
    command: str = ""
    text: str = ""
    # Answers may replace the message the asker saw (their own ephemeral), never a card.
    replace: bool = True

    @classmethod
    def from_command(cls, command: Mapping[str, Any]) -> Asker:
        return cls(
            user_id=str(command["user_id"]),
            channel_id=str(command["channel_id"]),
            team_id=command.get("team_id"),
            response_url=command.get("response_url"),
            trigger_id=command.get("trigger_id"),
            command=str(command.get("command", "")),
            text=str(command.get("text", "")),
        )

    def payload(self) -> dict[str, Any]:
        """What the inbox keeps of a slash command, to run it again after a restart."""
        return {
            "user_id": self.user_id,
            "channel_id": self.channel_id,
            "team_id": self.team_id,
            "response_url": self.response_url,
            "trigger_id": self.trigger_id,
            "command": self.command,
            "text": self.text,
        }

    @classmethod
    def from_action(cls, body: Mapping[str, Any], *, replace: bool = False) -> Asker:
        """The clicker is the signed payload's user; never anything a button carries."""
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
            "channel_id", ""
        )
        return cls(
            user_id=str(body["user"]["id"]),
            channel_id=str(channel),
            team_id=(body.get("team") or {}).get("id"),
            response_url=body.get("response_url"),
            trigger_id=body.get("trigger_id"),
            replace=replace,
        )
