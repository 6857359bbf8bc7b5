"""Key rotation of people's stored PE tokens: tokens stored under the old key stay readable
once a new key is put in front, and re-encryption moves them under the new one."""

from __future__ import annotations

from pathlib import Path

import httpx

from flows.people import People
from identity.vault import TokenVault, generate_key
from orchestrator.rbac import RbacClient
from standins.orchestrator import Simulator, default_world
from store import Store, pe_tokens
from tests.support.harness import Clock


def people(tmp: Path, keys: list[str], sim: Simulator, clock: Clock) -> People:
    store = Store(tmp / "bot.db")
    store.migrate()
    rbac = RbacClient(httpx.Client(transport=sim.transport()), "http://sim.test")
    return People(rbac, TokenVault(keys), store, clock=clock)


def test_tokens_under_the_old_key_are_read_after_a_new_key_is_added(tmp_path: Path) -> None:
    clock = Clock()
    sim = Simulator(default_world(), clock=clock)
    old, new = generate_key(), generate_key()
    before = people(tmp_path, [old], sim, clock)
    assert before.sign_in_password("U0ALICE", "operator", "operator-password").ok
    token = before.current("U0ALICE").token
    before.store.close()

    rotated = people(tmp_path, [new, old], sim, clock)
    assert rotated.current("U0ALICE").token == token  # the old key still reads it
    assert rotated.reencrypt() == 1 and rotated.reencrypt() == 0
    secret = pe_tokens.get(rotated.store.db, "U0ALICE").secret
    assert rotated.vault.is_current(secret)
    rotated.store.close()

    after = people(tmp_path, [new], sim, clock)  # the old key dropped
    assert after.current("U0ALICE").token == token
    after.store.close()


def test_failed_sign_ins_are_still_counted_after_a_restart(tmp_path: Path) -> None:
    clock = Clock()
    sim = Simulator(default_world(), clock=clock)
    key = generate_key()
    first = people(tmp_path, [key], sim, clock)
    for _ in range(3):
        assert not first.sign_in_password("U0MALLORY", "operator", "wrong").ok
    first.store.close()
    again = people(tmp_path, [key], sim, clock)  # the bot restarted
    said = again.sign_in_password("U0MALLORY", "operator", "wrong")
    assert not said.ok and "Too many failed sign-ins" in said.message
    assert sim.rbac.failures.get("operator") == 3  # PE saw 3 of its 10, not 4
    again.store.close()
