"""Membership events: when the bot (or anyone) joins or leaves a channel, forget what the bot
knew about being in it, so the next command asks Slack again."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from slack_bolt import App

from flows.deps import Deps

log = logging.getLogger(__name__)

EVENTS = ("member_joined_channel", "member_left_channel", "channel_left", "group_left")


def register(app: App, deps: Deps) -> None:
    for name in EVENTS:
        app.event(name)(partial(on_membership, deps=deps))


def on_membership(ack: Callable[..., None], event: Mapping[str, Any], *, deps: Deps) -> None:
    ack()
    channel = str(event.get("channel") or "")
    if channel and deps.membership is not None:
        log.info("%s in %s: membership will be asked again", event.get("type"), channel)
        deps.membership.changed(channel)
