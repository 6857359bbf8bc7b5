"""Slack's SDK logs each Socket Mode message whole at DEBUG: such records keep their place in the
log but not their text, since a sign-in form's password rides on them (issue 15)."""

from __future__ import annotations

import io
import logging

from runtime.logsetup import setup


def test_socket_mode_payloads_are_not_logged_at_debug() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        setup("DEBUG", stream=stream)
        message = (
            "on_message invoked: (message: {'envelope_id': 'e1', 'payload': {'type': "
            "'view_submission', 'view': {'state': {'values': {'pe_password': "
            "{'pe_password': {'value': 'hunter2-secret'}}}}}}})"
        )
        logging.getLogger("slack_bolt.App").debug(message)
        logging.getLogger("slack_bolt.App").debug("Applying slack_bolt middleware")
        logging.getLogger("flows.people").debug("kept: payload of the bot's own")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    text = stream.getvalue()
    assert "hunter2-secret" not in text and "a Slack payload" in text
    assert "Applying slack_bolt middleware" in text and "kept: payload" in text
