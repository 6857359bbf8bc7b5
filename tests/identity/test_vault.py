"""The token vault: Fernet at rest, keys newest first, rotation, and errors naming the setting."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from identity.vault import (
    KEY_FILE_SETTING,
    KEY_SETTING,
    TokenVault,
    UndecryptableToken,
    VaultError,
    VaultKeyError,
    generate_key,
    load_keys,
    parse_keys,
    reencrypt,
)

REPO = Path(__file__).resolve().parents[2]
TOKEN = "0VZZ6geJQK8zJGKxBdq1atTsMLAsfCQFJuRwxsMNgCr4"  # the shape of the 2023 docs' example


def test_a_token_round_trips_and_is_not_stored_in_the_clear() -> None:
    vault = TokenVault([generate_key()])
    stored = vault.encrypt(TOKEN)
    assert TOKEN not in stored and stored.isascii()
    assert vault.decrypt(stored) == TOKEN
    assert vault.encrypt(TOKEN) != stored  # a fresh IV each time: equal tokens do not show


def test_tokens_under_the_old_key_stay_readable_after_a_new_key_is_added() -> None:
    old, new = generate_key(), generate_key()
    stored_before = TokenVault([old]).encrypt(TOKEN)
    rotated_vault = TokenVault.from_settings(f"{new},{old}", None)
    assert rotated_vault.decrypt(stored_before) == TOKEN
    assert not rotated_vault.is_current(stored_before)
    stored_after = rotated_vault.encrypt(TOKEN)
    assert rotated_vault.is_current(stored_after)
    # The newest key encrypts: the new key alone reads it, the old alone does not.
    assert TokenVault([new]).decrypt(stored_after) == TOKEN
    with pytest.raises(UndecryptableToken):
        TokenVault([old]).decrypt(stored_after)


def test_reencrypt_moves_every_row_to_the_newest_key_so_the_old_one_can_go() -> None:
    old, new = generate_key(), generate_key()
    rows = {f"U{i}": TokenVault([old]).encrypt(f"{TOKEN}{i}") for i in range(5)}
    both = TokenVault([new, old])
    rows["U9"] = both.encrypt("already-current")
    changed = dict(reencrypt(both, rows.items()))
    assert set(changed) == {f"U{i}" for i in range(5)}  # the current row is left alone
    rows.update(changed)
    new_only = TokenVault([new])
    assert new_only.decrypt(rows["U3"]) == f"{TOKEN}3"
    assert new_only.decrypt(rows["U9"]) == "already-current"
    assert dict(reencrypt(both, rows.items())) == {}


def test_a_token_under_a_removed_key_or_altered_is_a_clear_error() -> None:
    old, new = generate_key(), generate_key()
    stored = TokenVault([old]).encrypt(TOKEN)
    vault = TokenVault([new])
    for bad in (stored, stored[:-4] + "AAAA", "not a token", "ünïcode"):
        with pytest.raises(UndecryptableToken) as caught:
            vault.decrypt(bad)
        assert KEY_SETTING in str(caught.value) and TOKEN not in str(caught.value)
        assert caught.value.__cause__ is None and caught.value.__suppress_context__
    with pytest.raises(UndecryptableToken):
        vault.rotate(stored)
    assert isinstance(caught.value, VaultError)


@pytest.mark.parametrize(
    "text, problem",
    [
        ("", "holds no key"),
        ("   \n# only a comment\n", "holds no key"),
        ("not-a-key", "key 1 of 1 is not a Fernet key"),
        ("{k}, short", "key 2 of 2 is not a Fernet key"),
        ("{k} {k}", "the same key twice"),
        ("{bent}", "not a Fernet key"),  # the right length, one character not base64
    ],
)
def test_a_malformed_key_names_the_setting_and_not_the_key(text: str, problem: str) -> None:
    key = generate_key()
    with pytest.raises(VaultKeyError) as caught:
        parse_keys(text.format(k=key, bent=key[:-1] + "!"))
    message = str(caught.value)
    assert message.startswith(KEY_SETTING) and problem in message
    assert key[:20] not in message
    assert "python -m identity generate-key" in message or "twice" in problem


def test_missing_and_doubled_settings_are_refused_by_name() -> None:
    with pytest.raises(VaultKeyError, match=f"{KEY_SETTING} or {KEY_FILE_SETTING} must be set"):
        TokenVault.from_settings(None, None)
    with pytest.raises(VaultKeyError, match="not both"):
        load_keys(generate_key(), "/etc/key")
    with pytest.raises(VaultKeyError):
        TokenVault([])


def test_keys_come_from_a_file_newest_first_with_comments(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old, new = generate_key(), generate_key()
    path = tmp_path / "token.keys"
    path.write_text(f"# newest first\n{new}\n{old}\n", encoding="ascii")
    path.chmod(0o600)
    vault = TokenVault.from_settings(None, str(path))
    assert vault.key_count == 2 and TokenVault([new]).decrypt(vault.encrypt("t")) == "t"
    assert caplog.records == []
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        TokenVault.from_settings(None, str(path))
    assert "readable by others" in caplog.text and new not in caplog.text


def test_an_unreadable_key_file_names_the_setting_and_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(VaultKeyError, match=f"{KEY_FILE_SETTING}: cannot read .*nope"):
        TokenVault.from_settings(None, str(missing))
    bad = tmp_path / "bad.keys"
    bad.write_text("garbage\n", encoding="ascii")
    with pytest.raises(VaultKeyError, match=f"{KEY_FILE_SETTING} .*bad.keys.*key 1 of 1"):
        TokenVault.from_settings(None, str(bad))


def test_no_key_material_in_the_repr() -> None:
    key = generate_key()
    vault = TokenVault([key, generate_key()])
    assert repr(vault) == "TokenVault(2 keys)" and key not in repr(vault)
    assert key not in repr(vars(vault))  # Fernet objects do not show their keys either


def test_generate_key_makes_fernet_keys_from_the_command_line() -> None:
    made = subprocess.run(
        [sys.executable, "-m", "identity", "generate-key"],
        cwd=REPO, capture_output=True, text=True, check=True, env={**os.environ},
    )  # fmt: skip
    key = made.stdout.strip()
    assert Fernet(key) and parse_keys(key) == (key.encode(),)
    usage = subprocess.run(
        [sys.executable, "-m", "identity"], cwd=REPO, capture_output=True, text=True
    )
    assert usage.returncode == 2 and "generate-key" in usage.stderr
