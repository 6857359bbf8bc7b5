"""The Bolt app: signature-verified, with every listener registered from handlers/."""

from __future__ import annotations

import logging

from slack_bolt import App

import handlers
from flows.deps import Deps


def create_app(deps: Deps, *, signing_secret: str | None,
               process_before_response: bool = False) -> App:
    """One App for Socket Mode, HTTP mode, the demo console and the tests.

    `process_before_response=True` makes dispatch() return only after the listener finished,
    which tests use for deterministic assertions; the bot itself answers as soon as ack() runs.
    """
    app = App(
        client=deps.slack,
        signing_secret=signing_secret,
        process_before_response=process_before_response,
        token_verification_enabled=False,
        request_verification_enabled=signing_secret is not None,
        logger=logging.getLogger("slack_bolt"),
    )
    handlers.register(app, deps)
    return app
