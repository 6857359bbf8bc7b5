"""A fake Slack Web API, response_url server and signed-request builders for offline runs."""

from __future__ import annotations

from standins.slack.fake import FakeSlack
from standins.slack.model import (
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
    SlackEvent,
    User,
    UserGroup,
    View,
    Workspace,
)
from standins.slack.render import render_blocks, render_mrkdwn, render_view
from standins.slack.surfaces import ViewNotSubmittable
from standins.slack.view_state import ViewInteractionError

__all__ = [
    "BOT_ID",
    "BOT_USER_ID",
    "TEAM_ID",
    "Call",
    "Channel",
    "Ephemeral",
    "FakeSlack",
    "Message",
    "MessageVersion",
    "RateLimitedCall",
    "ResponsePost",
    "SlackEvent",
    "User",
    "UserGroup",
    "View",
    "ViewInteractionError",
    "ViewNotSubmittable",
    "Workspace",
    "render_blocks",
    "render_mrkdwn",
    "render_view",
]
