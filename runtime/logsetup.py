"""Logging: one format, and a filter that keeps every secret out of every log line."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TextIO

SLACK_TOKEN = re.compile(r"\b(xox[abposr]|xapp)-[A-Za-z0-9-]{6,}")
REDACTED = "[redacted]"


class Redact(logging.Filter):
    """Replaces known secrets and anything shaped like a Slack token with [redacted]."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return SLACK_TOKEN.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = self.scrub(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


PAYLOAD_LOGGERS = ("slack_bolt", "slack_sdk.socket_mode")
PAYLOAD_MARKS = ("envelope_id", "payload", "view_submission", "state")


class QuietPayloads(logging.Filter):
    """Slack's SDK logs each Socket Mode message it receives at DEBUG, whole (only Slack tokens
    are masked): a sign-in form's password or a pasted PE token would ride on it. Such a record
    keeps its place in the log but not its text."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.DEBUG or not record.name.startswith(PAYLOAD_LOGGERS):
            return True
        message = record.getMessage()
        if any(mark in message for mark in PAYLOAD_MARKS):
            record.msg = "[a Slack payload (%d characters), not logged: it can hold a secret]"
            record.args = (len(message),)
        return True


def setup(
    level: str = "INFO", secrets: Iterable[str | None] = (), stream: TextIO | None = None
) -> Redact:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    redact = Redact(secrets)
    handler.addFilter(QuietPayloads())
    handler.addFilter(redact)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request at INFO; the URLs carry no secrets, but they drown the bot's own.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return redact
