"""People's PE tokens encrypted at rest: Fernet (AES-128-CBC with HMAC-SHA256, from the
`cryptography` package), keys from TOKEN_ENCRYPTION_KEY or TOKEN_ENCRYPTION_KEY_FILE.

Keys are a list, newest first. The newest encrypts; every key decrypts (MultiFernet), so adding a
new key in front keeps tokens stored under the old one readable. Rotation:

1. put a new key (`generate_key()`) in front of the list and restart;
2. re-encrypt what is stored (`reencrypt(vault, rows)` writes each token under the new key);
3. drop the old key from the list and restart.

Pure: nothing here reads a database; the caller stores the ciphertext (ASCII text) and passes it
back. Neither a key nor a token ever appears in an error, a repr or a log line.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import re
import stat
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from config import ConfigError

log = logging.getLogger(__name__)

KEY_SETTING = "TOKEN_ENCRYPTION_KEY"
KEY_FILE_SETTING = "TOKEN_ENCRYPTION_KEY_FILE"
HOW_TO_MAKE_ONE = "make one with: python -m identity generate-key"
K = TypeVar("K")
_KEY_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}=$")  # 32 bytes in url-safe base64


class VaultError(Exception):
    """Anything that went wrong encrypting or decrypting stored tokens."""


class VaultKeyError(VaultError, ConfigError):
    """The encryption key setting is missing or unusable; the message names the setting."""


class UndecryptableToken(VaultError):
    """A stored token is not readable under any configured key (a key removed too early, or
    the stored text altered)."""


def generate_key() -> str:
    """A new random Fernet key, as text to put in the setting or the key file."""
    return Fernet.generate_key().decode("ascii")


def parse_keys(text: str, *, setting: str = KEY_SETTING) -> tuple[bytes, ...]:
    """Keys from text: separated by commas, spaces or lines, newest first; `#` starts a comment
    line (in a key file). VaultKeyError, naming `setting` and the entry's position, never its
    value."""
    entries = [
        part
        for line in text.splitlines()
        if not line.lstrip().startswith("#")
        for part in line.replace(",", " ").split()
    ]
    if not entries:
        raise VaultKeyError(f"{setting} holds no key; {HOW_TO_MAKE_ONE}")
    keys: list[bytes] = []
    for position, entry in enumerate(entries, start=1):
        raw = entry.encode("ascii", errors="replace")
        if not _KEY_SHAPE.match(entry) or len(base64.urlsafe_b64decode(raw)) != 32:
            raise VaultKeyError(
                f"{setting}: key {position} of {len(entries)} is not a Fernet key "
                f"(32 bytes in url-safe base64, 44 characters); {HOW_TO_MAKE_ONE}"
            )
        keys.append(raw)
    if len(set(keys)) != len(keys):
        raise VaultKeyError(f"{setting} lists the same key twice")
    return tuple(keys)


def load_keys(key: str | None, key_file: str | None) -> tuple[bytes, ...]:
    """The keys from TOKEN_ENCRYPTION_KEY, or else the file TOKEN_ENCRYPTION_KEY_FILE names
    (setting both is refused: which one wins would be a guess)."""
    if key and key_file:
        raise VaultKeyError(f"set {KEY_SETTING} or {KEY_FILE_SETTING}, not both")
    if key:
        return parse_keys(key, setting=KEY_SETTING)
    if not key_file:
        raise VaultKeyError(
            f"{KEY_SETTING} or {KEY_FILE_SETTING} must be set to store PE tokens encrypted; "
            f"{HOW_TO_MAKE_ONE}"
        )
    path = Path(key_file).expanduser()
    try:
        text = path.read_text(encoding="ascii")
        mode = path.stat().st_mode
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not ASCII text"
        raise VaultKeyError(f"{KEY_FILE_SETTING}: cannot read {path} ({reason})") from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("%s: %s is readable by others; chmod 600 it", KEY_FILE_SETTING, path)
    return parse_keys(text, setting=f"{KEY_FILE_SETTING} ({path})")


class TokenVault:
    """Encrypts under the newest key, decrypts under any; holds no token itself."""

    def __init__(self, keys: Sequence[bytes | str]) -> None:
        if not keys:
            raise VaultKeyError(f"{KEY_SETTING} holds no key; {HOW_TO_MAKE_ONE}")
        try:
            self._fernets = [Fernet(k) for k in keys]
        except (ValueError, TypeError, binascii.Error):
            raise VaultKeyError(f"{KEY_SETTING}: a key is not a Fernet key") from None
        self._multi = MultiFernet(self._fernets)

    @classmethod
    def from_settings(cls, key: str | None, key_file: str | None) -> TokenVault:
        """The vault for TOKEN_ENCRYPTION_KEY / TOKEN_ENCRYPTION_KEY_FILE; VaultKeyError if
        neither gives a usable key."""
        return cls(load_keys(key, key_file))

    def __repr__(self) -> str:
        return f"TokenVault({len(self._fernets)} key{'s' if len(self._fernets) != 1 else ''})"

    @property
    def key_count(self) -> int:
        return len(self._fernets)

    def encrypt(self, token: str) -> str:
        """The token encrypted under the newest key, as ASCII text to store."""
        return self._multi.encrypt(token.encode("utf-8")).decode("ascii")

    def decrypt(self, stored: str) -> str:
        """The token back; UndecryptableToken if no configured key opens it."""
        try:
            return self._multi.decrypt(_bytes(stored)).decode("utf-8")
        except (InvalidToken, UnicodeDecodeError):
            raise UndecryptableToken(_UNREADABLE) from None

    def is_current(self, stored: str) -> bool:
        """Whether the newest key encrypted it (so rotation may skip it)."""
        try:
            self._fernets[0].decrypt(_bytes(stored))
        except InvalidToken:
            return False
        return True

    def rotate(self, stored: str) -> str:
        """The same token encrypted under the newest key; UndecryptableToken as decrypt."""
        try:
            return self._multi.rotate(_bytes(stored)).decode("ascii")
        except InvalidToken:
            raise UndecryptableToken(_UNREADABLE) from None


_UNREADABLE = (
    f"a stored PE token cannot be decrypted with any key in {KEY_SETTING}: its key was removed "
    "before the tokens were re-encrypted, or the stored text was altered; the person must sign "
    "in again"
)


def _bytes(stored: str) -> bytes:
    try:
        return stored.encode("ascii")
    except UnicodeEncodeError:
        raise UndecryptableToken(_UNREADABLE) from None


def reencrypt(vault: TokenVault, rows: Iterable[tuple[K, str]]) -> Iterator[tuple[K, str]]:
    """For rotation: `(row key, new ciphertext)` for each stored token not yet under the newest
    key; the caller writes them back. Raises UndecryptableToken on the first unreadable one."""
    for row, stored in rows:
        if not vault.is_current(stored):
            yield row, vault.rotate(stored)
