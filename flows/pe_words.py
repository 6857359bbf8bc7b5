"""The words person mode says about PE sign-ins (pure), and what looks like a secret."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from identity.limiter import Verdict
from orchestrator.errors import (
    AccountLocked,
    AuthenticationFailed,
    InvalidToken,
    TokenExpired,
    TokenRevoked,
)

# A token that can no longer be used: deleted, and its owner asked to sign in again.
DEAD = (TokenExpired, TokenRevoked, InvalidToken, AccountLocked)
# A word that could be a secret: PE tokens are long runs of letters, digits and `-_.`.
_TOKEN_WORD = re.compile(r"[A-Za-z0-9_\-.~+/=]{20,}")
DEAD = (TokenExpired, TokenRevoked, InvalidToken, AccountLocked)


def looks_like_token(text: str) -> bool:
    """Whether `text` holds a word shaped like a token (long, with letters and digits)."""
    for word in _TOKEN_WORD.findall(text):
        if re.search(r"[A-Za-z]", word) and re.search(r"[0-9]", word):
            return True
    return False


def when(at: float | None) -> str:
    if at is None:
        return "an unknown time"
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC")


def dead(exc: Exception) -> str:
    if isinstance(exc, TokenExpired):
        return "has expired"
    if isinstance(exc, TokenRevoked):
        return "was revoked"
    if isinstance(exc, AccountLocked):
        return "belongs to a locked or revoked account"
    return "is not valid"


def limited(verdict: Verdict, login: str) -> str:
    if verdict.reason == "pe_login":
        return (
            f"Too many failed sign-ins to `{login}` through the bot, so the bot will not try it "
            "again (PE locks accounts after repeated failures). Sign in once in the PE console "
            "or with `puppet access login`, or paste a token instead; a PE admin can reset it."
        )
    minutes = max(1, round((verdict.retry_after or 60) / 60))
    return f"Too many failed sign-ins from you; try again in about {minutes} minutes."


def plain(exc: Exception) -> str:
    if isinstance(exc, AuthenticationFailed):
        return exc.short_kind
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"
