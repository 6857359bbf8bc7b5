"""People's PE tokens, stored encrypted: this module keeps ciphertext and never sees a token.

The caller (flows/people.py) encrypts with identity.vault before `save` and decrypts after
`get`; the table holds the Slack user, their PE login, the ciphertext, whether the bot made the
token (so it revokes it on sign-out) and when it expires.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from store.db import dumps, loads


@dataclass(frozen=True)
class StoredToken:
    """One row of `pe_tokens`; `secret` is ciphertext, kept out of the repr all the same."""

    slack_user: str
    login: str
    secret: str = field(repr=False)
    origin: str  # "bot" or "pasted"
    label: str | None
    expires_at: float | None
    created_at: float


def _row(raw: Any) -> StoredToken:
    return StoredToken(
        slack_user=raw["slack_user"],
        login=raw["login"],
        secret=raw["secret"],
        origin=raw["origin"],
        label=raw["label"],
        expires_at=raw["expires_at"],
        created_at=raw["created_at"],
    )


def get(db: Database, slack_user: str) -> StoredToken | None:
    raw = db.execute("SELECT * FROM pe_tokens WHERE slack_user = ?", [slack_user]).fetchone()
    return None if raw is None else _row(raw)


def save(db: Database, token: StoredToken) -> StoredToken | None:
    """Store a person's token in place of any earlier one; returns the earlier one (to revoke)."""
    earlier = get(db, token.slack_user)
    db.execute(
        """INSERT INTO pe_tokens (slack_user, login, secret, origin, label, expires_at, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(slack_user) DO UPDATE SET login = excluded.login,
             secret = excluded.secret, origin = excluded.origin, label = excluded.label,
             expires_at = excluded.expires_at, created_at = excluded.created_at""",
        [
            token.slack_user,
            token.login,
            token.secret,
            token.origin,
            token.label,
            token.expires_at,
            token.created_at,
        ],
    )
    return earlier


def delete(db: Database, slack_user: str, *, secret: str | None = None) -> bool:
    """Forget a person's token (only the one whose ciphertext is `secret`, when given, so a
    token stored meanwhile by a new sign-in is not lost); True if one was deleted."""
    if secret is None:
        cursor = db.execute("DELETE FROM pe_tokens WHERE slack_user = ?", [slack_user])
    else:
        cursor = db.execute(
            "DELETE FROM pe_tokens WHERE slack_user = ? AND secret = ?", [slack_user, secret]
        )
    return bool(cursor.rowcount)


def limits(db: Database) -> dict[str, Any]:
    """The saved failed-sign-in counts (identity/limiter.py's export), or nothing."""
    raw = db.execute("SELECT state FROM sign_in_limits WHERE id = 1").fetchone()
    return dict(loads(raw[0]) or {}) if raw else {}


def save_limits(db: Database, state: dict[str, Any], now: float) -> None:
    db.execute(
        """INSERT INTO sign_in_limits (id, state, updated_at) VALUES (1, ?, ?)
           ON CONFLICT(id) DO UPDATE SET state = excluded.state,
             updated_at = excluded.updated_at""",
        [dumps(state), now],
    )


def secrets(db: Database) -> list[tuple[str, str]]:
    """(Slack user, ciphertext) of every stored token, for key rotation."""
    return [tuple(r) for r in db.execute("SELECT slack_user, secret FROM pe_tokens").fetchall()]


def replace_secret(db: Database, slack_user: str, old: str, new: str) -> bool:
    """Write a token re-encrypted under the newest key (compare-and-set on the old text)."""
    cursor = db.execute(
        "UPDATE pe_tokens SET secret = ? WHERE slack_user = ? AND secret = ?",
        [new, slack_user, old],
    )
    return bool(cursor.rowcount)
